// Interrupt tests: what lupine does when a signal arrives, run in a forked copy of the test process
// (a signal's effects — handlers, flags, the default action — must not touch the test runner).
#pragma once

#include <chrono>
#include <csignal>
#include <functional>

namespace lupine::testing {

struct InterruptedChild {
  int status = -1;                                       // waitpid's status
  std::chrono::steady_clock::duration after_signal{};   // from the signal to the child's end
};

// Forks; the child runs `body` — holding an InterruptGuard (process.h) unless `guarded` is false,
// for code that must hold its own — and exits with what `body` returns (any exception: 99).
// `delay` after `body` started, the child gets `signal` (0: none is sent, the body raises its own).
InterruptedChild run_and_interrupt(const std::function<int()>& body, std::chrono::milliseconds delay,
                                   int signal = SIGTERM, bool guarded = true);

}  // namespace lupine::testing
