// `lupine farm verify-rebuild`: is a whole repository reproducible? Every recipe whose packages it
// holds is rebuilt from those packages alone (builder/build/rebuild.h: their .melange.yaml, their
// recorded build root) and each package is compared with its rebuild, as reproducible-builds.org
// counts: a package is reproducible when its rebuild has the same control and data members.
// Recipes are rebuilt N at a time, each into its own directory (<out>/<origin>/<arch>/).
#pragma once

#include "builder/build/rebuild.h"

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace lupine::farm {

struct RecipeRebuild {
  std::string origin;   // the recipe (the packages' origin)
  std::string version;  // <version>-r<epoch>
  std::vector<builder::RebuiltPackage> packages;
  std::string error;    // the rebuild failed (a step, a missing input): its packages count as not reproducible
  std::chrono::milliseconds took{0};
  size_t identical() const;
};

struct VerifyRebuildReport {
  std::vector<RecipeRebuild> recipes;  // in origin order
  size_t packages() const;
  size_t identical() const;
  double percent() const;  // of packages; 100 for an empty repository
};

struct VerifyRebuildOptions {
  std::vector<std::filesystem::path> repositories;  // directory repositories to check
  std::string arch;
  // Only these recipes (origins), when any are given: each must have packages in the repositories.
  std::vector<std::string> only;
  std::filesystem::path out_dir;  // rebuilds go to <out_dir>/<origin>/
  unsigned jobs = 1;
  // The build options of one recipe's rebuild (out_dir is then set to its own directory).
  builder::RebuildOptionsFor options_for;
  std::function<void(const RecipeRebuild&)> on_done;  // as each recipe finishes (from its thread)
};

VerifyRebuildReport verify_rebuild(const VerifyRebuildOptions& options);

// A table: recipe, version, packages, reproducible, result, time; then every difference; then
// "N of M packages reproducible (P %)".
std::string render_verify_rebuild(const VerifyRebuildReport& report);

}  // namespace lupine::farm
