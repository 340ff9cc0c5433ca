#include "cli/executor_flags.h"

#include "farm/local_executor.h"
#include "farm/slurm_executor.h"

#include <fmt/format.h>

namespace lupine::cli {

void ExecutorFlags::add_to(Command& command, const std::string& what, bool keep_going_flag) {
  command.add_option("-j,--jobs", jobs, fmt::format("{} at a time (local executor)", what))->capture_default_str();
  command.add_option("--executor", executor, "Where they run: local, or slurm (one Slurm job each)")
      ->check(one_of({"local", "slurm"}))
      ->capture_default_str();
  if (keep_going_flag)
    command.add_flag("--keep-going", keep_going,
                     "Go on after a failure: only what depends on it is not run (default: stop starting jobs "
                     "after the first failure)");
  command.add_option("--partition", partition, "Slurm partition (default: the cluster's default)");
  command.add_option("--cpus-per-task", cpus_per_task, "CPUs Slurm gives each job");
  command.add_option("--time-limit", time_limit, "Slurm time limit of each job (e.g. 2:00:00)");
}

std::unique_ptr<farm::Executor> ExecutorFlags::make() const {
  if (executor == "slurm") {
    farm::SlurmExecutorOptions slurm;
    slurm.partition = partition;
    slurm.cpus_per_task = cpus_per_task;
    slurm.time_limit = time_limit;
    slurm.keep_going = keep_going;
    return std::make_unique<farm::SlurmExecutor>(slurm);
  }
  farm::LocalExecutorOptions local;
  local.jobs = jobs;
  local.keep_going = keep_going;
  return std::make_unique<farm::LocalExecutor>(local);
}

}  // namespace lupine::cli
