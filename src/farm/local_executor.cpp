#include "farm/local_executor.h"

#include "common/process.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

namespace lupine::farm {
namespace {

using Clock = std::chrono::steady_clock;

struct Finished {
  size_t job;
  JobState state;
  std::string detail;
};

// What one worker thread does: run the job's process to its end, however it ends.
Finished run_one(size_t index, const FarmJob& job, std::chrono::milliseconds grace) {
  try {
    std::error_code error;
    std::filesystem::create_directories(job.log.parent_path(), error);
    ProcessOptions process;
    process.argv = job.argv;
    process.stdout_to = OutputTarget::file(job.log);
    process.stderr_to = OutputTarget::file(job.log);
    process.interrupt_grace = grace;
    ProcessResult result = run_process(process);
    if (result.success()) return {index, JobState::succeeded, ""};
    return {index, JobState::failed, result.describe()};
  } catch (const Interrupted&) {
    return {index, JobState::cancelled, "interrupted"};
  } catch (const std::exception& failure) {
    return {index, JobState::failed, failure.what()};
  }
}

}  // namespace

std::vector<JobReport> LocalExecutor::run(const std::vector<FarmJob>& jobs, const JobObserver& observer) {
  InterruptGuard guard;  // a signal between two jobs must not end lupine with jobs half done
  const size_t count = jobs.size();
  const unsigned slots = std::max(1u, options_.jobs);
  std::vector<JobReport> reports(count);
  std::vector<size_t> waiting(count, 0);
  std::vector<std::vector<size_t>> dependents(count);
  for (size_t i = 0; i < count; ++i) {
    std::set<size_t> prerequisites(jobs[i].after.begin(), jobs[i].after.end());
    waiting[i] = prerequisites.size();
    for (size_t p : prerequisites) dependents[p].push_back(i);
  }

  // Ready jobs, highest priority first, then in list order.
  auto before = [&](size_t a, size_t b) {
    if (jobs[a].priority != jobs[b].priority) return jobs[a].priority > jobs[b].priority;
    return a < b;
  };
  std::set<size_t, decltype(before)> ready(before);
  for (size_t i = 0; i < count; ++i)
    if (waiting[i] == 0) ready.insert(i);

  std::mutex mutex;
  std::condition_variable wake;
  std::deque<Finished> finished;
  std::vector<std::thread> threads(count);  // by job: joined as soon as its job has ended
  size_t running = 0, ended = 0;
  bool stop_starting = false;

  auto end_job = [&](size_t i, JobState state, std::string detail) {
    reports[i].state = state;
    reports[i].detail = std::move(detail);
    reports[i].ended = Clock::now();
    ++ended;
    if (observer) observer(i, reports[i]);
  };
  // Everything that (transitively) waits for `failed` never runs.
  auto block_dependents = [&](size_t failed) {
    std::vector<size_t> stack(dependents[failed].begin(), dependents[failed].end());
    while (!stack.empty()) {
      size_t i = stack.back();
      stack.pop_back();
      if (reports[i].state != JobState::queued) continue;
      ready.erase(i);
      end_job(i, JobState::blocked, jobs[failed].name);
      stack.insert(stack.end(), dependents[i].begin(), dependents[i].end());
    }
  };

  try {
    while (ended < count) {
      while (!stop_starting && !interrupt_requested() && running < slots && !ready.empty()) {
        size_t i = *ready.begin();
        ready.erase(ready.begin());
        reports[i].state = JobState::running;
        reports[i].started = Clock::now();
        if (observer) observer(i, reports[i]);
        ++running;
        threads[i] = std::thread([&, i] {
          Finished done = run_one(i, jobs[i], options_.interrupt_grace);
          std::lock_guard lock(mutex);
          finished.push_back(std::move(done));
          wake.notify_one();
        });
      }
      if (running == 0) {
        // Nothing runs and nothing more may start: an interrupt or a failure without keep_going.
        for (size_t i = 0; i < count; ++i)
          if (reports[i].state == JobState::queued)
            end_job(i, JobState::cancelled, interrupt_requested() ? "interrupted" : "not started after a failure");
        break;
      }
      std::deque<Finished> batch;
      {
        std::unique_lock lock(mutex);
        wake.wait(lock, [&] { return !finished.empty(); });
        batch.swap(finished);
      }
      for (Finished& done : batch) {
        threads[done.job].join();  // it has only to return: a tree of thousands keeps no idle stacks
        --running;
        end_job(done.job, done.state, std::move(done.detail));
        if (done.state == JobState::succeeded) {
          for (size_t d : dependents[done.job])
            if (--waiting[d] == 0 && reports[d].state == JobState::queued) ready.insert(d);
        } else if (done.state == JobState::failed) {
          block_dependents(done.job);
          if (!options_.keep_going) stop_starting = true;
        }  // cancelled: interrupted; what waits for it ends cancelled below
      }
    }
  } catch (...) {
    // The observer threw: the running processes are ended by their run_process only when lupine is
    // interrupted, so wait for them (threads must not outlive their captured state).
    for (auto& thread : threads)
      if (thread.joinable()) thread.join();
    throw;
  }
  for (auto& thread : threads)
    if (thread.joinable()) thread.join();
  return reports;
}

}  // namespace lupine::farm
