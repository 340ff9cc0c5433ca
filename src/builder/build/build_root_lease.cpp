#include "builder/build/build_root_lease.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

namespace lupine::builder {
namespace fs = std::filesystem;

RootLease::~RootLease() { ::close(fd_); }

std::shared_ptr<RootLease> lease_root(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  auto lease = std::make_shared<RootLease>(fd);
  if (::flock(fd, LOCK_SH) != 0) return nullptr;
  // A pruner may have renamed it away while we waited for the lock.
  struct stat held {}, named {};
  if (::fstat(fd, &held) != 0 || ::stat(path.c_str(), &named) != 0 || held.st_ino != named.st_ino ||
      held.st_dev != named.st_dev)
    return nullptr;
  ::futimens(fd, nullptr);  // most recently used: pruned last
  return lease;
}

size_t prune_roots(const fs::path& cache_dir, size_t keep, const std::function<void(const std::string&)>& log) {
  std::error_code error;
  fs::path roots = cache_dir / "roots";
  std::vector<std::pair<fs::file_time_type, fs::path>> found;
  for (const auto& entry : fs::directory_iterator(roots, error)) {
    if (entry.path().filename().string().rfind(".tmp-", 0) == 0 || !entry.is_directory(error)) continue;
    found.emplace_back(fs::last_write_time(entry.path(), error), entry.path());
  }
  if (found.size() <= keep) return 0;
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  size_t removed = 0;
  for (size_t i = keep; i < found.size(); ++i) {
    const fs::path& root = found[i].second;
    int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {  // a build is using it
      ::close(fd);
      continue;
    }
    std::string away = (roots / ".tmp-pruned-XXXXXX").string();
    bool moved = ::mkdtemp(away.data()) && ::rename(root.c_str(), away.c_str()) == 0;
    ::close(fd);
    if (!moved) {
      fs::remove(away, error);
      continue;
    }
    fs::remove_all(away, error);
    ++removed;
    if (log) log(fmt::format("removed the unused build root {}", root.filename().string().substr(0, 12)));
  }
  return removed;
}

}  // namespace lupine::builder
