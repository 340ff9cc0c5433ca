// `lupine farm verify-rebuild`: is a whole repository reproducible? Every recipe whose packages it
// holds is rebuilt from those packages alone (builder/build/rebuild.h: their .melange.yaml, their
// recorded build root) and each package is compared with its rebuild, as reproducible-builds.org
// counts: a package is reproducible when its rebuild has the same control and data members.
// Each recipe's rebuild is one job (`lupine rebuild ... --report FILE`) run by the farm's
// executors (executor.h: local processes N at a time, or Slurm jobs), into its own directory:
//   <out>/<origin>/<arch>/    the rebuilt packages
//   <out>/<origin>/rebuild.log, report.json   the job's output and its comparison
// Recipes whose farm build record lies in the repository (<repo>/<arch>/buildkeys/) start by how
// long they took to build, longest first.
#pragma once

#include "builder/build/rebuild.h"
#include "farm/executor.h"

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
  std::filesystem::path log;  // the rebuild job's output
  std::chrono::milliseconds took{0};
  size_t identical() const;
};

struct VerifyRebuildReport {
  std::vector<RecipeRebuild> recipes;  // in origin order
  bool interrupted = false;
  size_t packages() const;
  size_t identical() const;
  double percent() const;  // of packages; 100 for an empty repository
};

struct VerifyRebuildOptions {
  std::vector<std::filesystem::path> repositories;  // directory repositories to check
  std::string arch;
  // Only these recipes (origins), when any are given: each must have packages in the repositories.
  std::vector<std::string> only;
  std::filesystem::path out_dir;  // rebuilds go to <out_dir>/<origin>/ (made absolute)
  Executor* executor = nullptr;
  // The command of one recipe's rebuild: `lupine rebuild PACKAGES... --out-dir OUT --report REPORT`
  // with the caller's flags (repositories, keys, cache).
  std::function<std::vector<std::string>(const std::string& origin, const std::vector<std::filesystem::path>& packages,
                                         const std::filesystem::path& out, const std::filesystem::path& report)>
      argv_for;
  std::function<void(const RecipeRebuild&)> on_done;  // as each recipe's job ends (one at a time)
};

VerifyRebuildReport verify_rebuild(const VerifyRebuildOptions& options);

// A table: recipe, version, packages, reproducible, result, time; then every difference; then
// "N of M packages reproducible (P %)".
std::string render_verify_rebuild(const VerifyRebuildReport& report);

}  // namespace lupine::farm
