// The tar dialect of APK v2 packages (reference/apk.md §1.3–1.4): ustar headers with PAX `x`
// records for long names (`path`, `linkpath`), extended attributes (`SCHILY.xattr.<name>`) and the
// per-file checksum (`APK-TOOLS.checksum.SHA1`). The writer is hand-made because libarchive cannot
// emit those checksum records nor leave out the end-of-archive blocks between gzip members.
#pragma once

#include <cstdint>
#include <optional>
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
  uint64_t size = 0;         // regular files only (the reader reports any header's size)
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

// Reads a tar stream held in memory one entry at a time, with apk-tools' rules (see parse_tar), so
// that a caller can stop early or relate entries to offsets in the stream (e.g. gzip member
// boundaries). Extension headers (`x`, `L`, `K`, `g`) are consumed, never returned.
class TarReader {
 public:
  // `stream` must outlive the reader and the items it returns.
  TarReader(std::string_view stream, std::string origin);

  // The next entry, or nullopt once the stream has ended (cleanly at a block boundary) or the
  // end-of-archive marker has been read (end_of_archive() then tells which). Throws lupine::Error
  // as parse_tar does.
  std::optional<TarItem> next();

  bool end_of_archive() const { return end_of_archive_; }
  uint64_t offset() const { return offset_; }  // bytes of the stream consumed so far

 private:
  struct Header;
  Header read_header(std::string_view block, uint64_t offset) const;
  std::string_view take_data(uint64_t size, const std::string& name);
  TarItem finish_entry(const Header& header);
  void note_extension_header(const Header& header);
  void check_after_end_of_archive();

  std::string_view stream_;
  std::string origin_;
  uint64_t offset_ = 0;
  int zero_blocks_ = 0;
  bool end_of_archive_ = false;
  bool finished_ = false;
  // Extension headers that apply to the next entry.
  std::optional<uint64_t> entry_start_;  // offset of the first of them
  std::string extension_name_;           // and its name, for errors
  std::vector<std::pair<std::string, std::string>> pax_records_;  // from an `x` header
  std::optional<std::string> long_name_;                          // from a GNU `L` header
};

// Parses a whole tar stream held in memory as apk-tools' apk_tar_parse does, and throws
// lupine::Error naming `origin` (and the entry or offset) where it would fail:
// * headers: magic starting "ustar" (POSIX "ustar\0" "00" and GNU "ustar  \0"), a valid checksum
//   (unsigned or historic signed sum), octal fields NUL- or space-terminated or GNU base-256;
//   mode reduced to its permission bits;
// * names: ustar prefix joined as prefix/name, replaced by a GNU `L` long name, replaced by a PAX
//   `path`; a leading "./" and a directory's trailing '/' dropped (nothing else: path safety is the
//   package reader's call); names or link targets of 4086 bytes or more refused (PATH_MAX - 10);
// * PAX `x` records apply to the next entry: path, linkpath, size, uid, gid, mtime (fractions
//   dropped), uname, gname, SCHILY.xattr.*, APK-TOOLS.checksum.SHA1; others kept in other_pax;
//   a malformed record is an error. `g` and GNU `K` headers and unknown types are skipped;
//   '7' and '\0' are regular files;
// * the end: two zero blocks (counted as apk-tools does, not necessarily consecutive) set
//   end_of_archive, after which only zero bytes may follow; a stream may also just end at a block
//   boundary (signature and control members have no end marker), but not inside a header, data,
//   padding, or between extension headers and their entry ("truncated tar entry '<name>'").
// Item data points into `stream`, which must outlive the result.
ParsedTar parse_tar(std::string_view stream, const std::string& origin);

}  // namespace lupine::apk
