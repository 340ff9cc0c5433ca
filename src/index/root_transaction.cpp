#include "index/root_transaction.h"

#include "common/error.h"
#include "common/fs.h"
#include "common/path.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>  // renameat2
#include <cstring>

namespace lupine::index {

namespace {

// Removes a temporary node unless released (it was renamed into place).
class TempNode {
 public:
  TempNode(int dir_fd, std::string name) : dir_fd_(dir_fd), name_(std::move(name)) {}
  ~TempNode() {
    if (!name_.empty()) ::unlinkat(dir_fd_, name_.c_str(), 0);
  }
  TempNode(const TempNode&) = delete;
  TempNode& operator=(const TempNode&) = delete;
  void release() { name_.clear(); }

 private:
  int dir_fd_;
  std::string name_;
};

// The process's umask, read once (umask(2) can only be read by setting it).
mode_t process_umask() {
  static const mode_t mask = [] {
    mode_t current = ::umask(022);
    ::umask(current);
    return current;
  }();
  return mask;
}

std::optional<struct stat> stat_at(int dir_fd, const std::string& name) {
  struct stat st {};
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) return st;
  if (errno == ENOENT) return std::nullopt;
  fail_errno(fmt::format("cannot stat {}", name));
}

bool is_empty_directory(int dir_fd, const std::string& name) {
  int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  UniqueFd owned(fd);
  // The only way to know without reading: rmdir would tell, but must not happen yet. Count entries.
  DIR* dir = ::fdopendir(owned.release());
  if (!dir) return false;
  bool empty = true;
  while (struct dirent* entry = ::readdir(dir)) {
    if (std::strcmp(entry->d_name, ".") != 0 && std::strcmp(entry->d_name, "..") != 0) {
      empty = false;
      break;
    }
  }
  ::closedir(dir);
  return empty;
}

// The path of `name` in an O_PATH directory descriptor, for calls without an *at() form
// (lsetxattr): the /proc magic link names the directory, `name` itself is not followed.
std::string proc_path(int dir_fd, const std::string& name) { return fmt::format("/proc/self/fd/{}/{}", dir_fd, name); }

}  // namespace

RootTransaction::RootTransaction(const RootDir& root, Options options) : root_(root), options_(std::move(options)) {}

std::string RootTransaction::backup_name() const { return ".lupine-old-" + random_token(); }

int RootTransaction::parent_fd(std::string_view path) {
  std::string_view parent = parent_path(path);
  if (!cached_parent_fd_.valid() || cached_parent_ != parent) {
    cached_parent_fd_ = root_.open_dir(parent);
    cached_parent_ = parent;
  }
  return cached_parent_fd_.get();
}

uint32_t RootTransaction::disk_mode(uint32_t mode) const {
  // Unprivileged, a directory must stay writable and searchable for us (apk-tools usermode).
  return options_.privileged ? (mode & 07777) : ((mode & 07777) | 0300);
}

