// Where a farm command's jobs run — `farm build` and `farm verify-rebuild` take the same flags:
//   -j N --executor local|slurm --keep-going --partition P --cpus-per-task N --time-limit T
#pragma once

#include "cli/command.h"
#include "farm/executor.h"

#include <memory>
#include <string>

namespace lupine::cli {

struct ExecutorFlags {
  unsigned jobs = 1;
  std::string executor = "local";
  bool keep_going = false;
  std::string partition;
  unsigned cpus_per_task = 0;
  std::string time_limit;

  // `what` names the jobs in the help ("Builds", "Rebuilds"); without `keep_going_flag` every job
  // runs whatever others did (keep_going stays as set).
  void add_to(Command& command, const std::string& what, bool keep_going_flag);
  std::unique_ptr<farm::Executor> make() const;
};

}  // namespace lupine::cli
