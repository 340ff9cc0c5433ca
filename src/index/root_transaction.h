// Changing files in an install root so that every change can be undone: each operation keeps what
// it replaced (a hard link or rename to a backup name in the same directory) and records how to
// undo it; rollback() undoes them in reverse, finish() drops the backups.
#pragma once

#include "apk/tar.h"
#include "index/installed_db.h"
#include "index/root_fs.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lupine::index {

class RootTransaction {
 public:
  struct Options {
    bool privileged = false;  // chown to the entry's owner; else keep the caller's
    std::function<void(const std::string&)> warn;
    // A root with nothing installed yet (a new build root or image): a regular file whose path is
    // free is written in place (O_EXCL) rather than under a temporary name renamed over it — a
    // rename less per file. It can be seen half-written only while this install runs (no one
    // uses a root being made), and rollback removes it like any created file.
    bool new_root = false;
  };

  RootTransaction(const RootDir& root, Options options);
  RootTransaction(const RootTransaction&) = delete;
  RootTransaction& operator=(const RootTransaction&) = delete;

  // A directory entry, with apk-tools' rules (database.c apk_db_install_file, apk_db_dir_prepare,
  // apk_db_dir_update_permissions). The first time this run meets a directory: missing, it is
  // created with the entry's owner and mode (xattrs are only recorded, as apk-tools does);
  // present, it is left as it is — but it counts as "ours" (its permissions may be changed later in
  // this run) when it was created, or still has `expected_acl`, the acl of the package that owned
  // it. Later entries that take the directory over (`takes_acl`) set their acl on one that counts
  // as ours. Any non-directory in the way is replaced when `may_replace`, else an error; a
  // symlink resolving to a directory inside the root is kept.
  void make_directory(const apk::TarEntry& entry, const std::optional<FileAcl>& expected_acl, bool takes_acl,
                      bool may_replace);

  // A directory's owning package went away and another, with `acl`, took over: applied when the
  // directory counts as ours in this run (apk_db_diri_remove).
  void directory_owner_changed(const std::string& path, const FileAcl& acl);

  // A non-directory entry, written to a temporary name beside its path (owner, mode, xattrs, mtime
  // set there) and renamed over it (in a new root, a regular file on a free path: in place). An empty directory in the way is replaced; a non-empty one is
  // an error. Returns false when xattrs could not all be set (warned).
  bool write_entry(const apk::TarItem& item, const std::string& origin);

  // Removes a file (any non-directory) that no package owns any more; a missing one is fine.
  void remove_file(const std::string& path);

  // Removes an empty directory no package lists any more; a non-empty one stays. Not undoable:
  // for after finish(), since until then backups of removed files keep their directories busy.
  void prune_directory(const std::string& path);

  // Writes a database or configuration file atomically (temp + rename), unless it already holds
  // `data`.
  void write_file(const std::string& path, const std::string& data, uint32_t mode);

  // Undoes every change in reverse order. Returns what could not be undone (empty when all was).
  std::vector<std::string> rollback();

  // Keeps the changes: removes the backups (a failure there is only a warning).
  void finish();

  size_t changes() const { return undo_.size(); }

 private:
  struct Undo {
    enum class Kind { created, replaced, removed, created_dir, changed_dir, wrote_file } kind;
    std::string path;
    std::string backup;               // replaced/removed: the backup's name in the same directory
    bool backup_is_dir = false;       // replaced: an empty directory was moved aside
    NodeStat before;                  // changed_dir: the directory's owner and mode
    std::optional<std::string> old_contents;  // wrote_file: nullopt when the file did not exist
    uint32_t file_mode = 0644;
  };

  int parent_fd(std::string_view path);
  void set_directory_acl(const std::string& path, uint32_t uid, uint32_t gid, uint32_t mode);
  uint32_t disk_mode(uint32_t mode) const;
  void set_xattrs_by_path(int dir_fd, const std::string& name, const apk::TarEntry& entry, bool& ok);
  // Fills the new regular file `fd` (already named `node` in `dir_fd`): data, owner, mode, xattrs,
  // mtime. Returns false when xattrs could not all be set (warned).
  bool fill_regular_file(int fd, const apk::TarItem& item, const std::string& origin);
  std::string backup_name() const;
  void undo(const Undo& undo);

  const RootDir& root_;
  Options options_;
  std::vector<Undo> undo_;
  // Directories met in this run (apk-tools' dir->created), and whether their permissions may be
  // changed (dir->permissions_ok).
  std::map<std::string, bool, std::less<>> directories_;
  // The directory of the previous entry, reused while entries stay in it.
  std::string cached_parent_;
  UniqueFd cached_parent_fd_;
};

}  // namespace lupine::index
