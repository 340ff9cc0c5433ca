// Building a package's `F:`/`R:` records while its data entries are installed, in the order
// apk-tools 3 gives them (database.c, the apk_ipkg_creator): directories in the order they are
// first needed — except that once more than 32 were added out of order, the next lookup sorts the
// list (apk_db_diri_bsearch) — and the files of each directory sorted bytewise
// (apk_db_ipkg_commit_files). Matching that order is what makes the written database identical.
#pragma once

#include "index/installed_db.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lupine::index {

class InstalledFilesBuilder {
 public:
  // A directory entry (apk_db_diri_get): creates or selects its record and sets its acl.
  void add_dir(std::string_view path, const FileAcl& acl);

  // Is there a record for `dir` (apk_db_diri_query)? A file may only go into a directory of its
  // own package ("no dirent in archive"), except at the top level ("").
  bool has_dir(std::string_view dir);

  // A file (any non-directory entry) in `dir`; the top-level record "" is created on demand.
  // Adding a name twice replaces the earlier record.
  void add_file(std::string_view dir, InstalledFile file);

  // The record of file `path` of this package (for a hard link's digest), nullptr when none.
  const InstalledFile* find_file(std::string_view path);

  std::vector<InstalledDir> finish() const;

 private:
  std::optional<size_t> bsearch(std::string_view dir);
  void select(std::string_view dir) { current_ = std::string(dir); }

  std::vector<std::string> order_;  // ic->diris
  size_t unsorted_ = 0;             // ic->num_unsorted_diris
  std::optional<std::string> current_;  // ic->diri
  std::map<std::string, InstalledDir, std::less<>> dirs_;
};

}  // namespace lupine::index
