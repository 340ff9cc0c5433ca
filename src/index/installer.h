// Installing packages into a root directory (reference/apk.md §5): what `apk add --root R
// --initdb --no-scripts` does with an already-solved, already-verified list of packages — the
// files, lib/apk/db/{installed,scripts.tar,triggers}, etc/apk/{world,arch,repositories,keys}.
// Scripts are recorded, never run.
#pragma once

#include "apk/package.h"
#include "index/index_record.h"

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lupine::index {

struct PlannedPackage {
  // Read and verified by the caller (its signature, or the index's C: and its datahash). Must
  // outlive install_packages.
  const apk::Package* package = nullptr;
  // The header the installed database records (C P V A S I T U L o m t c k D p i): the index
  // stanza it was chosen from, or index_record_from_package(). Its identity must be the package's.
  // `replaces`, `replaces_priority` and trigger globs come from the package's .PKGINFO, as apk-tools.
  IndexRecord record;
  std::string repository_tag;  // `s:` — the pinned repository tag it came from, if any
};

struct InstallPlan {
  std::vector<PlannedPackage> install;  // in order; a name already installed is upgraded (or reinstalled)
  std::vector<std::string> remove;      // names of installed packages to remove
  // The new etc/apk/world (dependencies as written, e.g. "busybox", "foo>=1.2"); nullopt keeps it.
  std::optional<std::vector<std::string>> world;
};

struct InstallOptions {
  // etc/apk/arch: written when set; a new root without it gets the host's (as apk-tools).
  // Packages are not checked against it: choosing installable packages is the solver's job.
  std::string arch;
  // etc/apk/repositories, one per line; nullopt keeps it (a new root gets an empty file).
  std::optional<std::vector<std::string>> repositories;
  // Public key files (or directories of them) copied into etc/apk/keys.
  std::vector<std::filesystem::path> keys;
  // Set owners (chown) and create device nodes. Default: when running as root. Without it owners
  // are only recorded in the database (as `a:`/`M:`), and see skip_device_nodes.
  bool privileged = default_privileged();
  // Unprivileged installs cannot mknod: by default a package holding a character or block device
  // is refused before anything is written; with this set such entries are skipped with a warning
  // and the package is marked broken (`f:f`), as apk-tools marks a failed extraction.
  bool skip_device_nodes = false;
  // Warnings (skipped device nodes, xattrs that could not be set) as they happen.
  std::function<void(const std::string&)> on_warning;
  // Called before each package is installed, e.g. "(1/3) Installing musl (1.2.3-r0)".
  std::function<void(const std::string&)> on_progress;
  // apply_add (package_add.h) only: every package fetched must have its signed SLSA provenance
  // beside it in the repository, verified with the repositories' keyring (apk/provenance.h).
  bool require_provenance = false;

  static bool default_privileged();
};

struct InstallReport {
  std::vector<std::string> installed;  // "name-version", newly installed
  std::vector<std::string> upgraded;   // "name-old -> new"
  std::vector<std::string> removed;    // "name-version"
  size_t files_written = 0;
  size_t files_removed = 0;
  size_t busybox_links = 0;  // made by apply_add afterwards (busybox_links.h)
  // apply_add with require_provenance: "name-version" → sha256 of the provenance envelope verified.
  std::map<std::string, std::string> provenance_sha256;
  std::vector<std::string> warnings;
};

// Installs `plan` into `root` (created when missing, with `apk add --initdb` semantics):
//
// 1. lays out the root (root_layout.h) and takes lib/apk/db/lock;
// 2. checks every package of the plan before writing anything: entry names must be safe relative
//    paths (no `..`, absolute names, `.` or empty components, control characters — apk-tools'
//    "malicious file"); a file's directory must be a directory entry of the same package ("no
//    dirent in archive"; top-level files excepted); a hard link's target an earlier file of it;
//    a path may not appear twice with different types; files other installed packages own are
//    settled by replaces (file_ownership.h) — a conflict is an error naming both packages and
//    the path;
// 3. writes each entry to a temporary name in its directory, sets owner (when privileged), mode,
//    xattrs (a failure is a warning and `f:x`, as apk-tools; directories' xattrs are only
//    recorded, as apk-tools does) and mtime, then renames it into place. Directories are opened
//    with openat2(RESOLVE_IN_ROOT), so the root's symlinks — `lib -> usr/lib`, `var/run -> /run` —
//    behave as in a chroot and never lead outside. Directory permissions follow apk-tools: set
//    when created; an existing directory is left alone unless this run created it or found it
//    with its owner's acl and a package with a different acl takes it over;
// 4. removes files an upgrade no longer ships and those of removed packages;
// 5. writes scripts.tar (or scripts.tar.gz where the root already uses it), triggers, world,
//    arch, repositories, keys, and lib/apk/db/installed last, each atomically;
// 6. drops the backups, then removes directories no package lists any more, when empty.
//
// A failure after the first write rolls back everything this run changed (replaced files are
// restored from backups kept until the end, new ones removed), so the root is as before. While a
// transaction runs, lib/apk/db/lupine-transaction exists; if a rollback itself fails (or the
// process dies), it stays with the reason and later installs refuse the root until it is checked.
InstallReport install_packages(const std::filesystem::path& root, const InstallPlan& plan,
                               const InstallOptions& options);

}  // namespace lupine::index
