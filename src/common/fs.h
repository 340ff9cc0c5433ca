// Files: whole-file reads, atomic writes (temp file + rename), temporary directories.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lupine {

std::string read_file(const std::filesystem::path& path);

// The extended attributes of `path` (not following a symlink) whose names `keep` accepts, sorted by
// name; attributes that vanish or cannot be read meanwhile are left out.
std::vector<std::pair<std::string, std::string>> read_xattrs(const std::filesystem::path& path,
                                                             bool (*keep)(std::string_view name));

// Writes `data` to `path` atomically: a temp file in the same directory, fsync'd, renamed over.
void write_file_atomic(const std::filesystem::path& path, std::string_view data, unsigned mode = 0644);

// A file written under a temporary name and renamed into place by commit(). Destroyed without
// commit(), the temporary file is removed: no half-written output is ever visible at `path`.
class AtomicFile {
 public:
  AtomicFile(std::filesystem::path path, unsigned mode = 0644);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(std::string_view data);
  void commit();
  int fd() const { return fd_; }
  const std::filesystem::path& temp_path() const { return temp_path_; }

 private:
  std::filesystem::path path_;
  std::filesystem::path temp_path_;
  int fd_ = -1;
  bool committed_ = false;
};

// A temporary directory removed (recursively) on destruction.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "lupine");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Writes all of `data` to `fd`, retrying short writes; throws naming `what`.
void write_all(int fd, std::string_view data, const std::string& what);

}  // namespace lupine
