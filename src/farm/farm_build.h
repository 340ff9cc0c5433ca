// `lupine farm build` as a library call: the recipe trees planned (plan.h), every placed recipe
// turned into a job (`lupine farm job`, farm_job.h) that waits for the recipes producing its
// inputs, the jobs run by an executor (local or Slurm), and what they built published at the end.
//
// The repositories of a run, in the order builds resolve from them:
//   1. <out>/.farm/           the staging repository: this run's packages (each build adds its own
//                             and updates the staging index), so a build sees what its inputs'
//                             builds produced moments ago — the same name and version in two
//                             repositories resolve to the earlier one (apk's rule);
//   2. <out>/                 the published repository, when it has an index: earlier runs' packages,
//                             including those of recipes found up to date this time;
//   3. --repository-append    everything the recipes do not produce (a bootstrap repository).
// A cycle's members but its foundation get two jobs (build_order.h, Cycle::sequence): the second
// round rebuilds them on the foundation's package and replaces the first round's in staging; the
// first round's log is farm-logs/<name>.round-1.log. Their dependents wait for the second round.
// The foundation was built on the first round's packages: they are published too, in a repository
// of their own, <out>/round-1/<arch>/ (signed index; with their provenance and build-root
// records), so that `lupine rebuild -r <out> -r <out>/round-1` finds the foundation's recorded
// build root.
// With `cycles_once` (a stage of `farm stages`, whose stages are the rounds: stages.h), a cycle's
// members are built once each, in the sequence: a member's build root leaves out what the members
// after it made in this out dir (farm job --leave-out-origin), so it is built on the earlier
// stage's (or the bootstrap's) packages of them on every run, and its key holds.
// Publishing, once every job has ended (also after an interrupt or failures): the staged packages,
// build records and build logs are moved into <out>/<arch>/, then <out>/<arch>/APKINDEX.tar.gz is
// updated once (incremental, signed, atomic), and the staging repository is removed. One farm
// build at a time per out dir (flock on <out>/.farm.lock).
#pragma once

#include "apk/package_writer.h"
#include "farm/executor.h"
#include "farm/plan.h"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lupine::farm {

struct FarmBuildOptions {
  PlanOptions plan;                         // recipe paths, pipeline dirs, compile.arch (an apk arch, set)
  std::filesystem::path out_dir;            // the published repository (made absolute)
  std::filesystem::path signing_key;        // signs packages (in the jobs) and the index
  apk::PackageSigner signer;                // the loaded signing key, for the index
  std::optional<int64_t> index_expires_in;  // --index-expires-in: the published index's freshness
  std::vector<std::string> repositories;    // --repository-append
  std::vector<std::string> keyring;         // --keyring-append
  std::filesystem::path cache_dir;          // shared by every build: sources, roots
  std::vector<std::string> job_flags;       // more `lupine farm job` flags (passed as given)
  std::filesystem::path lupine;             // the executable the jobs run
  std::string lupine_version;               // part of every key (checked against the jobs' own)
  Executor* executor = nullptr;
  // When set: an input no recipe makes and no repository has, or a cycle's first-round input no
  // repository has (unmet_inputs.h), refuses the whole run before anything is built, with this
  // text before the list (a stage that takes nothing from a bootstrap).
  std::string refuse_missing_inputs;
  bool cycles_once = false;  // a cycle's members built once each, not to the fixpoint (above)
};

enum class RecipeResult {
  built,        // built this run, published
  up_to_date,   // key unchanged, packages published earlier
  failed,       // the build failed (or the recipe does not compile)
  blocked,      // an input's recipe failed or is blocked: not attempted
  cancelled,    // interrupted, or not started after a failure without --keep-going
  skipped,      // not built for this arch (package.target-architecture)
};
const char* recipe_result_name(RecipeResult result);  // "built", "up-to-date", ...

struct RecipeSummary {
  std::string name;
  std::string version;
  std::string path;      // the recipe file
  RecipeResult result = RecipeResult::cancelled;
  double seconds = 0;    // how long its job ran
  std::filesystem::path log;  // the job's log (every line the build printed), "" when it never ran
  std::string detail;    // why it failed / what blocks it
  std::vector<std::string> packages;  // built or up-to-date: the package files
};

struct FarmBuildResult {
  std::vector<RecipeSummary> recipes;  // in build order, then the ones that were never placed
  size_t published = 0;                // package files moved into <out>/<arch>/
  bool index_updated = false;
  bool interrupted = false;
  double seconds = 0;

  size_t count(RecipeResult result) const;
  bool ok() const;  // nothing failed, blocked or cancelled
};

// Progress: a recipe's `summary` just changed; `report` is its job's state, `jobs` how many jobs
// the run has.
using FarmObserver = std::function<void(const RecipeSummary& summary, const JobReport& report, size_t jobs)>;

// Plans, runs and publishes as described above. Throws Error when the out dir is locked by another
// farm build, or when publishing fails; failed builds are results, not errors.
FarmBuildResult build_farm(const FarmBuildOptions& options, const FarmObserver& observer = {});

// A repository line made absolute when it names a local directory (jobs may run elsewhere, in
// another directory): "@tag ..." and URLs stay as they are.
std::string absolute_repository(const std::string& line);

// The staging repository of `out_dir` and the log of a recipe's job.
std::filesystem::path farm_staging_dir(const std::filesystem::path& out_dir);
std::filesystem::path farm_job_log(const std::filesystem::path& out_dir, const std::string& arch,
                                   const std::string& name);

}  // namespace lupine::farm
