// Pieces of run_process shared between its files (not part of the public API).
#pragma once

#include "common/process.h"

#include <sys/types.h>

#include <string>
#include <vector>

namespace lupine::process_detail {

// --- interrupt handling (process_signals.cpp) ---

// The read end of the pipe the signal handler writes to: readable once an interrupt was requested
// (it is never drained, so every waiting run_process sees it). -1 before the handlers exist.
int interrupt_fd();

// The signal that interrupted lupine, 0 when none.
int interrupt_signal();

// Counts the children running right now: while it is non-zero, SIGINT/SIGTERM/SIGHUP are turned
// into Interrupted instead of ending lupine at once.
class RunningChild {
 public:
  RunningChild();
  ~RunningChild();
  RunningChild(const RunningChild&) = delete;
  RunningChild& operator=(const RunningChild&) = delete;
};

// --- starting the child (process_spawn.cpp) ---

// What the child's fds 0, 1 and 2 become (-1: left as lupine's own).
struct ChildFds {
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
};

// Forks and execs `program` (an absolute or relative path, no PATH lookup) in a new process group
// with PR_SET_PDEATHSIG = SIGKILL. Returns the pid once exec succeeded; throws Error naming what
// failed (exec, chdir) otherwise. `envp` entries are "KEY=value".
pid_t spawn_child(const std::string& program, const std::vector<std::string>& argv,
                  const std::vector<std::string>& envp, const std::string& cwd, const ChildFds& fds,
                  const std::vector<int>& keep_fds);

}  // namespace lupine::process_detail
