// Keeping the root cache bounded without pulling a root from under a build that uses it.
//
// A build holds a lease on its root — a shared flock on the root directory — for as long as it
// runs. Pruning keeps the `keep` most recently used roots (a root's directory mtime is touched each
// time it is leased) and removes older ones only when it gets the exclusive lock, i.e. when no build
// holds a lease; it renames the root away under that lock before deleting it. A build that finds a
// root takes the shared lock and then checks the path still names the same directory: if a pruner
// renamed it meanwhile, the build installs a fresh one instead.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace lupine::builder {

class RootLease {
 public:
  explicit RootLease(int fd) : fd_(fd) {}
  ~RootLease();
  RootLease(const RootLease&) = delete;
  RootLease& operator=(const RootLease&) = delete;

 private:
  int fd_;
};

// Leases the root directory at `path` (and marks it used now); nullptr when it does not exist (any
// more).
std::shared_ptr<RootLease> lease_root(const std::filesystem::path& path);

// Removes all but the `keep` most recently used roots in `<cache_dir>/roots`, skipping leased ones.
// Returns how many were removed; `log` hears about each.
size_t prune_roots(const std::filesystem::path& cache_dir, size_t keep,
                   const std::function<void(const std::string&)>& log = {});

}  // namespace lupine::builder
