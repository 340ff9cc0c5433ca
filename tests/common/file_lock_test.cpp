#include "common/file_lock.h"

#include "common/error.h"
#include "common/fs.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace lupine {
namespace {

// flock belongs to the open file: two FileLocks in one process exclude each other as two
// processes would.
TEST(FileLock, TryOnceFailsWhileHeldAndSucceedsAfterwards) {
  TempDir dir("lupine-file-lock");
  auto path = dir.path() / "x.lock";
  {
    FileLock first(path);
    EXPECT_TRUE(first.held());
    FileLock second(path, FileLock::Mode::try_once);
    EXPECT_FALSE(second.held());
  }
  FileLock third(path, FileLock::Mode::try_once);
  EXPECT_TRUE(third.held());
}

TEST(FileLock, WaitBlocksUntilReleased) {
  TempDir dir("lupine-file-lock");
  auto path = dir.path() / "x.lock";
  std::atomic<bool> acquired{false};
  std::thread waiter;
  {
    FileLock held(path);
    waiter = std::thread([&] {
      FileLock lock(path);
      acquired = lock.held();
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_FALSE(acquired.load());
  }
  waiter.join();
  EXPECT_TRUE(acquired.load());
}

TEST(FileLock, UnopenableFileIsAnErrorNamingIt) {
  try {
    FileLock lock("/nonexistent-lupine-dir/x.lock");
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("cannot open the lock file /nonexistent-lupine-dir/x.lock"),
              std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace lupine
