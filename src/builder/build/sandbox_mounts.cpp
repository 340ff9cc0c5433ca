#include "builder/build/sandbox_mounts.h"

#include "common/error.h"

#include <sys/stat.h>

#include <algorithm>

namespace lupine::builder {
namespace {

bool is_strictly_below(const std::string& path, const std::string& directory) {
  return path.size() > directory.size() + 1 && path.compare(0, directory.size(), directory) == 0 &&
         path[directory.size()] == '/';
}

// Binds the entries of `host_dir` at `sandbox_dir` ("" for /), descending where a mount point lies.
void add_directory(const std::filesystem::path& host_dir, const std::string& sandbox_dir,
                   const std::vector<std::string>& mount_points, std::vector<std::string>& args) {
  std::vector<std::filesystem::path> entries;
  std::error_code error;
  for (std::filesystem::directory_iterator it(host_dir, error), end; !error && it != end; it.increment(error))
    entries.push_back(it->path());
  if (error) fail("cannot list {}: {}", host_dir.string(), error.message());
  std::sort(entries.begin(), entries.end());  // the same command line for the same root

  for (const auto& host_path : entries) {
    std::string sandbox_path = sandbox_dir + "/" + host_path.filename().string();
    // Mounted over anyway (bwrap makes the mount point on the tmpfs).
    if (std::find(mount_points.begin(), mount_points.end(), sandbox_path) != mount_points.end()) continue;

    struct stat info {};
    if (lstat(host_path.c_str(), &info) != 0) fail_errno("cannot stat " + host_path.string());
    bool holds_mount_point = std::any_of(mount_points.begin(), mount_points.end(), [&](const std::string& point) {
      return is_strictly_below(point, sandbox_path);
    });
    if (S_ISLNK(info.st_mode)) {
      std::error_code link_error;
      auto target = std::filesystem::read_symlink(host_path, link_error);
      if (link_error) fail("cannot read symlink {}: {}", host_path.string(), link_error.message());
      args.insert(args.end(), {"--symlink", target.string(), sandbox_path});
    } else if (S_ISDIR(info.st_mode) && holds_mount_point) {
      args.insert(args.end(), {"--perms", fmt::format("{:04o}", info.st_mode & 07777), "--dir", sandbox_path});
      add_directory(host_path, sandbox_path, mount_points, args);
    } else {
      args.insert(args.end(), {"--ro-bind", host_path.string(), sandbox_path});
    }
  }
}

}  // namespace

std::string sandbox_absolute_path(std::string_view path, std::string_view what) {
  if (path.empty() || path.front() != '/') fail("{} must be an absolute path inside the sandbox, not '{}'", what, path);
  std::string normal;
  size_t start = 1;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view component = path.substr(start, slash - start);
    if (component == "..") fail("{} may not contain '..': '{}'", what, path);
    if (!component.empty() && component != ".") {
      normal += '/';
      normal += component;
    }
    start = slash + 1;
  }
  return normal.empty() ? "/" : normal;
}

std::vector<std::string> read_only_root_arguments(const std::filesystem::path& root,
                                                  const std::vector<std::string>& mount_points) {
  std::vector<std::string> args;
  add_directory(root, "", mount_points, args);
  return args;
}

}  // namespace lupine::builder
