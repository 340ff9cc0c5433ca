#include "index/root_fs.h"

#include "common/error.h"
#include "common/fs.h"
#include "common/path.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <random>

namespace lupine::index {

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

std::string_view base_name(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string random_token() {
  static thread_local std::mt19937_64 generator{std::random_device{}()};
  return fmt::format("{:012x}", generator() & 0xffffffffffffULL);
}

namespace {

// openat2 beneath `root_fd` as if it were '/'. Magic links (/proc/self/...) are refused too.
long open_in_root(int root_fd, std::string_view relative, uint64_t flags) {
  open_how how{};
  how.flags = flags | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  std::string path = relative.empty() ? std::string(".") : std::string(relative);
  long fd;
  do {
    fd = ::syscall(SYS_openat2, root_fd, path.c_str(), &how, sizeof how);
  } while (fd < 0 && errno == EAGAIN);  // RESOLVE_IN_ROOT retries when a rename races the walk
  return fd;
}

}  // namespace

RootDir::RootDir(const std::filesystem::path& root) : path_(root) {
  int fd = ::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail_errno(fmt::format("cannot open root directory {}", root.string()));
  fd_ = UniqueFd(fd);
}

std::string RootDir::display(std::string_view relative) const {
  if (relative.empty()) return path_.string();
  return (path_ / std::string(relative)).string();
}

UniqueFd RootDir::open_dir(std::string_view relative) const {
  long fd = open_in_root(fd_.get(), relative, O_PATH | O_DIRECTORY);
  if (fd < 0) fail_errno(fmt::format("cannot open directory {}", display(relative)));
  return UniqueFd(static_cast<int>(fd));
}

std::optional<UniqueFd> RootDir::try_open_dir(std::string_view relative) const {
  long fd = open_in_root(fd_.get(), relative, O_PATH | O_DIRECTORY);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    fail_errno(fmt::format("cannot open directory {}", display(relative)));
  }
  return UniqueFd(static_cast<int>(fd));
}

std::optional<NodeStat> RootDir::lstat(std::string_view relative) const {
  struct stat st {};
  if (relative.empty()) {
    if (::fstat(fd_.get(), &st) != 0) fail_errno(fmt::format("cannot stat {}", display(relative)));
  } else {
    auto parent = try_open_dir(parent_path(relative));
    if (!parent) return std::nullopt;
    std::string name(base_name(relative));
    if (::fstatat(parent->get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return std::nullopt;
      fail_errno(fmt::format("cannot stat {}", display(relative)));
    }
  }
  return NodeStat{st.st_mode & S_IFMT, st.st_mode & 07777u, st.st_uid, st.st_gid};
}

void RootDir::make_dirs(std::string_view relative, uint32_t mode) const {
  std::string done;
  size_t start = 0;
  while (start < relative.size()) {
    size_t end = relative.find('/', start);
    if (end == std::string_view::npos) end = relative.size();
    std::string_view component = relative.substr(start, end - start);
    start = end + 1;
    if (component.empty()) continue;
    std::string next = done.empty() ? std::string(component) : done + "/" + std::string(component);
    if (!try_open_dir(next)) {
      UniqueFd parent = open_dir(done);
      std::string name(component);
      if (::mkdirat(parent.get(), name.c_str(), mode) != 0) {
        if (errno != EEXIST) fail_errno(fmt::format("cannot create directory {}", display(next)));
        if (!try_open_dir(next)) fail("cannot create directory {}: a file is in the way", display(next));
      } else if (::fchmodat(parent.get(), name.c_str(), mode, 0) != 0) {  // not subject to the umask
        fail_errno(fmt::format("cannot set the mode of {}", display(next)));
      }
    }
    done = std::move(next);
  }
}

std::optional<std::string> RootDir::read_file(std::string_view relative) const {
  long fd = open_in_root(fd_.get(), relative, O_RDONLY);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    fail_errno(fmt::format("cannot open {}", display(relative)));
  }
  UniqueFd file(static_cast<int>(fd));
  std::string data;
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = ::read(file.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_errno(fmt::format("cannot read {}", display(relative)));
    }
    if (n == 0) break;
    data.append(buffer, static_cast<size_t>(n));
  }
  return data;
}

void RootDir::write_file_atomic(std::string_view relative, std::string_view data, uint32_t mode) const {
  UniqueFd parent = open_dir(parent_path(relative));
  std::string name(base_name(relative));
  std::string temp = fmt::format(".{}.tmp-{}", name, random_token());
  int fd = ::openat(parent.get(), temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) fail_errno(fmt::format("cannot create {}", display(relative)));
  UniqueFd file(fd);
  try {
    if (::fchmod(fd, mode) != 0) fail_errno(fmt::format("cannot set the mode of {}", display(relative)));
    write_all(fd, data, display(relative));
    if (::fsync(fd) != 0) fail_errno(fmt::format("cannot sync {}", display(relative)));
    if (::renameat(parent.get(), temp.c_str(), parent.get(), name.c_str()) != 0)
      fail_errno(fmt::format("cannot replace {}", display(relative)));
  } catch (...) {
    ::unlinkat(parent.get(), temp.c_str(), 0);
    throw;
  }
}

void RootDir::remove_file(std::string_view relative) const {
  auto parent = try_open_dir(parent_path(relative));
  if (!parent) return;
  std::string name(base_name(relative));
  if (::unlinkat(parent->get(), name.c_str(), 0) != 0 && errno != ENOENT)
    fail_errno(fmt::format("cannot remove {}", display(relative)));
}

}  // namespace lupine::index
