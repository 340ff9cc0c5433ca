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

// What commit() does for the data before the rename. Either way readers, a killed process and a
// crash of lupine only ever see the old or the whole new file; the difference is a power cut or
// kernel crash in the seconds after commit().
enum class Durability {
  // fsync, then rename: the new file is on disk before its name is. Costs a journal commit and a
  // disk flush: ~0.5 ms on an idle disk, 10 ms and more on a busy one.
  synced,
  // Writeback of the data is started (sync_file_range, not waited for), then rename. For output
  // that can be made again from its inputs (a repository index): after a power cut in the next
  // moments the path may hold an empty or short file, which readers refuse (bad gzip or
  // signature) and a rerun replaces. ext4 (data=ordered, auto_da_alloc) flushes the data of a
  // file renamed over another before committing the rename anyway.
  write_back,
};

// A file written under a temporary name and renamed into place by commit(). Destroyed without
// commit(), the temporary file is removed: no half-written output is ever visible at `path`.
class AtomicFile {
 public:
  AtomicFile(std::filesystem::path path, unsigned mode = 0644, Durability durability = Durability::synced);
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
  Durability durability_;
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
