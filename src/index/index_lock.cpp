#include "index/index_lock.h"

#include "common/error.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

namespace lupine::index {

std::filesystem::path IndexLock::lock_path(const std::filesystem::path& index) {
  std::filesystem::path path = index;
  path += ".lock";
  return path;
}

IndexLock::IndexLock(const std::filesystem::path& index) {
  auto path = lock_path(index);
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) fail_errno(fmt::format("cannot open the lock file {}", path.string()));
  while (::flock(fd_, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    int saved = errno;
    ::close(fd_);
    errno = saved;
    fail_errno(fmt::format("cannot lock {}", path.string()));
  }
}

IndexLock::~IndexLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

void remove_stale_temp_files(const std::filesystem::path& index) {
  std::filesystem::path directory = index.parent_path();
  if (directory.empty()) directory = ".";
  // The naming of common/fs.h AtomicFile: ".<file name>.tmp-<random>".
  const std::string prefix = "." + index.filename().string() + ".tmp-";
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    if (entry.path().filename().string().starts_with(prefix)) std::filesystem::remove(entry.path(), error);
  }
}

}  // namespace lupine::index
