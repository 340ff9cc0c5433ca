#include "common/fs.h"

#include "common/error.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
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

AtomicFile::AtomicFile(std::filesystem::path path, unsigned mode, Durability durability)
    : path_(std::move(path)), durability_(durability) {
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
  if (durability_ == Durability::synced) {
    if (::fsync(fd_) != 0) fail_errno(fmt::format("cannot sync {}", temp_path_.string()));
  } else {
    // Best effort by design: a file system without it (EINVAL, ENOSYS) simply writes back later.
    (void)::sync_file_range(fd_, 0, 0, SYNC_FILE_RANGE_WRITE);
  }
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

std::vector<std::pair<std::string, std::string>> read_xattrs(const std::filesystem::path& path,
                                                             bool (*keep)(std::string_view name)) {
  std::vector<std::pair<std::string, std::string>> xattrs;
  ssize_t size = ::llistxattr(path.c_str(), nullptr, 0);
  if (size <= 0) return xattrs;
  std::string names(static_cast<size_t>(size), '\0');
  size = ::llistxattr(path.c_str(), names.data(), names.size());
  if (size <= 0) return xattrs;
  names.resize(static_cast<size_t>(size));
  for (size_t pos = 0; pos < names.size();) {
    std::string name(names.c_str() + pos);
    pos += name.size() + 1;
    if (!keep(name)) continue;
    ssize_t length = ::lgetxattr(path.c_str(), name.c_str(), nullptr, 0);
    if (length < 0) continue;
    std::string value(static_cast<size_t>(length), '\0');
    length = ::lgetxattr(path.c_str(), name.c_str(), value.data(), value.size());
    if (length < 0) continue;
    value.resize(static_cast<size_t>(length));
    xattrs.emplace_back(std::move(name), std::move(value));
  }
  std::sort(xattrs.begin(), xattrs.end());
  return xattrs;
}

}  // namespace lupine
