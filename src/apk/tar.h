// The tar dialect of APK v2 packages (reference/apk.md §1.3–1.4): ustar headers with PAX `x`
// records for long names (`path`, `linkpath`), extended attributes (`SCHILY.xattr.<name>`) and the
// per-file checksum (`APK-TOOLS.checksum.SHA1`). The writer is hand-made because libarchive cannot
// emit those checksum records nor leave out the end-of-archive blocks between gzip members.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lupine::apk {

enum class TarType : char {
  regular = '0',
  hardlink = '1',
  symlink = '2',
  chardev = '3',
  blockdev = '4',
  directory = '5',
  fifo = '6',
};

struct TarEntry {
  std::string path;  // relative, '/'-separated, no leading "./" nor trailing '/'
  TarType type = TarType::regular;
  uint32_t mode = 0644;  // permission bits only (07777)
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string uname;  // written as "root" when empty and the id is 0 (as melange does)
  std::string gname;
  int64_t mtime = 0;
  uint64_t size = 0;         // regular files only
  std::string link_target;   // symlinks and hard links
  uint32_t devmajor = 0;
  uint32_t devminor = 0;
  std::vector<std::pair<std::string, std::string>> xattrs;  // SCHILY.xattr.<name> = value
  std::string checksum_sha1;  // hex; written as APK-TOOLS.checksum.SHA1 when not empty
  // PAX records read from an archive that have no field above (kept, never written back).
  std::vector<std::pair<std::string, std::string>> other_pax;
};

// The header blocks for `entry`: a PAX `x` header with its records when any is needed (name or
// link target too long for ustar, xattrs, checksum, ids or size out of octal range), then the
// ustar header. Deterministic: the PAX header's own name, mode and times are fixed.
std::string tar_header(const TarEntry& entry);

// Zero bytes that pad `size` bytes of entry data to a 512-byte boundary.
std::string_view tar_padding(uint64_t size);

// The end-of-archive marker: two zero blocks.
std::string_view tar_end_of_archive();

struct TarItem {
  TarEntry entry;
  std::string_view data;  // contents of a regular file (points into the parsed buffer)
  uint64_t header_offset = 0;  // where the entry's first header block starts
};

struct ParsedTar {
  std::vector<TarItem> items;
  bool end_of_archive = false;  // two zero blocks were seen
};

// Parses a whole tar stream held in memory as apk-tools' apk_tar_parse does: POSIX and GNU magic,
// PAX `x` records (path, linkpath, SCHILY.xattr.*, APK-TOOLS.checksum.SHA1; others kept in
// other_pax), GNU `L` long names, `g` and `K` ignored, prefix field joined. Stops at two zero
// blocks; after them only zero bytes may follow. Throws lupine::Error naming `origin` and the entry
// on a truncated stream, bad checksum, bad magic or a malformed PAX record.
ParsedTar parse_tar(std::string_view stream, const std::string& origin);

}  // namespace lupine::apk
