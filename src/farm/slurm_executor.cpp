#include "farm/slurm_executor.h"

#include "builder/build/sandbox.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/process.h"
#include "farm/slurm_client.h"

#include <fmt/format.h>

#include <cctype>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <thread>

namespace lupine::farm {
namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

// How often squeue is asked while waiting for scancelled jobs to leave the queue.
constexpr auto cancel_poll = std::chrono::milliseconds(200);

// The shell's $? of a command killed by signal N is 128 + N.
std::string describe_exit_status(int status) {
  if (status > 128 && status <= 128 + 64)
    return fmt::format("killed by signal {} ({})", status - 128, strsignal(status - 128));
  return fmt::format("exit code {}", status);
}

std::optional<int> read_exit_status(const fs::path& file) {
  std::ifstream in(file);
  int status = 0;
  if (!(in >> status)) return std::nullopt;
  return status;
}

std::string file_name_part(const std::string& name) {
  std::string result;
  for (char c : name) {
    bool plain = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
    result += plain ? c : '_';
  }
  return result;
}

// One run(): the jobs, their Slurm ids and reports, and the steps of the run.
class SlurmRun {
 public:
  SlurmRun(const SlurmExecutorOptions& options, const std::vector<FarmJob>& jobs, const JobObserver& observer)
      : options_(options), jobs_(jobs), observer_(observer), client_(options.command_timeout),
        ids_(jobs.size()), reports_(jobs.size()) {}

  std::vector<JobReport> run() {
    try {
      check_jobs();
      submit_all();
      if (!interrupt_requested()) wait_until_all_ended();
      if (interrupt_requested()) {
        cancel_own_jobs();
        for (size_t i = 0; i < jobs_.size(); ++i) {
          if (ended(i)) continue;
          // A job that finished its work before the scancel reached it keeps its success.
          if (!ids_[i].empty() && read_exit_status(slurm_status_file(fs::absolute(jobs_[i].log))) == 0) {
            mark_running(i);
            end(i, JobState::succeeded, "");
          } else {
            end(i, JobState::cancelled, "interrupted");
          }
        }
      } else {
        // Every job has ended in lupine's view; make sure Slurm agrees (a job our own scancel
        // ended is gone at once, but nothing of ours may stay behind).
        if (!client_.live(submitted_ids()).empty()) cancel_own_jobs();
      }
    } catch (...) {
      cancel_own_jobs_quietly();
      throw;
    }
    return reports_;
  }

 private:
  bool ended(size_t i) const {
    auto state = reports_[i].state;
    return state != JobState::queued && state != JobState::running;
  }

  void notify(size_t i) {
    if (observer_) observer_(i, reports_[i]);
  }

  void mark_running(size_t i) {
    if (reports_[i].state != JobState::queued) return;
    reports_[i].state = JobState::running;
    reports_[i].started = Clock::now();
    notify(i);
  }

  void end(size_t i, JobState state, std::string detail) {
    reports_[i].state = state;
    reports_[i].detail = std::move(detail);
    reports_[i].ended = Clock::now();
    if (reports_[i].started == Clock::time_point{}) reports_[i].started = reports_[i].ended;
    notify(i);
  }

  // The job that keeps `i` from running: a failed prerequisite, or the job a blocked one waited
  // for (as the local executor reports it: the name of the job that failed).
  std::string blocker_of(size_t i) const {
    for (size_t a : jobs_[i].after) {
      if (reports_[a].state == JobState::failed) return jobs_[a].name;
      if (reports_[a].state == JobState::blocked) return reports_[a].detail;
    }
    return "a prerequisite that did not succeed";
  }

  std::vector<std::string> unfinished_ids() const {
    std::vector<std::string> ids;
    for (size_t i = 0; i < jobs_.size(); ++i)
      if (!ended(i)) ids.push_back(ids_[i]);
    return ids;
  }

  std::vector<std::string> submitted_ids() const {
    std::vector<std::string> ids;
    for (const auto& id : ids_)
      if (!id.empty()) ids.push_back(id);
    return ids;
  }

  void check_jobs() const {
    for (size_t i = 0; i < jobs_.size(); ++i) {
      if (jobs_[i].argv.empty()) fail("farm job {}: no command", jobs_[i].name);
      if (jobs_[i].log.empty()) fail("farm job {}: no log file", jobs_[i].name);
      for (size_t a : jobs_[i].after)
        if (a >= i) fail("farm job {} waits for job {}, which does not come before it", jobs_[i].name, a);
    }
  }

