// Resuming a failed build (`lupine build --resume`; melange users asked for it in
// chainguard-dev/melange#134). A build whose step fails keeps its workspace in the cache,
// <cache>/resume/<name>-<arch>/workspace, with resume.json beside it: the build root's key, a
// digest of the recipe's local files, one digest per step unit in run order, and which unit failed.
// A later build with --resume reuses that workspace and skips the units before the failed one when
// the root, the local files and those units' digests are all unchanged; otherwise it starts over
// and says what changed. A successful build removes the kept workspace.
//
// A unit is what run_pipeline runs as one: an enabled `runs:` script, or a fetch/git-checkout (whose
// nested steps are not run). Units are counted over the main pipeline, then each enabled
// subpackage's, depth first. Unit i's digest chains unit i-1's, so it covers every unit before it.
#pragma once

#include "builder/recipe/compile.h"

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lupine::builder {

struct StepUnit {
  std::string package;  // the (sub)package whose pipeline it is in
  std::string name;     // display name, as the log shows it
  std::string digest;   // sha256 hex over this unit and every unit before it
};

// The units of `plan` in run order, with chained digests.
std::vector<StepUnit> step_units(const BuildPlan& plan);

// sha256 hex of the regular files below `dir` (relative paths, modes, contents), "" when `dir` is "".
std::string local_files_digest(const std::filesystem::path& dir);

struct ResumeRecord {
  std::string root_key;          // BuildRoot::key
  std::string local_files;       // local_files_digest of the source directory
  std::vector<std::string> units;  // StepUnit digests
  size_t failed = 0;             // index of the unit that failed
};

// <cache>/resume/<name>-<arch>
std::filesystem::path resume_dir(const std::filesystem::path& cache_dir, const BuildPlan& plan);

// resume.json of `dir`; nullopt when there is none. Throws Error when it is unreadable.
std::optional<ResumeRecord> read_resume_record(const std::filesystem::path& dir);
void write_resume_record(const std::filesystem::path& dir, const ResumeRecord& record);

// Where to resume: the number of units to skip (0: start over) and, when starting over although a
// record exists, why ("the build root changed", "step \"Build\" changed", ...).
struct ResumePoint {
  size_t skip = 0;
  std::string why_not;
};
ResumePoint resume_point(const std::optional<ResumeRecord>& record, const std::string& root_key,
                         const std::string& local_files, const std::vector<StepUnit>& units);

}  // namespace lupine::builder
