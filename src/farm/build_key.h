// The up-to-date key of a build: a recipe whose key is unchanged since its last build is not
// rebuilt. It covers everything that can change the output: the recipe file, its local files
// (patches and sources beside it in `<recipe dir>/<package name>/`), the steps that will run as
// compiled (so a changed `uses:` pipeline in a --pipeline-dir, --build-option or var counts too),
// the exact packages of the resolved build root (their `C:` identities), the arch, and lupine's
// own version. Bumping kBuildKeyFormat invalidates every key (when what is hashed changes).
#pragma once

#include "builder/recipe/compile.h"

#include <filesystem>
#include <string>
#include <vector>

namespace lupine::farm {

inline constexpr int kBuildKeyFormat = 2;

struct BuildKeyInputs {
  std::filesystem::path recipe;               // the recipe file
  std::string package_name;                   // names the local files directory beside the recipe
  std::string arch;                           // apk name
  std::vector<std::string> root_identities;   // C: of every package in the build root (any order)
  std::string lupine_version;
  std::string steps;                          // compiled_steps_text() of the plan
};

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

}  // namespace lupine::farm
