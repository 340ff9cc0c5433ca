// run_process: start the child, stream its output, enforce the time limit, and make sure its whole
// process group is gone before returning or throwing.
#include "common/process.h"
#include "common/process_internal.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <algorithm>

extern char** environ;

namespace lupine {
namespace {

using Clock = std::chrono::steady_clock;
using process_detail::ChildFds;

constexpr const char* default_path_list = "/usr/local/bin:/usr/bin:/bin";
// After the child exited and its group was killed, output still buffered in the pipes is read for
// at most this long (a process that left the group with setsid could keep them open forever).
constexpr auto drain_limit = std::chrono::seconds(2);
// Line-buffered output without a newline is handed over in pieces of at most this size.
constexpr size_t max_line = 64 * 1024;

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = other.release();
    }
    return *this;
  }
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// One output stream of the child: the parent's end of its pipe and what to do with the data.
struct Reader {
  explicit Reader(OutputStream which) : stream(which) {}
  OutputStream stream;
  Fd fd;
  std::string* capture = nullptr;     // OutputTarget::capture
  const OutputCallback* callback = nullptr;
  bool lines = false;
  std::string partial;  // line mode: text after the last '\n'

  void deliver(std::string_view data) {
    if (capture) {
      capture->append(data);
      return;
    }
    if (!lines) {
      (*callback)(stream, data);
      return;
    }
    partial.append(data);
    size_t start = 0;
    for (size_t newline; (newline = partial.find('\n', start)) != std::string::npos; start = newline + 1)
      (*callback)(stream, std::string_view(partial).substr(start, newline - start));
    partial.erase(0, start);
    if (partial.size() >= max_line) {
      (*callback)(stream, partial);
      partial.clear();
    }
  }

  void finish() {
    fd.reset();
    if (lines && !partial.empty()) (*callback)(stream, partial);
    partial.clear();
  }

  // Reads what is available; false at EOF.
  bool read_some() {
    char buffer[65536];
    ssize_t got = read(fd.get(), buffer, sizeof buffer);
    if (got > 0) {
      deliver(std::string_view(buffer, static_cast<size_t>(got)));
      return true;
    }
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    return false;
  }
};

