// What runs a farm's builds: a set of jobs, each a command with the jobs it must wait for, run so
// that a job starts only after every job it waits for succeeded. A job whose prerequisite failed
// (or was itself blocked) never runs: it is `blocked`. Two executors implement this: local
// (local_executor.h: N processes at a time on this machine) and slurm (slurm_executor.h: one
// Slurm job per build, the dependencies handed to Slurm).
//
// The command of a job is the same for both (`lupine farm job ...`): it decides by itself whether
// the build is up to date, builds, and writes its result file; the executor only runs it and
// reports whether it succeeded (exit 0) or failed.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace lupine::farm {

struct FarmJob {
  std::string name;                // the recipe's package name: shown, and the Slurm job name
  std::vector<std::string> argv;   // argv[0] an absolute path
  std::filesystem::path log;       // the command's stdout and stderr (created, or replaced)
  std::vector<size_t> after;       // indices (in the job list) of jobs that must succeed first
  // Scheduling weight: the longest chain of expected build seconds from this job to the end of
  // the graph (itself included). The local executor starts the ready job with the highest first.
  double priority = 0;
};

enum class JobState {
  queued,     // waiting for its prerequisites or a free slot
  running,
  succeeded,  // exit 0
  failed,     // non-zero exit, killed, or could not be started
  blocked,    // a prerequisite failed or was blocked: never ran
  cancelled,  // stopped (or never started) because the run was interrupted
};

const char* job_state_name(JobState state);  // "queued", "running", ...

struct JobReport {
  JobState state = JobState::queued;
  std::chrono::steady_clock::time_point started{}, ended{};  // meaningful once running / ended
  std::string detail;  // failed: "exit code 2", "killed by signal 9"; blocked: the prerequisite's name
  std::string id;      // the executor's name for it: Slurm job id ("" for local jobs)
};

// Called (from the executor's own thread, never concurrently) each time a job changes state.
using JobObserver = std::function<void(size_t job, const JobReport& report)>;

class Executor {
 public:
  virtual ~Executor() = default;

  // Runs `jobs` until every job has ended. Jobs come in a topological order: every index in a
  // job's `after` is smaller than the job's own.
  // On an interrupt (SIGINT/SIGTERM/SIGHUP: common/process.h interrupt_requested()) running jobs
  // are stopped — given a few seconds to clean up after themselves, then killed — queued ones
  // are not started, and every job the executor put anywhere (processes, Slurm jobs) is gone
  // before this returns; their reports say `cancelled`. Returns one report per job, in order.
  virtual std::vector<JobReport> run(const std::vector<FarmJob>& jobs, const JobObserver& observer) = 0;
};

}  // namespace lupine::farm
