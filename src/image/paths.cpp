#include "image/paths.h"

#include "common/error.h"
#include "index/root_fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lupine::image {
namespace {

using index::UniqueFd;

std::string relative(std::string_view path) {
  while (path.starts_with('/')) path.remove_prefix(1);
  while (path.ends_with('/')) path.remove_suffix(1);
  return std::string(path);
}

class Mutator {
 public:
  Mutator(const std::filesystem::path& root, OwnerMap& owners) : owners_(owners) {
    root_fd_ = UniqueFd(::open(root.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    if (!root_fd_.valid()) fail_errno("cannot open image root " + root.string());
  }

  void apply(const PathMutation& m) {
    where_ = m.where;
    std::string path = relative(m.path);
    switch (m.type) {
      case PathType::directory: make_dirs(path, m.permissions.value_or(0755)); break;
      case PathType::empty_file: empty_file(path, m.permissions.value_or(0644)); break;
      case PathType::symlink: symlink(path, m.source); break;
      case PathType::hardlink: hardlink(path, relative(m.source)); break;
      case PathType::permissions: break;
    }
    // The permissions/owner pass that follows every mutation (apko: mutatePermissions).
    if (m.type != PathType::symlink) set_owner_and_mode(path, m);
  }

 private:
  // openat2 beneath the root: EXDEV/ELOOP mean the path leaves it.
  UniqueFd open_beneath(const std::string& path, int flags, const std::string& shown) {
    open_how how{};
    how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    const char* name = path.empty() ? "." : path.c_str();
    long fd = ::syscall(SYS_openat2, root_fd_.get(), name, &how, sizeof how);
    if (fd < 0 && (errno == EXDEV || errno == ELOOP))
      fail("{}: paths: '/{}' leads outside the image root through a symlink", where_, shown);
    if (fd < 0) fail_errno(fmt::format("{}: paths: cannot open '/{}'", where_, shown));
    return UniqueFd(static_cast<int>(fd));
  }

  // `shown` names the whole path in messages (make_dirs opens its prefixes one by one).
  UniqueFd parent_of(const std::string& path, const std::string& shown = {}) {
    size_t slash = path.rfind('/');
    return open_beneath(slash == std::string::npos ? "" : path.substr(0, slash), O_DIRECTORY | O_PATH,
                        shown.empty() ? path : shown);
  }

  static std::string base(const std::string& path) {
    size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
  }

  void make_dirs(const std::string& path, uint32_t mode) {
    size_t pos = 0;
    while (pos <= path.size()) {
      size_t end = path.find('/', pos);
      if (end == std::string::npos) end = path.size();
      std::string prefix = path.substr(0, end);
      UniqueFd parent = parent_of(prefix, path);
      if (::mkdirat(parent.get(), base(prefix).c_str(), mode) != 0 && errno != EEXIST)
        fail_errno(fmt::format("{}: paths: cannot create '/{}'", where_, prefix));
      open_beneath(prefix, O_DIRECTORY | O_PATH, path);  // exists and stays beneath the root
      pos = end + 1;
    }
  }

  void empty_file(const std::string& path, uint32_t mode) {
    UniqueFd parent = parent_of(path);
    UniqueFd fd(::openat(parent.get(), base(path).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode));
    if (!fd.valid()) fail_errno(fmt::format("{}: paths: cannot create '/{}'", where_, path));
  }

  void remove_existing(int parent, const std::string& name) {
    struct stat st {};
    if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return;
    if (::unlinkat(parent, name.c_str(), S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) != 0)
      fail_errno(fmt::format("{}: paths: cannot replace '{}'", where_, name));
  }

  void symlink(const std::string& path, const std::string& target) {
    UniqueFd parent = parent_of(path);
    remove_existing(parent.get(), base(path));
    if (::symlinkat(target.c_str(), parent.get(), base(path).c_str()) != 0)
      fail_errno(fmt::format("{}: paths: cannot create symlink '/{}'", where_, path));
    owners_.erase(path);
  }

  void hardlink(const std::string& path, const std::string& source) {
    UniqueFd source_parent = parent_of(source);
    struct stat st {};
    if (::fstatat(source_parent.get(), base(source).c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || S_ISDIR(st.st_mode))
      fail("{}: paths: hard link source '/{}' is not an existing file", where_, source);
    UniqueFd parent = parent_of(path);
    remove_existing(parent.get(), base(path));
    if (::linkat(source_parent.get(), base(source).c_str(), parent.get(), base(path).c_str(), 0) != 0)
      fail_errno(fmt::format("{}: paths: cannot link '/{}' to '/{}'", where_, path, source));
    if (auto it = owners_.find(source); it != owners_.end()) owners_[path] = it->second;
  }

  void set_one(int parent, const std::string& path, const PathMutation& m) {
    struct stat st {};
    if (::fstatat(parent, base(path).c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      fail_errno(fmt::format("{}: paths: '/{}'", where_, path));
    if (S_ISLNK(st.st_mode)) return;  // a symlink's own mode means nothing
    index::FileAcl acl;
    if (auto it = owners_.find(path); it != owners_.end()) acl = it->second;
    else acl = index::FileAcl{0, 0, static_cast<uint32_t>(st.st_mode & 07777), {}};
    if (m.permissions) {
      if (::fchmodat(parent, base(path).c_str(), *m.permissions, 0) != 0)
        fail_errno(fmt::format("{}: paths: cannot chmod '/{}'", where_, path));
      acl.mode = *m.permissions;
    }
    // apko: when only one of uid/gid is given the other is 0; when neither, ownership is untouched.
    if (m.uid || m.gid) {
      acl.uid = m.uid.value_or(0);
      acl.gid = m.gid.value_or(0);
    }
    owners_[path] = acl;
  }

  void set_owner_and_mode(const std::string& path, const PathMutation& m) {
    if (!m.permissions && !m.uid && !m.gid) return;
    if (path.empty()) fail("{}: paths: the image root itself cannot be changed", where_);
    UniqueFd parent = parent_of(path);
    set_one(parent.get(), path, m);
    if (!m.recursive) return;
    // Every entry below, without following symlinks (the walk never leaves `path`).
    UniqueFd top = open_beneath(path, O_DIRECTORY | O_RDONLY, path);
    walk(top.get(), path, m);
  }

  void walk(int dir_fd, const std::string& path, const PathMutation& m) {
    int dup = ::dup(dir_fd);
    DIR* dir = ::fdopendir(dup);
    if (!dir) fail_errno("cannot read " + path);
    std::vector<std::pair<std::string, bool>> children;
    while (dirent* entry = ::readdir(dir)) {
      std::string name = entry->d_name;
      if (name == "." || name == "..") continue;
      struct stat st {};
      if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      children.emplace_back(name, S_ISDIR(st.st_mode));
    }
    ::closedir(dir);
    for (const auto& [name, is_dir] : children) {
      std::string child = path + "/" + name;
      set_one(dir_fd, child, m);
      if (!is_dir) continue;
      UniqueFd sub(::openat(dir_fd, name.c_str(), O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
      if (sub.valid()) walk(sub.get(), child, m);
    }
  }

  UniqueFd root_fd_;
  OwnerMap& owners_;
  std::string where_;
};

}  // namespace

void set_mode_in_root(const index::RootDir& root, std::string_view relative, uint32_t mode) {
  std::string path(relative);
  size_t slash = path.rfind('/');
  index::UniqueFd parent = root.open_dir(slash == std::string::npos ? "" : path.substr(0, slash));
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  struct stat st {};
  // fchmodat cannot refuse to follow a symlink: make sure the entry is not one.
  if (::fstatat(parent.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || S_ISLNK(st.st_mode)) return;
  if (::fchmodat(parent.get(), name.c_str(), mode, 0) != 0) fail_errno("cannot chmod " + root.display(relative));
}

void apply_paths(const std::filesystem::path& root, const std::vector<PathMutation>& mutations, OwnerMap& owners) {
  Mutator mutator(root, owners);
  for (const auto& m : mutations) mutator.apply(m);
}

}  // namespace lupine::image
