// Running a compiled pipeline as melange runs it (reference/melange.md §4.1), for builds and tests:
// each enabled step in order — its own `runs` script in the sandbox (run_step: `set -e -o
// pipefail`, its working directory, its environment), then its nested steps; disabled steps (a
// false `if:`) are skipped. `uses: fetch` and `uses: git-checkout` steps are not run in the
// sandbox (which has no network): lupine fetches and verifies the source from the host, through
// the source cache, into the workspace, and records it for the SBOM.
#pragma once

#include "builder/build/build_log.h"
#include "builder/recipe/compile.h"
#include "builder/source/fetch.h"
#include "builder/source/git_checkout.h"
#include "builder/build/package_emit.h"
#include "builder/build/sandbox.h"
#include "common/fs.h"
#include "common/error.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lupine::builder {

// A step failed: its exit status (or time limit), with the log to look at.
class StepFailed : public Error {
 public:
  StepFailed(const std::string& message, std::string package, std::string step, int status, bool timed_out)
      : Error(message), package_(std::move(package)), step_(std::move(step)), status_(status), timed_out_(timed_out) {}
  const std::string& package() const { return package_; }
  const std::string& step() const { return step_; }
  int status() const { return status_; }  // exit code, or 128 + signal
  bool timed_out() const { return timed_out_; }

 private:
  std::string package_, step_;
  int status_;
  bool timed_out_;
};

struct PipelineRun {
  SandboxSpec sandbox;                      // root, workspace, binds, SOURCE_DATE_EPOCH; time_limit unused
  std::shared_ptr<TempDir> tmp;             // the run's /tmp (sandbox.tmp_dir), removed with the run
  const CompiledEnvironment* environment = nullptr;  // the guest's variables (effective_environment)
  std::string package;                      // named in messages ("hello", "test of hello")
  BuildLog* log = nullptr;
  bool trace = false;                       // --debug: set -x
  // The whole build's time limit: each step gets what is left.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  std::string time_limit_text;              // "2h", for the message when it is reached
  FetchOptions fetch;                       // cache_dir, offline, ... (passed through)
  GitOptions git;
  std::vector<BuildSource>* sources = nullptr;  // fetched sources are appended here when set
  // Resuming (build_resume.h): units are counted as step_units() counts them; the first
  // `skip_units` ran in an earlier build whose workspace this is, and are not run again. After a
  // StepFailed, `unit` is the index of the unit that failed.
  size_t unit = 0;
  size_t skip_units = 0;
  // --interactive: when a step fails, a shell opens in its sandbox (same root, workspace,
  // environment and directory) on lupine's terminal; the build fails when it exits.
  bool interactive = false;
};

// Runs `steps`; throws StepFailed for a failing step, SourceError for a failed fetch, Interrupted.
void run_pipeline(const std::vector<CompiledStep>& steps, PipelineRun& run);

}  // namespace lupine::builder
