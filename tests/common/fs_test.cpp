#include "common/fs.h"

#include "common/error.h"

#include <gtest/gtest.h>

namespace lupine {

TEST(Fs, AtomicFileCommitsOrLeavesNothing) {
  TempDir dir;
  auto target = dir.path() / "out.bin";
  {
    AtomicFile file(target);
    file.write("partial");
    // destroyed without commit
  }
  EXPECT_FALSE(std::filesystem::exists(target));
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
  {
    AtomicFile file(target, 0600);
    file.write("whole");
    file.commit();
  }
  EXPECT_EQ(read_file(target), "whole");
  EXPECT_EQ(std::filesystem::status(target).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  write_file_atomic(target, "replaced");
  EXPECT_EQ(read_file(target), "replaced");
}

TEST(Fs, ReadMissingFileNamesIt) {
  try {
    read_file("/nonexistent/lupine-file");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/lupine-file"), std::string::npos);
  }
}

}  // namespace lupine
