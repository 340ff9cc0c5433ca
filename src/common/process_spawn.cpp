// fork + exec of one child: new process group, parent-death signal, fds, cwd; exec errors are sent
// back through a close-on-exec pipe so the caller gets a real message instead of exit code 127.
#include "common/process_internal.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

namespace lupine::process_detail {
namespace {

enum class Stage : int { setup, chdir, exec };

struct ChildFailure {
  Stage stage;
  int error;
};

[[noreturn]] void child_fail(int report_fd, Stage stage) {
  ChildFailure failure{stage, errno};
  [[maybe_unused]] ssize_t ignored = write(report_fd, &failure, sizeof failure);
  _exit(127);
}

// Runs in the child between fork and exec: only async-signal-safe calls (lupine may have threads).
[[noreturn]] void exec_child(pid_t parent, int report_fd, const char* program, char* const* argv,
                             char* const* envp, const char* cwd, const ChildFds& fds,
                             const std::vector<int>& keep_fds) {
  setpgid(0, 0);
  // Killed with lupine; checked against the race where lupine died before prctl ran.
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) child_fail(report_fd, Stage::setup);
  if (getppid() != parent) _exit(127);

  // Signals lupine handles or ignores go back to their defaults, then the mask is restored.
  for (int signal_number : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGCHLD}) {
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    sigaction(signal_number, &action, nullptr);
  }
  sigset_t empty;
  sigemptyset(&empty);
  sigprocmask(SIG_SETMASK, &empty, nullptr);

  if (fds.stdin_fd >= 0 && dup2(fds.stdin_fd, 0) < 0) child_fail(report_fd, Stage::setup);
  if (fds.stdout_fd >= 0 && dup2(fds.stdout_fd, 1) < 0) child_fail(report_fd, Stage::setup);
  if (fds.stderr_fd >= 0 && dup2(fds.stderr_fd, 2) < 0) child_fail(report_fd, Stage::setup);
  // Whatever lupine has open (other builds' pipes, sockets) must not leak into the child.
#ifdef SYS_close_range
  syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */);
#endif
  for (int fd : keep_fds) fcntl(fd, F_SETFD, 0);
  if (*cwd != '\0' && chdir(cwd) != 0) child_fail(report_fd, Stage::chdir);
  execve(program, argv, envp);
  child_fail(report_fd, Stage::exec);
}

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> result;
  result.reserve(strings.size() + 1);
  for (const auto& s : strings) result.push_back(const_cast<char*>(s.c_str()));
  result.push_back(nullptr);
  return result;
}

}  // namespace

pid_t spawn_child(const std::string& program, const std::vector<std::string>& argv,
                  const std::vector<std::string>& envp, const std::string& cwd, const ChildFds& fds,
                  const std::vector<int>& keep_fds) {
  auto argv_c = c_strings(argv);
  auto envp_c = c_strings(envp);
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) fail_errno("cannot create a pipe");

  // All signals blocked across fork: the child must not run lupine's handlers.
  sigset_t all, old_mask;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old_mask);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    close(report[0]);
    exec_child(parent, report[1], program.c_str(), argv_c.data(), envp_c.data(), cwd.c_str(), fds,
               keep_fds);
  }
  int fork_errno = errno;
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  close(report[1]);
  if (pid < 0) {
    close(report[0]);
    errno = fork_errno;
    fail_errno("cannot start " + program);
  }
  // Also set from this side, so that killing the group right away cannot miss the child.
  setpgid(pid, pid);

  ChildFailure failure{};
  ssize_t got;
  do {
    got = read(report[0], &failure, sizeof failure);
  } while (got < 0 && errno == EINTR);
  close(report[0]);
  if (got <= 0) return pid;  // EOF: exec succeeded (the pipe was closed on exec)

  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {}
  const char* reason = std::strerror(failure.error);
  switch (failure.stage) {
    case Stage::chdir: fail("cannot run {}: cannot change to directory {}: {}", program, cwd, reason);
    case Stage::exec: fail("cannot run {}: {}", program, reason);
    case Stage::setup: break;
  }
  fail("cannot run {}: setting up the child process failed: {}", program, reason);
}

}  // namespace lupine::process_detail
