// Deciding everything an install does before touching the root: which entries are written or
// skipped, which files and directories become stale, and the installed database that results.
// Every refusal (unsafe names, "no dirent in archive", file conflicts, device nodes that cannot be
// made) happens here, so a refused plan leaves the root exactly as it was.
#pragma once

#include "apk/tar.h"
#include "index/installed_db.h"
#include "index/installer.h"
#include "index/root_layout.h"

#include <optional>
#include <string>
#include <vector>

namespace lupine::index {

struct EntryStep {
  enum class Kind {
    directory,    // create it, or take over its permissions (see below)
    write,        // a file, symlink, hard link, device node or fifo
    skip_kept,    // another package keeps this file (its replaces has priority)
    skip_device,  // a device node an unprivileged install cannot create (skip_device_nodes)
  };
  Kind kind = Kind::write;
  const apk::TarItem* item = nullptr;
  // Directories (apk-tools database.c apk_db_install_file, apk_db_dir_prepare): the acl of the
  // package whose permissions the directory had before this entry, nullopt when no package listed
  // it; and whether this entry's package takes it over with a different acl.
  std::optional<FileAcl> expected_acl;
  bool takes_acl = false;
  // Directories: a non-directory found at the path may be replaced (nobody keeps it).
  bool may_replace_non_directory = false;
};

struct PackageSteps {
  const PlannedPackage* planned = nullptr;
  std::optional<std::string> old_version;  // set for an upgrade (or reinstall)
  std::vector<EntryStep> steps;
};

// A directory whose owning package goes away, leaving it to another with a different acl.
struct DirOwnerChange {
  std::string path;
  FileAcl acl;
};

struct TransactionPlan {
  std::vector<PackageSteps> packages;
  std::vector<DirOwnerChange> dir_owner_changes;  // after the packages' entries
  std::vector<std::string> stale_files;  // no longer owned: removed after extraction
  std::vector<std::string> stale_dirs;   // no longer listed by any package: removed when empty (deepest first)
  std::vector<InstalledDbPackage> installed;  // the new installed database, sorted as apk-tools writes it
  std::vector<std::string> removed;         // "name-version" of removed packages
};

// Plans `plan` against the packages installed now. Throws lupine::Error on any refusal; file
// conflicts are collected for the whole package and reported together.
TransactionPlan plan_transaction(const InstalledState& state, const InstallPlan& plan, const InstallOptions& options);

// Why `path` is refused as an entry name (apk-tools' "ignoring malicious file": absolute, control
// characters, `.`/`..` or empty components), nullopt when it is acceptable.
std::optional<std::string> malicious_path_reason(std::string_view path);

}  // namespace lupine::index
