#include "common/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
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
  parallel_for(calls.size(), 3, [&](size_t i) {
    ++calls[i];
    std::lock_guard lock(mutex);
    seen.insert(std::this_thread::get_id());
  });
  for (const auto& count : calls) EXPECT_EQ(count.load(), 1);
  EXPECT_LE(seen.size(), 3u);
  EXPECT_TRUE(seen.count(std::this_thread::get_id())) << "the calling thread works too";
}

TEST(ParallelFor, NothingToDoStartsNothing) {
  int calls = 0;
  parallel_for(0, 0, [&](size_t) { ++calls; });
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace lupine