void RootTransaction::set_directory_acl(const std::string& path, uint32_t uid, uint32_t gid, uint32_t mode) {
  UniqueFd parent = root_.open_dir(parent_path(path));
  std::string name(base_name(path));
  auto st = stat_at(parent.get(), name);
  if (!st || !S_ISDIR(st->st_mode)) return;
  bool same = (st->st_mode & 07777) == disk_mode(mode) && (!options_.privileged || (st->st_uid == uid && st->st_gid == gid));
  if (same) return;
  undo_.push_back(Undo{Undo::Kind::changed_dir, path, {}, false,
                       NodeStat{S_IFDIR, st->st_mode & 07777u, st->st_uid, st->st_gid}, std::nullopt, 0});
  if (options_.privileged && ::fchownat(parent.get(), name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0)
    fail_errno(fmt::format("cannot set the owner of {}", root_.display(path)));
  if (::fchmodat(parent.get(), name.c_str(), disk_mode(mode), 0) != 0)
    fail_errno(fmt::format("cannot set the mode of {}", root_.display(path)));
}

void RootTransaction::directory_owner_changed(const std::string& path, const FileAcl& acl) {
  auto met = directories_.find(path);
  if (met != directories_.end() && met->second) set_directory_acl(path, acl.uid, acl.gid, acl.mode);
}

void RootTransaction::make_directory(const apk::TarEntry& entry, const std::optional<FileAcl>& expected_acl,
                                     bool takes_acl, bool may_replace) {
  const std::string& path = entry.path;
  auto met = directories_.find(path);
  if (met != directories_.end()) {
    if (takes_acl && met->second) set_directory_acl(path, entry.uid, entry.gid, entry.mode);
    return;
  }
  bool& ours = directories_[path];
  int dir_fd = parent_fd(path);
  std::string name(base_name(path));
  auto st = stat_at(dir_fd, name);
  if (st && S_ISLNK(st->st_mode) && root_.try_open_dir(path)) return;  // a symlink to a directory: kept
  if (st && S_ISDIR(st->st_mode)) {
    // apk_db_dir_prepare: an existing directory is ours only if it still has its owner's acl.
    ours = expected_acl && (st->st_mode & 07777) == disk_mode(expected_acl->mode) &&
           (!options_.privileged || (st->st_uid == expected_acl->uid && st->st_gid == expected_acl->gid));
    return;
  }
  if (st) {
    if (!may_replace)
      fail("cannot create directory {}: a file another package owns is in the way", root_.display(path));
    std::string backup = backup_name();
    if (::renameat(dir_fd, name.c_str(), dir_fd, backup.c_str()) != 0)
      fail_errno(fmt::format("cannot move {} aside", root_.display(path)));
    undo_.push_back(Undo{Undo::Kind::removed, path, backup, false, {}, std::nullopt, 0});
  }
  if (::mkdirat(dir_fd, name.c_str(), 0700) != 0)
    fail_errno(fmt::format("cannot create directory {}", root_.display(path)));
  undo_.push_back(Undo{Undo::Kind::created_dir, path, {}, false, {}, std::nullopt, 0});
  if (options_.privileged && ::fchownat(dir_fd, name.c_str(), entry.uid, entry.gid, AT_SYMLINK_NOFOLLOW) != 0)
    fail_errno(fmt::format("cannot set the owner of {}", root_.display(path)));
  if (::fchmodat(dir_fd, name.c_str(), disk_mode(entry.mode), 0) != 0)
    fail_errno(fmt::format("cannot set the mode of {}", root_.display(path)));
  ours = true;
}

void RootTransaction::set_xattrs_by_path(int dir_fd, const std::string& name, const apk::TarEntry& entry, bool& ok) {
  for (const auto& [key, value] : entry.xattrs) {
    if (::lsetxattr(proc_path(dir_fd, name).c_str(), key.c_str(), value.data(), value.size(), 0) != 0) {
      ok = false;
      if (options_.warn)
        options_.warn(fmt::format("cannot set xattr {} of {}: {}", key, root_.display(entry.path), std::strerror(errno)));
    }
  }
}

bool RootTransaction::fill_regular_file(int fd, const apk::TarItem& item, const std::string& origin) {
  const apk::TarEntry& entry = item.entry;
  const uint32_t mode = entry.mode & 07777;
  write_all(fd, item.data, root_.display(entry.path));
  if (options_.privileged && ::fchown(fd, entry.uid, entry.gid) != 0)
    fail_errno(fmt::format("{}: cannot set the owner of {}", origin, root_.display(entry.path)));
  bool chmod_needed = (mode & 07000) != 0 || (mode & process_umask()) != 0;
  if (chmod_needed && ::fchmod(fd, mode) != 0)
    fail_errno(fmt::format("{}: cannot set the mode of {}", origin, root_.display(entry.path)));
  bool xattrs_ok = true;
  for (const auto& [key, value] : entry.xattrs) {
    if (::fsetxattr(fd, key.c_str(), value.data(), value.size(), 0) != 0) {
      xattrs_ok = false;
      if (options_.warn)
        options_.warn(fmt::format("{}: cannot set xattr {} of {}: {}", origin, key, root_.display(entry.path),
                                  std::strerror(errno)));
    }
  }
  timespec times[2] = {{entry.mtime, 0}, {entry.mtime, 0}};
  ::futimens(fd, times);
  return xattrs_ok;
}

bool RootTransaction::write_entry(const apk::TarItem& item, const std::string& origin) {
  const apk::TarEntry& entry = item.entry;
  const std::string& path = entry.path;
  int dir_fd = parent_fd(path);
  std::string name(base_name(path));
  std::string temp = ".lupine-new-" + random_token();
  uint32_t mode = entry.mode & 07777;
  bool xattrs_ok = true;
  auto chown_at = [&](const std::string& node) {
    if (options_.privileged && ::fchownat(dir_fd, node.c_str(), entry.uid, entry.gid, AT_SYMLINK_NOFOLLOW) != 0)
      fail_errno(fmt::format("{}: cannot set the owner of {}", origin, root_.display(path)));
  };
  auto set_times = [&](const std::string& node) {
    timespec times[2] = {{entry.mtime, 0}, {entry.mtime, 0}};
    ::utimensat(dir_fd, node.c_str(), times, AT_SYMLINK_NOFOLLOW);
  };

  switch (entry.type) {
    case apk::TarType::regular: {
      // Created with its final permission bits (it is under a temporary name until complete); a
      // separate fchmod only when the umask takes bits away or there are set-id/sticky bits,
      // which must come after chown (chown clears set-id bits). One syscall less per file.
      const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
      if (options_.new_root) {
        int fd = ::openat(dir_fd, name.c_str(), flags, mode & 0777);
        if (fd >= 0) {
          UniqueFd file(fd);
          TempNode guard(dir_fd, name);  // ours (O_EXCL): removed if filling it fails
          xattrs_ok = fill_regular_file(fd, item, origin);
          guard.release();
          undo_.push_back(Undo{Undo::Kind::created, path, {}, false, {}, std::nullopt, 0});
          return xattrs_ok;
        }
        if (errno != EEXIST) fail_errno(fmt::format("{}: cannot create {}", origin, root_.display(path)));
        // Something is there already: replaced through a temporary name, as in any root.
      }
      int fd = ::openat(dir_fd, temp.c_str(), flags, mode & 0777);
      if (fd < 0) fail_errno(fmt::format("{}: cannot create {}", origin, root_.display(path)));
      UniqueFd file(fd);
      TempNode guard(dir_fd, temp);
      xattrs_ok = fill_regular_file(fd, item, origin);
      guard.release();
      break;
    }
    case apk::TarType::symlink: {
      // Never followed here: the link is created as is and only ever resolved inside the root.
      if (::symlinkat(entry.link_target.c_str(), dir_fd, temp.c_str()) != 0)
        fail_errno(fmt::format("{}: cannot create symlink {}", origin, root_.display(path)));
      TempNode guard(dir_fd, temp);
      chown_at(temp);
      set_xattrs_by_path(dir_fd, temp, entry, xattrs_ok);
      set_times(temp);
      guard.release();
      break;
    }
    case apk::TarType::hardlink: {
      UniqueFd target_dir = root_.open_dir(parent_path(entry.link_target));
      std::string target(base_name(entry.link_target));
      if (::linkat(target_dir.get(), target.c_str(), dir_fd, temp.c_str(), 0) != 0)
        fail_errno(fmt::format("{}: cannot link {} to {}", origin, root_.display(path), entry.link_target));
      break;
    }
    case apk::TarType::chardev:
    case apk::TarType::blockdev:
    case apk::TarType::fifo: {
      mode_t type = entry.type == apk::TarType::chardev ? S_IFCHR
                    : entry.type == apk::TarType::blockdev ? S_IFBLK
                                                            : S_IFIFO;
      if (::mknodat(dir_fd, temp.c_str(), type | 0600, makedev(entry.devmajor, entry.devminor)) != 0)
        fail_errno(fmt::format("{}: cannot create device node {}", origin, root_.display(path)));
      TempNode guard(dir_fd, temp);
      chown_at(temp);
      if (::fchmodat(dir_fd, temp.c_str(), mode, 0) != 0)
        fail_errno(fmt::format("{}: cannot set the mode of {}", origin, root_.display(path)));
      set_xattrs_by_path(dir_fd, temp, entry, xattrs_ok);
      set_times(temp);
      guard.release();
      break;
    }
    case apk::TarType::directory: fail("{}: internal error: write_entry given directory {}", origin, path);
  }

  // Put it in place, keeping what was there as a backup until the transaction ends. Into a new
  // root nothing is there: renameat2(RENAME_NOREPLACE) puts it in place without a stat first, and
  // fails with EEXIST when something is (EINVAL where the filesystem cannot do it).
  TempNode guard(dir_fd, temp);
  if (::renameat2(dir_fd, temp.c_str(), dir_fd, name.c_str(), RENAME_NOREPLACE) == 0) {
    guard.release();
    undo_.push_back(Undo{Undo::Kind::created, path, {}, false, {}, std::nullopt, 0});
    return xattrs_ok;
  }
  if (errno != EEXIST && errno != EINVAL && errno != ENOSYS)
    fail_errno(fmt::format("{}: cannot create {}", origin, root_.display(path)));
  auto existing = stat_at(dir_fd, name);
  if (!existing) {
    if (::renameat(dir_fd, temp.c_str(), dir_fd, name.c_str()) != 0)
      fail_errno(fmt::format("{}: cannot create {}", origin, root_.display(path)));
    guard.release();
    undo_.push_back(Undo{Undo::Kind::created, path, {}, false, {}, std::nullopt, 0});
    return xattrs_ok;
  }
  std::string backup = backup_name();
  if (S_ISDIR(existing->st_mode)) {
    if (!is_empty_directory(dir_fd, name))
      fail("{}: cannot replace directory {} with a file: it is not empty", origin, root_.display(path));
    if (::renameat(dir_fd, name.c_str(), dir_fd, backup.c_str()) != 0)
      fail_errno(fmt::format("{}: cannot move directory {} aside", origin, root_.display(path)));
    cached_parent_fd_ = UniqueFd();
    undo_.push_back(Undo{Undo::Kind::replaced, path, backup, true, {}, std::nullopt, 0});
    if (::renameat(dir_fd, temp.c_str(), dir_fd, name.c_str()) != 0)
      fail_errno(fmt::format("{}: cannot create {}", origin, root_.display(path)));
    guard.release();
    return xattrs_ok;
  }
  // A second name for the old node, then one atomic rename over it: the path is never missing.
  if (::linkat(dir_fd, name.c_str(), dir_fd, backup.c_str(), 0) == 0) {
    undo_.push_back(Undo{Undo::Kind::replaced, path, backup, false, {}, std::nullopt, 0});
    if (::renameat(dir_fd, temp.c_str(), dir_fd, name.c_str()) != 0)
      fail_errno(fmt::format("{}: cannot replace {}", origin, root_.display(path)));
  } else {
    if (::renameat(dir_fd, name.c_str(), dir_fd, backup.c_str()) != 0)
      fail_errno(fmt::format("{}: cannot move {} aside", origin, root_.display(path)));
    undo_.push_back(Undo{Undo::Kind::replaced, path, backup, false, {}, std::nullopt, 0});
    if (::renameat(dir_fd, temp.c_str(), dir_fd, name.c_str()) != 0)
      fail_errno(fmt::format("{}: cannot create {}", origin, root_.display(path)));
  }
  // rename() between two names of one inode (a hard link reinstalled) does nothing: the temporary
  // name is still there and the guard removes it.
  struct stat after {};
  if (::fstatat(dir_fd, temp.c_str(), &after, AT_SYMLINK_NOFOLLOW) != 0) guard.release();
  return xattrs_ok;
}

void RootTransaction::remove_file(const std::string& path) {
  auto parent = root_.try_open_dir(parent_path(path));
  if (!parent) return;
  std::string name(base_name(path));
  auto st = stat_at(parent->get(), name);
  if (!st || S_ISDIR(st->st_mode)) return;
  std::string backup = backup_name();
  if (::renameat(parent->get(), name.c_str(), parent->get(), backup.c_str()) != 0)
    fail_errno(fmt::format("cannot remove {}", root_.display(path)));
  undo_.push_back(Undo{Undo::Kind::removed, path, backup, false, {}, std::nullopt, 0});
}

void RootTransaction::prune_directory(const std::string& path) {
  cached_parent_fd_ = UniqueFd();
  auto parent = root_.try_open_dir(parent_path(path));
  if (!parent) return;
  std::string name(base_name(path));
  auto st = stat_at(parent->get(), name);
  if (!st || !S_ISDIR(st->st_mode)) return;
  if (::unlinkat(parent->get(), name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOTEMPTY && errno != EEXIST &&
      errno != EBUSY && options_.warn)
    options_.warn(fmt::format("cannot remove directory {}: {}", root_.display(path), std::strerror(errno)));
}

void RootTransaction::write_file(const std::string& path, const std::string& data, uint32_t mode) {
  std::optional<std::string> old = root_.read_file(path);
  if (old && *old == data) return;
  undo_.push_back(Undo{Undo::Kind::wrote_file, path, {}, false, {}, old, mode});
  root_.write_file_atomic(path, data, mode);
}

void RootTransaction::undo(const Undo& undo) {
  const std::string& path = undo.path;
  if (undo.kind == Undo::Kind::wrote_file) {
    if (undo.old_contents) root_.write_file_atomic(path, *undo.old_contents, undo.file_mode);
    else root_.remove_file(path);
    return;
  }
  UniqueFd parent = root_.open_dir(parent_path(path));
  int dir_fd = parent.get();
  std::string name(base_name(path));
  auto check = [&](int result, const char* what) {
    if (result != 0) fail_errno(fmt::format("cannot {} {}", what, root_.display(path)));
  };
  switch (undo.kind) {
    case Undo::Kind::created: check(::unlinkat(dir_fd, name.c_str(), 0), "remove"); break;
    case Undo::Kind::created_dir: check(::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR), "remove directory"); break;
    case Undo::Kind::replaced:
      if (undo.backup_is_dir) check(::unlinkat(dir_fd, name.c_str(), 0), "remove");
      check(::renameat(dir_fd, undo.backup.c_str(), dir_fd, name.c_str()), "restore");
      break;
    case Undo::Kind::removed: check(::renameat(dir_fd, undo.backup.c_str(), dir_fd, name.c_str()), "restore"); break;
    case Undo::Kind::changed_dir:
      if (options_.privileged)
        check(::fchownat(dir_fd, name.c_str(), undo.before.uid, undo.before.gid, AT_SYMLINK_NOFOLLOW), "restore owner of");
      check(::fchmodat(dir_fd, name.c_str(), undo.before.mode, 0), "restore mode of");
      break;
    case Undo::Kind::wrote_file: break;
  }
}

std::vector<std::string> RootTransaction::rollback() {
  cached_parent_fd_ = UniqueFd();
  std::vector<std::string> failures;
  for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) {
    try {
      undo(*it);
    } catch (const std::exception& e) {
      failures.push_back(e.what());
    }
  }
  undo_.clear();
  return failures;
}

void RootTransaction::finish() {
  cached_parent_fd_ = UniqueFd();
  for (const auto& undo : undo_) {
    if (undo.backup.empty()) continue;
    auto parent = root_.try_open_dir(parent_path(undo.path));
    if (!parent) continue;
    int flags = undo.backup_is_dir ? AT_REMOVEDIR : 0;
    if (::unlinkat(parent->get(), undo.backup.c_str(), flags) != 0 && errno != ENOENT && options_.warn)
      options_.warn(fmt::format("cannot remove backup {}: {}", root_.display(parent_path(undo.path)) + "/" + undo.backup,
                                std::strerror(errno)));
  }
  undo_.clear();
}

}  // namespace lupine::index
