// The exclusive lock every writer of an index holds: flock(2) on `<index>.lock`, waited for.
// flock is released by the kernel when the holder dies, so a killed writer never leaves a stale lock.
#pragma once

#include "common/file_lock.h"

#include <filesystem>

namespace lupine::index {

class IndexLock {
 public:
  // Blocks until the lock on `<index>.lock` is held (the file is created when missing).
  explicit IndexLock(const std::filesystem::path& index) : lock_(lock_path(index)) {}

  static std::filesystem::path lock_path(const std::filesystem::path& index);

 private:
  FileLock lock_;
};

// Removes temporary files an interrupted writer of `index` left beside it (AtomicFile's
// `.<name>.tmp-*`). Call only while holding the IndexLock: no other writer can be mid-write then.
void remove_stale_temp_files(const std::filesystem::path& index);

}  // namespace lupine::index
