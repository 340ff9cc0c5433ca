#include "common/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace lupine {
namespace {

TEST(ParallelFor, CallsEveryIndexOnceOnUpToTheGivenThreads) {
  std::vector<std::atomic<int>> calls(1000);
  std::mutex mutex;
  std::set<std::thread::id> seen;
  const auto caller = std::this_thread::get_id();
  std::atomic<bool> caller_worked = false;
  parallel_for(calls.size(), 3, [&](size_t i) {
    ++calls[i];
    // Workers hold back (up to a bound) until the caller has taken an index, so
    // that fast workers cannot drain the queue first and make the check flaky.
    if (std::this_thread::get_id() == caller) {
      caller_worked = true;
    } else {
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (!caller_worked && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    }
    std::lock_guard lock(mutex);
    seen.insert(std::this_thread::get_id());
  });
  for (const auto& count : calls) EXPECT_EQ(count.load(), 1);
  EXPECT_LE(seen.size(), 3u);
  EXPECT_TRUE(seen.count(caller)) << "the calling thread works too";
}

TEST(ParallelFor, NothingToDoStartsNothing) {
  int calls = 0;
  parallel_for(0, 0, [&](size_t) { ++calls; });
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace lupine
