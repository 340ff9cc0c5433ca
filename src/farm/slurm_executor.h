// The Slurm executor: one Slurm batch job per farm job, all submitted up front, each with
// --dependency=afterok:<the Slurm ids of its prerequisites> so that Slurm itself keeps the graph
// order, and --kill-on-invalid-dep=yes so that a job whose prerequisite failed is cancelled by
// Slurm (reported `blocked`). lupine then polls squeue until every job has ended.
//
// Each job's batch script runs its argv with the submitter's environment (sbatch --export=ALL) and
// working directory, stdout and stderr into the job's log, and writes the exit status into
// `<log>.status` before it ends: the result then does not depend on Slurm still remembering the
// job (there is no accounting database; slurmctld forgets a job MinJobAge after it ended). Logs,
// status files and whatever the jobs write must be on a filesystem every node shares.
//
// No job of the executor's own stays in the queue after run(), whichever way it ends: on an
// interrupt it scancels what is still queued or running, waits until Slurm has removed it, and
// reports it `cancelled`; on an exception it does the same before the exception goes on.
#pragma once

#include "farm/executor.h"

#include <chrono>
#include <filesystem>
#include <string>

namespace lupine::farm {

struct SlurmExecutorOptions {
  std::string partition;        // empty: the cluster's default partition
  unsigned cpus_per_task = 0;   // 0: Slurm's default (1)
  std::string time_limit;       // per job, sbatch --time syntax ("90", "2:00:00"); empty: none
  bool keep_going = true;       // false: after a failure, jobs not yet started are cancelled
  // How often squeue is asked. Slurm itself starts a dependent job about a second after its
  // prerequisite ended (slurmctld's scheduling pass), so polling much faster gains little.
  std::chrono::milliseconds poll_interval{1000};
  // Where the batch scripts go (sbatch reads them at submission; they need not be shared). Empty:
  // beside each job's log, as `<log>.sbatch`.
  std::filesystem::path script_dir;
  // After scancel, how long to wait for Slurm to remove the jobs (a running job gets SIGTERM,
  // then SIGKILL KillWait seconds later) before giving up with an error.
  std::chrono::milliseconds cancel_wait{std::chrono::seconds(60)};
  // A Slurm command (sbatch, squeue, ...) taking longer than this is an error; so are squeue
  // failures lasting this long (shorter ones are retried at the next poll).
  std::chrono::milliseconds command_timeout{std::chrono::seconds(60)};
};

class SlurmExecutor : public Executor {
 public:
  explicit SlurmExecutor(SlurmExecutorOptions options) : options_(std::move(options)) {}
  std::vector<JobReport> run(const std::vector<FarmJob>& jobs, const JobObserver& observer) override;

 private:
  SlurmExecutorOptions options_;
};

// The batch script that runs `argv` and records its exit status in `status_file` (exposed for
// tests). Every word is quoted for /bin/sh.
std::string slurm_batch_script(const std::string& name, const std::vector<std::string>& argv,
                               const std::filesystem::path& status_file);

// The file a job's batch script writes its exit status into: `<log>.status`.
std::filesystem::path slurm_status_file(const std::filesystem::path& log);

}  // namespace lupine::farm
