// An interactive shell in a build's sandbox (`lupine build --interactive`): bwrap run directly on
// lupine's terminal, in lupine's process group, so that the shell can read the terminal (a
// background group would be stopped by SIGTTIN) and ^C reaches the shell, not the build.
#include "builder/build/sandbox.h"
#include "builder/build/sandbox_idmap.h"

#include "builder/build/sandbox_check.h"
#include "common/error.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <optional>

#include <cerrno>

namespace lupine::builder {
namespace {

// SIGINT and SIGQUIT ignored by lupine while it lives; restored after.
class IgnoredTerminalSignals {
 public:
  IgnoredTerminalSignals() {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGINT, &ignore, &saved_int_);
    sigaction(SIGQUIT, &ignore, &saved_quit_);
  }
  ~IgnoredTerminalSignals() {
    sigaction(SIGINT, &saved_int_, nullptr);
    sigaction(SIGQUIT, &saved_quit_, nullptr);
  }
  IgnoredTerminalSignals(const IgnoredTerminalSignals&) = delete;
  IgnoredTerminalSignals& operator=(const IgnoredTerminalSignals&) = delete;

 private:
  struct sigaction saved_int_ {};
  struct sigaction saved_quit_ {};
};

}  // namespace

int run_shell_in_sandbox(const SandboxSpec& spec, const std::vector<std::string>& shell) {
  const SandboxSupport& support = require_sandbox(spec.bwrap);
  SandboxSpec resolved = spec;
  resolved.bwrap = support.bwrap;
  resolved.terminal = true;
  if (resolved.env.find("PS1") == resolved.env.end()) resolved.env["PS1"] = "[lupine sandbox] \\w # ";
  // As root, ids beyond 0 are mapped too, as in the steps (sandbox_idmap.h).
  std::optional<SandboxIdMap> id_map;
  if (::geteuid() == 0 && !spec.run_as) id_map.emplace();
  std::vector<std::string> command = bwrap_command(resolved, shell, id_map ? &*id_map : nullptr);
  std::vector<int> keep = id_map ? id_map->child_fds() : std::vector<int>{};
  // Everything the child needs is made before fork: between fork and exec only async-signal-safe calls.
  std::vector<char*> argv;
  for (auto& argument : command) argv.push_back(argument.data());
  argv.push_back(nullptr);

  IgnoredTerminalSignals ignored;
  if (id_map) id_map->start();
  pid_t pid = fork();
  if (pid < 0) fail_errno("cannot start a shell in the sandbox");
  if (pid == 0) {
    struct sigaction standard {};
    standard.sa_handler = SIG_DFL;
    sigemptyset(&standard.sa_mask);
    sigaction(SIGINT, &standard, nullptr);
    sigaction(SIGQUIT, &standard, nullptr);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    for (int fd : keep) fcntl(fd, F_SETFD, 0);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) fail_errno("waiting for the sandbox's shell");
  }
  if (id_map) id_map->finished();
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

}  // namespace lupine::builder