  void submit_all() {
    const fs::path cwd = fs::current_path();
    if (!options_.script_dir.empty()) fs::create_directories(options_.script_dir);
    for (size_t i = 0; i < jobs_.size(); ++i) {
      if (interrupt_requested()) return;
      const FarmJob& job = jobs_[i];
      fs::path log = fs::absolute(job.log);
      fs::create_directories(log.parent_path());
      fs::path status_file = slurm_status_file(log);
      // Nothing of an earlier run may be taken for this one's result (a blocked job never writes).
      fs::remove(log);
      fs::remove(status_file);
      fs::path script = options_.script_dir.empty()
                            ? fs::path(log.string() + ".sbatch")
                            : options_.script_dir / fmt::format("{}-{}.sbatch", i, file_name_part(job.name));
      write_file_atomic(script, slurm_batch_script(job.name, job.argv, status_file));

      SlurmSubmission submission;
      submission.job_name = job.name;
      submission.script = script;
      submission.output = log;
      submission.chdir = cwd;
      for (size_t a : job.after) submission.after_ok.push_back(ids_[a]);
      submission.partition = options_.partition;
      submission.cpus_per_task = options_.cpus_per_task;
      submission.time_limit = options_.time_limit;
      ids_[i] = client_.submit(submission);
      reports_[i].id = ids_[i];
      notify(i);  // queued
    }
  }

  void wait_until_all_ended() {
    auto last_answer = Clock::now();
    bool stopped_after_failure = false;
    while (true) {
      std::vector<std::string> unfinished = unfinished_ids();
      if (unfinished.empty()) return;
      if (wait_for_interrupt(options_.poll_interval)) return;
      try {
        poll_once(unfinished);
        last_answer = Clock::now();
      } catch (const Interrupted&) {
        throw;
      } catch (const Error&) {
        // slurmctld may be briefly busy or restarting; only a lasting failure ends the run.
        if (Clock::now() - last_answer > options_.command_timeout) throw;
        continue;
      }
      if (!options_.keep_going && !stopped_after_failure && any_failed()) {
        stopped_after_failure = true;
        cancel_not_started("not started after a failure");
      }
    }
  }

  bool any_failed() const {
    for (const auto& report : reports_)
      if (report.state == JobState::failed) return true;
    return false;
  }

  void poll_once(const std::vector<std::string>& unfinished) {
    std::map<std::string, SlurmJobStatus> live = client_.live(unfinished);
    std::vector<size_t> never_satisfied;
    // In list order: a prerequisite's end is known before its dependents are looked at.
    for (size_t i = 0; i < jobs_.size(); ++i) {
      if (ended(i)) continue;
      auto found = live.find(ids_[i]);
      if (found == live.end()) {
        finish(i);
        continue;
      }
      const SlurmJobStatus& status = found->second;
      if (status.state == "PENDING") {
        // --kill-on-invalid-dep should have cancelled it; if Slurm did not, lupine does.
        if (status.reason == "DependencyNeverSatisfied") never_satisfied.push_back(i);
      } else {
        mark_running(i);  // RUNNING, COMPLETING, CONFIGURING, SUSPENDED...
      }
    }
    if (!never_satisfied.empty()) {
      std::vector<std::string> ids;
      for (size_t i : never_satisfied) ids.push_back(ids_[i]);
      client_.cancel(ids);
      for (size_t i : never_satisfied) end(i, JobState::blocked, blocker_of(i));
    }
  }

