// Finding the processes a test started, by a marker in their command line, and waiting for a
// condition: for the tests that check that no process outlives a kill, timeout or interrupt.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace lupine::testing {

// pids of the processes whose command line contains `marker`. A process that ends while /proc is
// read is simply not listed (it is gone, which is what the callers wait for).
std::vector<pid_t> processes_with(const std::string& marker);

// Polls `condition` every 20 ms for up to `limit` (generous: a loaded machine is slow to reap a
// killed process tree; the wait ends as soon as the condition holds); its last answer.
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds limit = std::chrono::milliseconds(30000)) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

}  // namespace lupine::testing
