#include "common/file_lock.h"

#include "common/error.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

namespace lupine {

FileLock::FileLock(const std::filesystem::path& path, Mode mode) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) fail_errno(fmt::format("cannot open the lock file {}", path.string()));
  const int operation = mode == Mode::wait ? LOCK_EX : LOCK_EX | LOCK_NB;
  while (::flock(fd, operation) != 0) {
    if (errno == EINTR) continue;
    int saved = errno;
    ::close(fd);
    if (saved == EWOULDBLOCK && mode == Mode::try_once) return;  // taken: held() is false
    errno = saved;
    fail_errno(fmt::format("cannot lock {}", path.string()));
  }
  fd_ = fd;
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace lupine
