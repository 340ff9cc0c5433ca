// The local executor: up to N jobs at a time on this machine, each a process (run_process: its
// own process group, killed with lupine). A job starts once all its prerequisites succeeded; among
// ready jobs the one with the highest priority (longest remaining chain) starts first, which keeps
// the critical path moving. Without keep_going, the first failure stops new jobs from starting:
// those already running finish, the rest end `cancelled`.
#pragma once

#include "farm/executor.h"

#include <chrono>

namespace lupine::farm {

struct LocalExecutorOptions {
  unsigned jobs = 1;                            // at most this many at a time (0 = 1)
  bool keep_going = true;                       // false: stop starting jobs after a failure
  std::chrono::milliseconds interrupt_grace{10000};  // SIGTERM, then this long, then SIGKILL
};

class LocalExecutor : public Executor {
 public:
  explicit LocalExecutor(LocalExecutorOptions options) : options_(options) {}
  std::vector<JobReport> run(const std::vector<FarmJob>& jobs, const JobObserver& observer) override;

 private:
  LocalExecutorOptions options_;
};

}  // namespace lupine::farm
