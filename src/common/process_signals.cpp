// SIGINT/SIGTERM/SIGHUP while children run: kill them, then end (see process.h).
#include "common/process.h"
#include "common/process_internal.h"

#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cerrno>
#include <cstdint>
#include <mutex>

namespace lupine {
namespace {

constexpr int handled_signals[] = {SIGINT, SIGTERM, SIGHUP};

std::atomic<int> running_children{0};
std::atomic<int> received_signal{0};
int wake_pipe[2] = {-1, -1};

void restore_default_and_raise(int signal_number) {
  struct sigaction action {};
  action.sa_handler = SIG_DFL;
  sigemptyset(&action.sa_mask);
  sigaction(signal_number, &action, nullptr);
  // The signal is blocked while its handler runs: raised now, it is delivered (with the default
  // action) as soon as the handler returns.
  raise(signal_number);
}

// One interrupt is often delivered twice: timeout(1) signals its command and then its own process
// group, which holds the command too. A repeat within this window is the same interrupt, not a
// user insisting (a second Ctrl-C), so it does not end lupine at once.
constexpr int64_t kRepeatWindowNs = 1'000'000'000;
std::atomic<int64_t> received_at_ns{0};

int64_t monotonic_ns() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);  // async-signal-safe (POSIX.1-2008)
  return int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

// Async-signal-safe only: atomics, clock_gettime, write, sigaction, raise.
void on_signal(int signal_number) {
  int saved_errno = errno;
  if (running_children.load() == 0) {
    restore_default_and_raise(signal_number);
  } else if (received_signal.load() != 0) {
    if (monotonic_ns() - received_at_ns.load() >= kRepeatWindowNs) restore_default_and_raise(signal_number);
  } else {
    received_at_ns.store(monotonic_ns());
    received_signal.store(signal_number);
    char byte = 1;
    [[maybe_unused]] ssize_t ignored = write(wake_pipe[1], &byte, 1);
  }
  errno = saved_errno;
}

}  // namespace

void install_interrupt_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0) fail_errno("cannot create the interrupt pipe");
    for (int signal_number : handled_signals) {
      struct sigaction current {};
      sigaction(signal_number, nullptr, &current);
      // Leave alone what someone else chose: SIG_IGN (nohup) or another handler.
      if (current.sa_handler != SIG_DFL) continue;
      struct sigaction action {};
      action.sa_handler = on_signal;
      sigemptyset(&action.sa_mask);
      action.sa_flags = SA_RESTART;
      sigaction(signal_number, &action, nullptr);
    }
  });
}

bool interrupt_requested() { return received_signal.load() != 0; }

void throw_if_interrupted() {
  if (int signal_number = received_signal.load(); signal_number != 0) throw Interrupted(signal_number);
}

InterruptGuard::InterruptGuard() {
  install_interrupt_handlers();
  running_children.fetch_add(1);
}
InterruptGuard::~InterruptGuard() { running_children.fetch_sub(1); }

bool wait_for_interrupt(std::chrono::milliseconds duration) {
  install_interrupt_handlers();
  if (interrupt_requested()) return true;
  pollfd entry{wake_pipe[0], POLLIN, 0};
  auto deadline = std::chrono::steady_clock::now() + duration;
  while (!interrupt_requested()) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    poll(&entry, 1, static_cast<int>(left.count()));  // the pipe is never drained: stays readable
  }
  return interrupt_requested();
}

Interrupted::Interrupted(int signal)
    : Error(fmt::format("interrupted by {}; the running processes were killed", strsignal(signal))),
      signal_(signal) {}

namespace process_detail {

int interrupt_fd() { return wake_pipe[0]; }
int interrupt_signal() { return received_signal.load(); }

RunningChild::RunningChild() { running_children.fetch_add(1); }
RunningChild::~RunningChild() { running_children.fetch_sub(1); }

}  // namespace process_detail
}  // namespace lupine
