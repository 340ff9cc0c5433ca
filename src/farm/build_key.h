// The up-to-date key of a build: a recipe whose key is unchanged since its last build is not
// rebuilt. It covers everything that can change the output: the recipe file, its local files
// (patches and sources beside it in `<recipe dir>/<package name>/`), the steps that will run as
// compiled (so a changed `uses:` pipeline in a --pipeline-dir, --build-option or var counts too),
// the packages of the resolved build root (root_key_entries), the arch, and lupine's own version.
// Bumping kBuildKeyFormat invalidates every key (when what is hashed changes).
//
// The source key is the same without the build root: what identifies a recipe's packages when
// they sit in another recipe's root (root_key_entries).
#pragma once

#include "builder/recipe/compile.h"

#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace lupine::farm {

inline constexpr int kBuildKeyFormat = 3;

struct BuildKeyInputs {
  std::filesystem::path recipe;               // the recipe file
  std::string package_name;                   // names the local files directory beside the recipe
  std::string arch;                           // apk name
  std::vector<std::string> root_identities;   // root_key_entries() of the build root (any order)
  std::string lupine_version;
  std::string steps;                          // compiled_steps_text() of the plan
};

// One package of a resolved build root, as the key sees it.
struct RootKeyPackage {
  std::string name;
  std::string version;
  std::string identity;    // C:
  std::string source_key;  // made by the farm's tree: its recipe's source key; "" otherwise
};

// What a key covers of a build root, one entry per package:
//  - none for the recipe's own packages (`own`: its package and subpackage names), whichever
//    repository they come from: a recipe built on the packages of its own last build, or of a
//    bootstrap (glibc on glibc-dev), is the same build — counting them would never settle;
//  - a package the farm's tree made: its name, version and recipe's source key. A changed recipe
//    (new source key, or a new version) rebuilds what has its packages in the root; a rebuild of
//    an unchanged recipe on a new root does not, although its bytes change (its SBOM names its
//    root). That is what lets a tree whose roots hold each other's packages (zlib in glibc's root
//    through binutils, glibc-dev in zlib's) reach a fixpoint, as Wolfi's version-and-epoch rule;
//  - any other package (a bootstrap's, an external repository's): its C: identity.
std::vector<std::string> root_key_entries(const std::vector<RootKeyPackage>& root, const std::set<std::string>& own);

// Every enabled step of the main package and its subpackages as they will run: script, working
// directory, environment, nested steps — in order, unambiguously delimited.
std::string compiled_steps_text(const builder::BuildPlan& plan);

// The local files of a recipe: every file and symlink under `<recipe dir>/<package name>/`,
// recursively, as paths relative to that directory, sorted. Empty when there is no such directory.
std::vector<std::filesystem::path> recipe_local_files(const std::filesystem::path& recipe,
                                                      const std::string& package_name);

// "sha256:<hex>". Only content counts: file times, the recipe's absolute path and the order of
// root identities do not. Throws Error when a file cannot be read.
std::string build_key(const BuildKeyInputs& inputs);

// build_key() without the build root ("sha256:<hex>", never equal to a build key).
std::string source_key(const BuildKeyInputs& inputs);

}  // namespace lupine::farm
