// lib/apk/db/installed (reference/apk.md §5.2): one stanza per installed package — the index
// header fields (index_record.h), then `g r q s f`, then per directory `F:` [`M:`] and per file
// `R:` [`a:`] [`Z:`] — read and written exactly as apk-tools 3 does (database.c apk_db_fdb_read /
// apk_db_fdb_write).
#pragma once

#include "index/index_record.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lupine::index {

// Owner, permission bits and xattr digest of a directory (`M:`) or file (`a:`).
struct FileAcl {
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t mode = 0;         // permission bits (07777), written in octal
  std::string xattr_digest;  // "Q1..." (SHA-1 of the xattrs, see xattr_digest()), empty when none

  bool operator==(const FileAcl&) const = default;
};

// apk-tools leaves out `M:` for 0:0:755 directories and `a:` for 0:0:644 files.
inline FileAcl default_dir_acl() { return FileAcl{0, 0, 0755, {}}; }
inline FileAcl default_file_acl() { return FileAcl{0, 0, 0644, {}}; }

struct InstalledFile {
  std::string name;               // R: name within its directory
  FileAcl acl = default_file_acl();  // a:
  std::string digest;             // Z: "Q1" + base64 SHA-1 of the contents (symlinks: of the target)
};

struct InstalledDir {
  std::string path;               // F: relative to the root, no leading or trailing '/'; "" = the root
  FileAcl acl = default_dir_acl();  // M:
  std::vector<InstalledFile> files;
};

// One stanza of the installed database (solver.h's InstalledPackage is the solver's view of it:
// a pointer to its record and its tag).
struct InstalledDbPackage {
  IndexRecord record;  // C P V A S I T U L o m t c k D p i, and r q (replaces, replaces_priority)
  std::vector<std::string> tags;  // g:
  std::string repository_tag;     // s: the repository tag (pinning) it was installed from
  // f: flags, written in this order: f (broken files), s (broken script), x (broken xattrs),
  // S (file digests are SHA-256 truncated to 160 bits).
  bool broken_files = false;
  bool broken_script = false;
  bool broken_xattr = false;
  bool sha256_160 = false;
  std::vector<InstalledDir> dirs;  // in the order apk-tools records them
  // Kept beside the installed file (installed_scripts.h): scripts.tar entries and triggers.
  std::vector<std::pair<std::string, std::string>> scripts;  // {"post-install", contents}
  std::vector<std::string> triggers;                         // directory globs

  // The package's files as root-relative paths, in db order.
  std::vector<std::string> file_paths() const;
};

// Parses an installed database. Every field apk-tools 3 knows is kept; an unknown field is an error
// (apk-tools: "This apk-tools is too old to handle installed packages"), as is a malformed line,
// a malformed acl or digest, an `M:`/`R:` outside a directory, an `a:`/`Z:` outside a file, a
// stanza without C:, P: or V:, and a package listed twice. Errors name `origin`:line.
std::vector<InstalledDbPackage> parse_installed_db(std::string_view text, const std::string& origin);

// Writes the stanzas in the order given (apk-tools writes them sorted: sort_installed_packages).
std::string format_installed_db(const std::vector<InstalledDbPackage>& packages);
void append_installed_package(std::string& out, const InstalledDbPackage& package);

// apk-tools' order of the installed database: by name (case-insensitive, then bytewise), version.
void sort_installed_packages(std::vector<InstalledDbPackage>& packages);

// `uid:gid:mode[:xattrdigest]` as written after `M:` and `a:`.
std::string format_acl(const FileAcl& acl);

// The digest apk-tools records for a file's extended attributes (src/io.c
// apk_fileinfo_hash_xattr_array): "Q1" + base64 SHA-1 over the xattrs sorted by name, each as
// be32(len(name)) name be32(len(value)) value. Empty for no xattrs.
std::string xattr_digest(std::vector<std::pair<std::string, std::string>> xattrs);

// "Q1" + base64 of a raw SHA-1 digest, as the `Z:` and `C:` fields hold them.
std::string q1_digest(std::string_view raw_sha1);

// Is `text` a digest apk-tools can read ("Q1"/"Q2" + base64, "X1"/"X2" + hex, of the right length)?
bool valid_digest(std::string_view text);

}  // namespace lupine::index
