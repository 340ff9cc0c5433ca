// File access inside an install root as if it were '/': every path is resolved with
// openat2(RESOLVE_IN_ROOT), so a package's absolute symlinks (`var/run -> /run`, `lib -> /usr/lib`)
// lead where they would inside a chroot and nothing can reach outside the root.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace lupine::index {

// An owned file descriptor, closed on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd();
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

// Owner and permission bits of an inode, as lstat reports them.
struct NodeStat {
  mode_t type = 0;  // S_IFDIR, S_IFREG, S_IFLNK, ...
  uint32_t mode = 0;  // permission bits (07777)
  uint32_t uid = 0;
  uint32_t gid = 0;
};

// The last component of a '/'-separated relative path.
std::string_view base_name(std::string_view path);

class RootDir {
 public:
  // Opens `root`, which must be an existing directory.
  explicit RootDir(const std::filesystem::path& root);

  const std::filesystem::path& path() const { return path_; }
  int fd() const { return fd_.get(); }

  // The directory `relative` ("" = the root), resolved in the root; throws naming the path.
  UniqueFd open_dir(std::string_view relative) const;
  // As open_dir, but nullopt when a component is missing or not a directory.
  std::optional<UniqueFd> try_open_dir(std::string_view relative) const;

  // lstat of `relative` (its last component is not followed); nullopt when it does not exist.
  std::optional<NodeStat> lstat(std::string_view relative) const;

  // Creates `relative` and missing parents (mode `mode`, root-owned as the caller is). Existing
  // components are kept as they are, symlinks to directories included.
  void make_dirs(std::string_view relative, uint32_t mode) const;

  // The contents of regular file `relative`, nullopt when it does not exist.
  std::optional<std::string> read_file(std::string_view relative) const;

  // Replaces `relative` atomically: a temporary file in the same directory, fsync'd, renamed over.
  void write_file_atomic(std::string_view relative, std::string_view data, uint32_t mode) const;

  // Removes file `relative` if it exists.
  void remove_file(std::string_view relative) const;

  // The path shown in messages: the root path joined with `relative`.
  std::string display(std::string_view relative) const;

 private:
  std::filesystem::path path_;
  UniqueFd fd_;
};

// A short random hex string for temporary names.
std::string random_token();

}  // namespace lupine::index