// Owns the running child: whatever happens, the group is killed and the child reaped exactly once.
class Child {
 public:
  explicit Child(pid_t pid) : pid_(pid) {
#ifdef SYS_pidfd_open
    pidfd_ = Fd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
#endif
  }
  ~Child() {
    if (!reaped_) {
      kill_group();
      reap();
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  int pidfd() const { return pidfd_.get(); }
  // The pid (and so the group id) stays reserved until reap(): no risk of signalling a stranger.
  void kill_group() const { kill(-pid_, SIGKILL); }
  void terminate_group() const { kill(-pid_, SIGTERM); }

  // True when the child has exited (it stays a zombie until reap()).
  bool exited() const {
    siginfo_t info{};
    return waitid(P_PID, pid_, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid_;
  }

  int reap() {
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {}
    reaped_ = true;
    pidfd_.reset();
    return status;
  }

 private:
  pid_t pid_;
  Fd pidfd_;
  bool reaped_ = false;
};

std::vector<std::string> environment_of(const ProcessOptions& options) {
  Environment merged;
  if (options.inherit_env) {
    for (char** entry = environ; *entry; ++entry) {
      std::string_view text(*entry);
      auto equals = text.find('=');
      if (equals == std::string_view::npos) continue;
      merged.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
    }
  }
  for (const auto& [key, value] : options.env) merged[key] = value;
  std::vector<std::string> result;
  result.reserve(merged.size());
  for (const auto& [key, value] : merged) result.push_back(key + "=" + value);
  return result;
}

std::string path_list_of(const ProcessOptions& options) {
  if (auto it = options.env.find("PATH"); it != options.env.end()) return it->second;
  return options.inherit_env ? current_path_list() : default_path_list;
}

Fd open_output_file(const OutputTarget& target) {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (target.append ? O_APPEND : O_TRUNC);
  int fd = open(target.path.c_str(), flags, 0644);
  if (fd < 0) fail_errno("cannot open " + target.path.string());
  return Fd(fd);
}

Fd open_dev_null(int flags) {
  int fd = open("/dev/null", flags | O_CLOEXEC);
  if (fd < 0) fail_errno("cannot open /dev/null");
  return Fd(fd);
}

// The child's side of one output stream, and (for pipes) lupine's side in `reader`.
Fd prepare_output(const OutputTarget& target, Reader& reader, std::string* capture,
                  const ProcessOptions& options) {
  switch (target.kind) {
    case OutputTarget::Kind::inherit: return Fd();
    case OutputTarget::Kind::discard: return open_dev_null(O_WRONLY);
    case OutputTarget::Kind::file: return open_output_file(target);
    case OutputTarget::Kind::capture:
    case OutputTarget::Kind::callback: break;
  }
  if (target.kind == OutputTarget::Kind::callback) {
    if (!options.on_output) fail("run_process: OutputTarget::callback without on_output");
    reader.callback = &options.on_output;
    reader.lines = options.line_buffered;
  } else {
    reader.capture = capture;
  }
  int ends[2];
  if (pipe2(ends, O_CLOEXEC) != 0) fail_errno("cannot create a pipe");
  fcntl(ends[0], F_SETFL, O_NONBLOCK);
  reader.fd = Fd(ends[0]);
  return Fd(ends[1]);
}

std::string format_seconds(std::chrono::nanoseconds duration) {
  return fmt::format("{:.1f} s", std::chrono::duration<double>(duration).count());
}

}  // namespace

std::string ProcessResult::describe() const {
  if (timed_out) return "timed out after " + format_seconds(elapsed);
  if (signal != 0) return fmt::format("killed by signal {} ({})", signal, strsignal(signal));
  return fmt::format("exit code {}", exit_code);
}

std::string current_path_list() {
  const char* path = std::getenv("PATH");
  return path && *path ? path : default_path_list;
}

std::string find_program(std::string_view program, std::string_view path_list) {
  if (program.empty()) return {};
  if (program.find('/') != std::string_view::npos) return std::string(program);
  size_t start = 0;
  while (start <= path_list.size()) {
    size_t colon = path_list.find(':', start);
    if (colon == std::string_view::npos) colon = path_list.size();
    std::string dir(path_list.substr(start, colon - start));
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + std::string(program);
    struct stat info {};
    if (stat(candidate.c_str(), &info) == 0 && S_ISREG(info.st_mode) && access(candidate.c_str(), X_OK) == 0)
      return candidate;
    start = colon + 1;
  }
  return {};
}

ProcessResult run_process(const ProcessOptions& options) {
  if (options.argv.empty()) fail("run_process: empty argv");
  install_interrupt_handlers();
  if (int signal_number = process_detail::interrupt_signal(); signal_number != 0 && !options.cleanup)
    throw Interrupted(signal_number);

  std::string program = find_program(options.argv[0], path_list_of(options));
  if (program.empty()) fail("cannot run {}: not found in PATH ({})", options.argv[0], path_list_of(options));

  ProcessResult result;
  Reader out_reader(OutputStream::out), err_reader(OutputStream::err);
  Fd stdin_fd = open_dev_null(O_RDONLY);
  Fd child_out = prepare_output(options.stdout_to, out_reader, &result.out, options);
  Fd child_err;
  bool same_file = options.stdout_to.kind == OutputTarget::Kind::file &&
                   options.stderr_to.kind == OutputTarget::Kind::file &&
                   options.stdout_to.path == options.stderr_to.path;
  if (same_file) {
    child_err = Fd(fcntl(child_out.get(), F_DUPFD_CLOEXEC, 3));  // one file offset for both
  } else {
    child_err = prepare_output(options.stderr_to, err_reader, &result.err, options);
  }

  process_detail::RunningChild running;
  auto started = Clock::now();
  ChildFds fds{stdin_fd.get(), child_out.get(), child_err.get()};
  Child child(process_detail::spawn_child(program, options.argv, environment_of(options),
                                          options.cwd.string(), fds, options.keep_fds));
  stdin_fd.reset();
  child_out.reset();
  child_err.reset();

  // time_point::max(): no time limit (yet).
  auto deadline = options.timeout.count() > 0 ? started + options.timeout : Clock::time_point::max();
  auto drain_deadline = Clock::time_point::max();
  bool child_done = false;
  int interrupted_by = 0;

  while (true) {
    if (!child_done && child.exited()) {
      // Whatever the child left running in its group goes with it.
      child.kill_group();
      int status = child.reap();
      child_done = true;
      if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
      if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
      result.elapsed = Clock::now() - started;
      drain_deadline = Clock::now() + drain_limit;
    }
    bool readers_open = out_reader.fd.get() >= 0 || err_reader.fd.get() >= 0;
    if (child_done && (!readers_open || Clock::now() >= drain_deadline)) break;

    auto now = Clock::now();
    if (!child_done && now >= deadline) {
      // Past the grace an interrupt gave, or past the time limit.
      if (interrupted_by == 0) result.timed_out = true;
      child.kill_group();
      deadline = Clock::time_point::max();
    }

    std::vector<pollfd> polled;
    for (Reader* reader : {&out_reader, &err_reader})
      if (reader->fd.get() >= 0) polled.push_back({reader->fd.get(), POLLIN, 0});
    if (!child_done && child.pidfd() >= 0) polled.push_back({child.pidfd(), POLLIN, 0});
    if (!child_done && interrupted_by == 0 && !options.cleanup && process_detail::interrupt_fd() >= 0)
      polled.push_back({process_detail::interrupt_fd(), POLLIN, 0});

    // Without a pidfd (old kernels) the child's exit is noticed by polling every 20 ms.
    auto wait = std::chrono::milliseconds(child.pidfd() >= 0 || child_done ? 1000 : 20);
    auto limit = std::min(child_done ? drain_deadline : deadline, now + wait);
    auto until_limit = std::chrono::ceil<std::chrono::milliseconds>(limit - now);
    int timeout_ms = static_cast<int>(std::max<int64_t>(0, until_limit.count()));
    if (poll(polled.data(), polled.size(), timeout_ms) < 0 && errno != EINTR) fail_errno("poll");

    if (!child_done && !options.cleanup && process_detail::interrupt_signal() != 0 && interrupted_by == 0) {
      interrupted_by = process_detail::interrupt_signal();
      if (options.interrupt_grace.count() > 0) {
        child.terminate_group();
        deadline = std::min(deadline, Clock::now() + options.interrupt_grace);
      } else {
        child.kill_group();
      }
    }
    for (Reader* reader : {&out_reader, &err_reader}) {
      if (reader->fd.get() < 0) continue;
      for (const auto& entry : polled) {
        if (entry.fd != reader->fd.get() || entry.revents == 0) continue;
        if (!reader->read_some()) reader->finish();
      }
    }
  }
  out_reader.finish();
  err_reader.finish();
  if (interrupted_by != 0) throw Interrupted(interrupted_by);
  return result;
}

}  // namespace lupine
