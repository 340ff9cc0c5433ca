#include "apk/extract.h"

#include "common/error.h"
#include "common/fs.h"
#include "common/path.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <set>

namespace lupine::apk {

namespace {

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(Fd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Fd(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Opens `relative` (a directory) beneath `root_fd`, refusing symlinks that leave it and magic links.
Fd open_directory_beneath(int root_fd, std::string_view relative, const std::string& origin,
                          const std::string& entry) {
  if (relative.empty()) return Fd(::fcntl(root_fd, F_DUPFD_CLOEXEC, 0));
  open_how how{};
  how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  std::string path(relative);
  long fd = ::syscall(SYS_openat2, root_fd, path.c_str(), &how, sizeof how);
  if (fd < 0) {
    if (errno == EXDEV)
      fail("{}: refusing '{}': its parent '{}' leads outside the target directory", origin, entry, path);
    fail_errno(fmt::format("{}: cannot open parent directory of '{}'", origin, entry));
  }
  return Fd(static_cast<int>(fd));
}

std::string_view base_name(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// Removes whatever is at `name` in `dir_fd` unless it is a directory we may reuse.
void clear_slot(int dir_fd, const std::string& name, bool keep_directory) {
  struct stat st {};
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    if (keep_directory) return;
    if (::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) != 0)
      fail_errno(fmt::format("cannot replace directory {}", name));
    return;
  }
  if (::unlinkat(dir_fd, name.c_str(), 0) != 0) fail_errno(fmt::format("cannot replace {}", name));
}

void check_entries(const Package& package, const std::filesystem::path& directory) {
  const std::string& origin = package.origin();
  std::set<std::string, std::less<>> directories;
  std::set<std::string, std::less<>> regular_files;
  for (const auto& item : package.data_entries()) {
    const TarEntry& entry = item.entry;
    if (auto reason = unsafe_path_reason(entry.path))
      fail("{}: refusing entry '{}': {}", origin, entry.path, *reason);
    std::string_view parent = parent_path(entry.path);
    if (!parent.empty() && !directories.count(parent)) {
      // The parent may already exist as a real directory (not a symlink) in the target.
      struct stat st {};
      bool real_dir = ::lstat((directory / std::string(parent)).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
      if (!real_dir)
        fail("{}: refusing entry '{}': its parent '{}' is not a directory entry of the package "
             "(no dirent in archive; a symlink may not be followed)",
             origin, entry.path, parent);
    }
    if (entry.type == TarType::directory) directories.insert(entry.path);
    if (entry.type == TarType::regular) regular_files.insert(entry.path);
    if (entry.type == TarType::hardlink) {
      if (auto reason = unsafe_path_reason(entry.link_target))
        fail("{}: refusing hard link '{}' to '{}': {}", origin, entry.path, entry.link_target, *reason);
      if (!regular_files.count(entry.link_target))
        fail("{}: refusing hard link '{}': its target '{}' is not an earlier file of the package", origin,
             entry.path, entry.link_target);
    }
  }
}

}  // namespace

ExtractReport extract_package(const Package& package, const std::filesystem::path& directory,
                              const ExtractOptions& options) {
  const std::string& origin = package.origin();
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) fail("cannot create {}: {}", directory.string(), error.message());
  check_entries(package, directory);

  Fd root(::open(directory.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (root.get() < 0) fail_errno(fmt::format("cannot open {}", directory.string()));

  ExtractReport report;
  for (const auto& item : package.data_entries()) {
    const TarEntry& entry = item.entry;
    Fd parent = open_directory_beneath(root.get(), parent_path(entry.path), origin, entry.path);
    std::string name(base_name(entry.path));
    int dir_fd = parent.get();
    switch (entry.type) {
      case TarType::directory: {
        clear_slot(dir_fd, name, true);
        if (::mkdirat(dir_fd, name.c_str(), 0700) != 0 && errno != EEXIST)
          fail_errno(fmt::format("{}: cannot create directory '{}'", origin, entry.path));
        break;
      }
      case TarType::regular: {
        clear_slot(dir_fd, name, false);
        int fd = ::openat(dir_fd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) fail_errno(fmt::format("{}: cannot create '{}'", origin, entry.path));
        Fd file(fd);
        write_all(fd, item.data, entry.path);
        report.bytes += item.data.size();
        break;
      }
      case TarType::symlink: {
        clear_slot(dir_fd, name, false);
        // The link itself may point anywhere (e.g. var/run -> /run inside a root); it is never
        // followed here: parents are resolved beneath the target and files opened O_NOFOLLOW.
        if (::symlinkat(entry.link_target.c_str(), dir_fd, name.c_str()) != 0)
          fail_errno(fmt::format("{}: cannot create symlink '{}'", origin, entry.path));
        break;
      }
      case TarType::hardlink: {
        clear_slot(dir_fd, name, false);
        Fd target_parent = open_directory_beneath(root.get(), parent_path(entry.link_target), origin, entry.path);
        std::string target_name(base_name(entry.link_target));
        if (::linkat(target_parent.get(), target_name.c_str(), dir_fd, name.c_str(), 0) != 0)
          fail_errno(fmt::format("{}: cannot link '{}' to '{}'", origin, entry.path, entry.link_target));
        break;
      }
      case TarType::chardev:
      case TarType::blockdev:
      case TarType::fifo: {
        clear_slot(dir_fd, name, false);
        mode_t type = entry.type == TarType::chardev ? S_IFCHR : entry.type == TarType::blockdev ? S_IFBLK : S_IFIFO;
        if (::mknodat(dir_fd, name.c_str(), type | 0600, makedev(entry.devmajor, entry.devminor)) != 0)
          fail_errno(fmt::format("{}: cannot create device node '{}'", origin, entry.path));
        break;
      }
    }
    bool is_link = entry.type == TarType::symlink;
    if (options.apply_owners &&
        ::fchownat(dir_fd, name.c_str(), entry.uid, entry.gid, AT_SYMLINK_NOFOLLOW) != 0)
      fail_errno(fmt::format("{}: cannot set owner of '{}'", origin, entry.path));
    if (!is_link && entry.type != TarType::hardlink) {
      if (::fchmodat(dir_fd, name.c_str(), entry.mode & 07777, 0) != 0)
        fail_errno(fmt::format("{}: cannot set mode of '{}'", origin, entry.path));
    }
    timespec times[2] = {{entry.mtime, 0}, {entry.mtime, 0}};
    ::utimensat(dir_fd, name.c_str(), times, AT_SYMLINK_NOFOLLOW);
    ++report.entries;
  }
  return report;
}

}  // namespace lupine::apk
