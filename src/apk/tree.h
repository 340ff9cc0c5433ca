// Scanning a directory tree into the entries of a package's data member: sorted so parents come
// before children, hard links detected, xattrs kept, timestamps and (by default) owners normalised.
#pragma once

#include "apk/tar.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace lupine::apk {

struct TreeEntry {
  TarEntry entry;                 // checksum_sha1 is filled in when the contents are written
  std::filesystem::path source;   // the file on disk (regular files)
};

struct TreeOptions {
  int64_t mtime = 0;         // every entry's timestamp (SOURCE_DATE_EPOCH)
  bool keep_owners = false;  // false: root:root for every entry
  // With keep_owners: ids given another (melange maps its build user, uid/gid 1000, to root).
  std::map<uint32_t, uint32_t> uid_map, gid_map;
};

// Every entry under `root` (not `root` itself), sorted bytewise by path. Sockets are refused;
// a directory that cannot be read is an error naming it.
std::vector<TreeEntry> scan_tree(const std::filesystem::path& root, const TreeOptions& options);

}  // namespace lupine::apk
