#include "apk/tree.h"

#include "common/error.h"
#include "common/fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <utility>

namespace lupine::apk {

namespace {

// Extended attributes worth carrying in a package: file capabilities and user attributes.
// security.selinux and the like describe the build host, not the package.
bool keep_xattr(std::string_view name) {
  return name.starts_with("user.") || name == "security.capability";
}

std::string read_link(const std::filesystem::path& path) {
  std::string target(256, '\0');
  for (;;) {
    ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
    if (n < 0) fail_errno(fmt::format("cannot read symlink {}", path.string()));
    if (static_cast<size_t>(n) < target.size()) {
      target.resize(static_cast<size_t>(n));
      return target;
    }
    target.resize(target.size() * 2);
  }
}

void walk(const std::filesystem::path& root, const std::string& relative, std::vector<std::string>& out) {
  std::filesystem::path directory = relative.empty() ? root : root / relative;
  DIR* dir = ::opendir(directory.c_str());
  if (!dir) fail_errno(fmt::format("cannot read directory {}", directory.string()));
  std::vector<std::pair<std::string, bool>> children;
  while (dirent* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    bool is_dir = entry->d_type == DT_DIR;
    if (entry->d_type == DT_UNKNOWN) {
      struct stat st {};
      is_dir = ::lstat((directory / name).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    }
    children.emplace_back(std::move(name), is_dir);
  }
  ::closedir(dir);
  for (auto& [name, is_dir] : children) {
    std::string path = relative.empty() ? name : relative + "/" + name;
    out.push_back(path);
    if (is_dir) walk(root, path, out);
  }
}

}  // namespace

std::vector<TreeEntry> scan_tree(const std::filesystem::path& root, const TreeOptions& options) {
  struct stat root_stat {};
  if (::stat(root.c_str(), &root_stat) != 0) fail_errno(fmt::format("cannot pack {}", root.string()));
  if (!S_ISDIR(root_stat.st_mode)) fail("cannot pack {}: not a directory", root.string());

  std::vector<std::string> paths;
  walk(root, "", paths);
  std::sort(paths.begin(), paths.end());  // bytewise: a directory precedes everything inside it

  std::vector<TreeEntry> entries;
  entries.reserve(paths.size());
  std::map<std::pair<dev_t, ino_t>, std::string> first_link;
  for (const auto& path : paths) {
    std::filesystem::path source = root / path;
    struct stat st {};
    if (::lstat(source.c_str(), &st) != 0) fail_errno(fmt::format("cannot stat {}", source.string()));
    TreeEntry item;
    TarEntry& entry = item.entry;
    entry.path = path;
    entry.mode = st.st_mode & 07777;
    entry.mtime = options.mtime;
    if (options.keep_owners) {
      auto uid = options.uid_map.find(st.st_uid);
      auto gid = options.gid_map.find(st.st_gid);
      entry.uid = uid == options.uid_map.end() ? st.st_uid : uid->second;
      entry.gid = gid == options.gid_map.end() ? st.st_gid : gid->second;
    }
    if (S_ISREG(st.st_mode)) {
      if (st.st_nlink > 1) {
        auto [it, inserted] = first_link.emplace(std::make_pair(st.st_dev, st.st_ino), path);
        if (!inserted) {
          entry.type = TarType::hardlink;
          entry.link_target = it->second;
          entries.push_back(std::move(item));
          continue;
        }
      }
      entry.type = TarType::regular;
      entry.size = static_cast<uint64_t>(st.st_size);
      item.source = source;
    } else if (S_ISDIR(st.st_mode)) {
      entry.type = TarType::directory;
    } else if (S_ISLNK(st.st_mode)) {
      entry.type = TarType::symlink;
      entry.link_target = read_link(source);
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
      entry.type = S_ISCHR(st.st_mode) ? TarType::chardev : TarType::blockdev;
      entry.devmajor = major(st.st_rdev);
      entry.devminor = minor(st.st_rdev);
    } else if (S_ISFIFO(st.st_mode)) {
      entry.type = TarType::fifo;
    } else {
      fail("cannot pack {}: sockets and other special files have no place in a package", source.string());
    }
    if (entry.type != TarType::symlink) entry.xattrs = read_xattrs(source, keep_xattr);
    entries.push_back(std::move(item));
  }
  return entries;
}

}  // namespace lupine::apk
