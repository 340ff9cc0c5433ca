#include "common/fs.h"

#include "common/error.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <random>

namespace lupine {

std::string read_file(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail_errno(fmt::format("cannot open {}", path.string()));
  std::string data;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) data.reserve(static_cast<size_t>(st.st_size));
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      int saved = errno;
      ::close(fd);
      errno = saved;
      fail_errno(fmt::format("cannot read {}", path.string()));
    }
    if (n == 0) break;
    data.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return data;
}

void write_all(int fd, std::string_view data, const std::string& what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_errno(fmt::format("cannot write {}", what));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

namespace {
std::string random_suffix() {
  static thread_local std::mt19937_64 generator{std::random_device{}()};
  return fmt::format("{:012x}", generator() & 0xffffffffffffULL);
}
}  // namespace

AtomicFile::AtomicFile(std::filesystem::path path, unsigned mode) : path_(std::move(path)) {
  auto directory = path_.parent_path();
  if (directory.empty()) directory = ".";
  for (int attempt = 0; attempt < 100 && fd_ < 0; ++attempt) {
    temp_path_ = directory / fmt::format(".{}.tmp-{}", path_.filename().string(), random_suffix());
    fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd_ < 0 && errno != EEXIST) fail_errno(fmt::format("cannot create {}", temp_path_.string()));
  }
  if (fd_ < 0) fail("cannot create a temporary file beside {}", path_.string());
  ::fchmod(fd_, mode);  // not subject to the umask
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_path_.c_str());
}

void AtomicFile::write(std::string_view data) { write_all(fd_, data, temp_path_.string()); }

void AtomicFile::commit() {
  if (::fsync(fd_) != 0) fail_errno(fmt::format("cannot sync {}", temp_path_.string()));
  if (::close(fd_) != 0) {
    fd_ = -1;
    fail_errno(fmt::format("cannot close {}", temp_path_.string()));
  }
  fd_ = -1;
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0)
    fail_errno(fmt::format("cannot rename {} to {}", temp_path_.string(), path_.string()));
  committed_ = true;
}

void write_file_atomic(const std::filesystem::path& path, std::string_view data, unsigned mode) {
  AtomicFile file(path, mode);
  file.write(data);
  file.commit();
}

TempDir::TempDir(std::string_view prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = fmt::format("{}/{}-XXXXXX", base && *base ? base : "/tmp", prefix);
  if (!::mkdtemp(pattern.data())) fail_errno("cannot create a temporary directory");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace lupine
