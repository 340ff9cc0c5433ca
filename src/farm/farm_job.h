// One build of a farm, as an executor runs it (`lupine farm job`, on this machine or on a Slurm
// node): resolve the recipe's build root, compute its up-to-date key (build_key.h), and either
// find the build up to date in the farm's published repository or build it into the farm's
// staging repository. The outcome goes to a result file the farm reads when the job has ended.
//
// Files, all under the farm's out dir:
//   <out>/<arch>/buildkeys/<name>.json   the key of the build whose packages are published (and
//                                        its package files), written with them: a recipe whose
//                                        key is unchanged and whose packages are all there is not
//                                        rebuilt
//   <staging>/<arch>/...                 this run's packages, keys and build logs until published
//   <staging>/results/<name>.json        a job's outcome
#pragma once

#include "builder/build/build.h"
#include "builder/recipe/compile.h"

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace lupine::farm {

// <out>/<arch>/buildkeys/<name>.json
struct BuildRecord {
  std::string name;
  std::string version;                // "1.2-r3"
  std::string key;                    // build_key()
  std::string source_key;             // source_key(): what other recipes' keys see of this one
  std::vector<std::string> packages;  // file names in <out>/<arch>/
  double seconds = 0;                 // how long the build took (scheduling weights)
};

std::filesystem::path build_record_path(const std::filesystem::path& out_dir, const std::string& arch,
                                        const std::string& name);
// nullopt when absent; a record that cannot be read is treated as absent (the recipe is rebuilt).
std::optional<BuildRecord> read_build_record(const std::filesystem::path& path);
void write_build_record(const std::filesystem::path& path, const BuildRecord& record);

enum class JobResult { built, up_to_date, failed };
const char* job_result_name(JobResult result);  // "built", "up-to-date", "failed"

// <staging>/results/<name>.json
struct JobOutcome {
  JobResult result = JobResult::failed;
  BuildRecord record;  // built and up-to-date: the record (up-to-date: the published one)
  std::string log;     // the builder's log (built or failed at a step), when there is one
  std::string error;   // failed: the message
  double seconds = 0;  // the job's own wall time (a Slurm job's start is only seen by polling)
};

std::optional<JobOutcome> read_job_outcome(const std::filesystem::path& path);
void write_job_outcome(const std::filesystem::path& path, const JobOutcome& outcome);

struct FarmJobOptions {
  std::filesystem::path published;     // the farm's out dir: its records say what is up to date
  std::filesystem::path result_file;   // where the outcome goes ("" = nowhere)
  std::string lupine_version;          // part of the key
  // Run the recipe's `test:` pipelines after building it (melange test): a failing test fails the
  // job, so its packages are not published and no record is written. Up-to-date recipes are not
  // tested again.
  bool run_tests = false;
  // More packages for every test environment (melange's --test-package-append; Wolfi's tests are
  // run with wolfi-base). The build's --package-append is not for tests.
  std::vector<std::string> test_package_append;
  // A cycle's second round (farm_build.h): before it replaces the first round's packages in the
  // staging repository, they are kept (hard links) in <superseded_dir>/<arch>/ with their
  // provenance and build-root record, because the cycle's foundation was built on them.
  std::filesystem::path superseded_dir;
  // A cycle built once (a farm stage's, farm_build.h): the recipes after this one in the cycle's
  // sequence. What they made in the staging and published repositories is left out of the build
  // root, so that the member is built on the earlier stage's packages of them, on a rerun as on the
  // first run (else the next run would find its key changed and build it again).
  std::set<std::string> left_out_origins;
};

// `options.out_dir` is the staging repository. Builds (and tests) unless up to date; writes the record (into
// the staging repository, beside the packages) and the outcome. Never throws for a failed build:
// the outcome says `failed` (Interrupted is rethrown after the outcome is written).
JobOutcome run_farm_job(const builder::BuildPlan& plan, const builder::BuildOptions& options,
                        const FarmJobOptions& job);

}  // namespace lupine::farm
