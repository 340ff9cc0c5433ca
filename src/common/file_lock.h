// An exclusive flock(2) on a lock file, released when the object goes — and by the kernel when the
// holder dies, so a killed process never leaves a stale lock.
#pragma once

#include <filesystem>

namespace lupine {

class FileLock {
 public:
  enum class Mode {
    wait,      // block until the lock is held
    try_once,  // take it if free; held() says whether it was
  };
  // Opens (creating when missing, 0644) and locks `path`. Throws Error when the file cannot be
  // opened or flock fails for another reason than the lock being taken.
  explicit FileLock(const std::filesystem::path& path, Mode mode = Mode::wait);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  bool held() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

}  // namespace lupine
