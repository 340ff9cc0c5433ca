// The image's one layer: the root filesystem as a tar (reference/apko.md §2.4), gzip-compressed.
//
// * Order: each directory's entries sorted bytewise and walked depth-first (fs.WalkDir's order,
//   as apko); the root itself is not an entry; names have no leading "./" or '/'.
// * Owners and modes come from the OwnerMap (image/owners.h), not from the disk, so package owners
//   survive an unprivileged build; other entries are root:root with their on-disk permission bits.
//   uname/gname are filled from the image's own /etc/passwd and /etc/group.
// * Timestamps: every entry's mtime is the build's SOURCE_DATE_EPOCH. lupine clamps all mtimes
//   (apko keeps each package file's own mtime): one timestamp makes the layer depend on nothing
//   but the content, and packages built by lupine carry that same epoch anyway.
// * A second path to an inode already written is a hard link to the first (in walk order).
// * xattrs (user.*, security.capability, trusted.*) as SCHILY.xattr PAX records; the host's
//   security.selinux labels and system.* ACLs are not image content and are left out.
// * gzip: apk/gzip.h's deterministic writer — the output depends only on the tar bytes and the
//   level, not on the thread count.
// The diffID (sha256 of the tar) and the digest (sha256 of the gzip) are computed while writing.
#pragma once

#include "image/owners.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>

namespace lupine::image {

struct LayerOptions {
  int64_t mtime = 0;
  const OwnerMap* owners = nullptr;
  std::map<uint32_t, std::string> user_names;   // uid → name, from the image's /etc/passwd
  std::map<uint32_t, std::string> group_names;  // gid → name, from the image's /etc/group
  int level = 6;
  unsigned threads = 0;  // 0 = one per core
  // When set, only these entries (root-relative paths; a directory is walked only when listed):
  // one layer of a layered image (layering.h).
  const std::set<std::string>* only = nullptr;
};

struct LayerBlob {
  std::string diff_id;  // "sha256:<hex>" of the uncompressed tar
  std::string digest;   // "sha256:<hex>" of the compressed blob
  uint64_t size = 0;    // bytes of the compressed blob
  uint64_t entries = 0;
};

// Writes the layer of `root` to `output` (atomically: a temporary name, renamed at the end).
LayerBlob write_layer(const std::filesystem::path& root, const LayerOptions& options, const std::filesystem::path& output);

// uid → name (or gid → name) from a passwd/group text: the first entry of each id.
std::map<uint32_t, std::string> names_by_id(std::string_view passwd_or_group);

}  // namespace lupine::image