  // Job `i` has left the queue: its result from its status file, else from Slurm's record.
  void finish(size_t i) {
    if (auto status = read_exit_status(slurm_status_file(fs::absolute(jobs_[i].log)))) {
      mark_running(i);
      if (*status == 0) {
        end(i, JobState::succeeded, "");
      } else {
        end(i, JobState::failed, describe_exit_status(*status));
      }
      return;
    }
    SlurmJobStatus slurm;
    if (!client_.show(ids_[i], slurm)) {
      end(i, JobState::failed,
          fmt::format("Slurm job {} ended without an exit status, and Slurm no longer knows it", ids_[i]));
      return;
    }
    if (slurm.live()) return;  // requeued in between: looked at again at the next poll
    if (slurm.state == "CANCELLED" && slurm.reason == "DependencyNeverSatisfied") {
      end(i, JobState::blocked, blocker_of(i));
    } else if (slurm.state == "COMPLETED") {
      mark_running(i);
      end(i, JobState::succeeded, "");
    } else if (slurm.state == "TIMEOUT") {
      end(i, JobState::failed, fmt::format("time limit reached (Slurm job {}: TIMEOUT)", ids_[i]));
    } else if (slurm.state == "CANCELLED") {
      end(i, JobState::failed,
          fmt::format("cancelled outside lupine (Slurm job {}: CANCELLED, {})", ids_[i], slurm.reason));
    } else {
      std::string how = slurm.exit_signal != 0 ? describe_exit_status(128 + slurm.exit_signal)
                                               : describe_exit_status(slurm.exit_code);
      end(i, JobState::failed, fmt::format("{} (Slurm job {}: {}, {})", how, ids_[i], slurm.state, slurm.reason));
    }
  }

  // Without keep_going: the jobs still pending are cancelled; running ones finish.
  void cancel_not_started(const std::string& detail) {
    std::map<std::string, SlurmJobStatus> live = client_.live(unfinished_ids());
    std::vector<size_t> pending;
    std::vector<std::string> pending_ids;
    for (size_t i = 0; i < jobs_.size(); ++i) {
      if (ended(i)) continue;
      auto found = live.find(ids_[i]);
      if (found != live.end() && found->second.state == "PENDING") {
        pending.push_back(i);
        pending_ids.push_back(ids_[i]);
      }
    }
    client_.cancel(pending_ids);
    for (size_t i : pending) end(i, JobState::cancelled, detail);
  }

  // scancel every job this run submitted (for those already ended it does nothing) and wait until
  // Slurm has removed them all from the queue.
  void cancel_own_jobs() {
    std::vector<std::string> ids = submitted_ids();
    if (ids.empty()) return;
    client_.cancel(ids);
    auto deadline = Clock::now() + options_.cancel_wait;
    std::string last_error;
    while (true) {
      try {
        auto live = client_.live(ids);
        if (live.empty()) return;
        last_error = fmt::format("{} of them still queued", live.size());
      } catch (const Error& error) {
        last_error = error.what();
      }
      if (Clock::now() >= deadline)
        fail("Slurm jobs of this run were cancelled but did not leave the queue within {} s ({})",
             std::chrono::duration_cast<std::chrono::seconds>(options_.cancel_wait).count(), last_error);
      std::this_thread::sleep_for(cancel_poll);
    }
  }

  void cancel_own_jobs_quietly() noexcept {
    try {
      cancel_own_jobs();
    } catch (...) {
      // The original exception is the one worth reporting.
    }
  }

  const SlurmExecutorOptions& options_;
  const std::vector<FarmJob>& jobs_;
  const JobObserver& observer_;
  SlurmClient client_;
  std::vector<std::string> ids_;  // "" until submitted
  std::vector<JobReport> reports_;
};

}  // namespace

fs::path slurm_status_file(const fs::path& log) { return fs::path(log.string() + ".status"); }

std::string slurm_batch_script(const std::string& name, const std::vector<std::string>& argv,
                               const fs::path& status_file) {
  std::string command;
  for (const auto& word : argv) command += (command.empty() ? "" : " ") + builder::shell_quote(word);
  fs::path partial = fs::path(status_file.string() + ".partial");
  std::string label;
  for (char c : name) label += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  // Not `exec`: the shell stays to record the exit status. A scancel signals every process of
  // the job, the shell included, so a cancelled job leaves no status file and ends CANCELLED.
  return fmt::format(
      "#!/bin/sh\n"
      "# lupine farm job {}. The exit status goes into a file beside the log before the job ends:\n"
      "# lupine reads it even after Slurm has forgotten the job.\n"
      "{}\n"
      "status=$?\n"
      "printf '%s\\n' \"$status\" > {} && mv -f {} {}\n"
      "exit \"$status\"\n",
      label, command, builder::shell_quote(partial.string()), builder::shell_quote(partial.string()),
      builder::shell_quote(status_file.string()));
}

std::vector<JobReport> SlurmExecutor::run(const std::vector<FarmJob>& jobs, const JobObserver& observer) {
  // Signals only set interrupt_requested() while this lives, also between two Slurm commands.
  InterruptGuard guard;
  SlurmRun run(options_, jobs, observer);
  return run.run();
}

}  // namespace lupine::farm
