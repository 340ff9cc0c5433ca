// A thin wrapper over Slurm's commands (sbatch, squeue, scontrol, scancel), run as processes:
// lupine does not link libslurm, whose API changes with every Slurm release while the commands'
// options and output formats stay put. Every error names the command, its exit code and stderr.
//
// Every command runs as a cleanup command (ProcessOptions::cleanup): an interrupt does not kill
// it half-way. That matters most for sbatch — killed mid-submission, a job could be queued without
// lupine ever learning its id, and then nothing would cancel it. Callers check
// interrupt_requested() between commands; each command is bounded by the client's timeout.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace lupine::farm {

// One `sbatch` call.
struct SlurmSubmission {
  std::string job_name;              // whitespace is replaced (scontrol's output is space-separated)
  std::filesystem::path script;      // the batch script (its first line a #! line)
  std::filesystem::path output;      // stdout and stderr of the job (absolute; '%' is kept literal)
  std::filesystem::path chdir;       // the job's working directory; empty: lupine's own
  std::vector<std::string> after_ok; // Slurm ids that must end successfully first
  std::string partition;             // empty: the cluster's default
  unsigned cpus_per_task = 0;        // 0: Slurm's default (1)
  std::string time_limit;            // sbatch --time syntax ("30", "2:00:00", "1-0"); empty: none
};

// What Slurm says about one job.
struct SlurmJobStatus {
  std::string state;   // JobState: PENDING, RUNNING, COMPLETING, COMPLETED, FAILED, CANCELLED, TIMEOUT, ...
  std::string reason;  // Reason: "None", "Dependency", "DependencyNeverSatisfied", "NonZeroExitCode", ...
  int exit_code = 0;   // ended jobs (scontrol's ExitCode=code:signal)
  int exit_signal = 0;

  // Still in the queue (pending, running, completing, suspended, ...): not one of the end states.
  bool live() const;
};

class SlurmClient {
 public:
  explicit SlurmClient(std::chrono::milliseconds command_timeout = std::chrono::seconds(60))
      : timeout_(command_timeout) {}

  // Submits one batch job with the submitter's whole environment (--export=ALL); returns its id.
  // With after_ok, --dependency=afterok:... and --kill-on-invalid-dep=yes: a job whose
  // prerequisite failed is cancelled by Slurm (Reason=DependencyNeverSatisfied) instead of
  // pending forever.
  std::string submit(const SlurmSubmission& submission) const;

  // The states of `ids`: live jobs from squeue, ended ones from `scontrol show job`. Jobs Slurm no
  // longer knows (ended longer ago than MinJobAge, or never existed) are absent from the result.
  std::map<std::string, SlurmJobStatus> states(const std::vector<std::string>& ids) const;

  // The subset of `ids` still in the queue, with their squeue state and reason (one squeue call
  // per thousand ids).
  std::map<std::string, SlurmJobStatus> live(const std::vector<std::string>& ids) const;

  // One job's record from `scontrol show job`; false when Slurm does not know it.
  bool show(const std::string& id, SlurmJobStatus& status) const;

  // scancel: ids already ended or unknown are not an error.
  void cancel(const std::vector<std::string>& ids) const;

 private:
  std::chrono::milliseconds timeout_;
};

// The sbatch command line for `submission`, without the script (exposed for tests).
std::vector<std::string> sbatch_arguments(const SlurmSubmission& submission);

// Parses one line of `scontrol show job -o` (Key=Value pairs separated by spaces).
SlurmJobStatus parse_scontrol_job(const std::string& line);

}  // namespace lupine::farm
