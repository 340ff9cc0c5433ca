// The tar writer: POSIX ustar headers (magic "ustar\0" version "00", as Go's archive/tar and so
// melange write them) with a PAX `x` header in front only when a record is needed.
#include "apk/tar.h"

#include "apk/tar_block.h"
#include "apk/tar_pax.h"
#include "common/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>

namespace lupine::apk {

namespace {

namespace block = tar_block;

constexpr size_t ustar_name_size = block::name.size;
constexpr size_t ustar_prefix_size = block::prefix.size;

// Largest value an octal field of `field_size` bytes holds: all but the last byte are digits, the
// last is the NUL terminator.
constexpr uint64_t octal_max(size_t field_size) { return (uint64_t{1} << (3 * (field_size - 1))) - 1; }

// Writes `value` zero-padded to fill all but the field's last byte, which stays NUL ("0000644\0").
void put_octal(std::string& header, block::Field field, uint64_t value) {
  std::string digits = fmt::format("{:0{}o}", value, field.size - 1);
  header.replace(field.offset, field.size - 1, digits);
}

// Copies `value` into a string field; a value filling the whole field gets no NUL terminator
// (allowed by POSIX). Longer values must have been diverted to a PAX record: they are truncated.
void put_text(std::string& header, block::Field field, std::string_view value) {
  value = value.substr(0, field.size);
  header.replace(field.offset, value.size(), value);
}

// Fills in the checksum as 6 octal digits, NUL, space — the form Go and GNU tar write.
void put_checksum(std::string& header) {
  int64_t sum = block::header_checksums(header).unsigned_sum;
  header.replace(block::checksum.offset, block::checksum.size, fmt::format("{:06o}", sum) + '\0' + ' ');
}

std::string blank_ustar_header(char typeflag) {
  std::string header(block::block_size, '\0');
  header[block::typeflag.offset] = typeflag;
  header.replace(block::magic.offset, block::magic.size, std::string_view("ustar\0" "00", 8));
  return header;
}

// POSIX ustar splits a long path at a '/' into prefix (up to 155 bytes) and name (up to 100,
// not empty). Taking the last '/' that leaves a prefix short enough gives the shortest name; if
// that name is still too long no other split works. (Go's splitUSTARPath chooses the same way.)
bool split_ustar_path(std::string_view path, std::string_view& prefix, std::string_view& name) {
  std::string_view head = path.substr(0, ustar_prefix_size + 1);
  size_t slash = head.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return false;
  prefix = path.substr(0, slash);
  name = path.substr(slash + 1);
  return !name.empty() && name.size() <= ustar_name_size;
}

// The name of the `x` header itself: "<dir>/PaxHeaders.0/<base>" as Go writes it, cut to fit the
// name field. Readers ignore it; it only has to be deterministic.
std::string pax_header_name(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string_view dir = slash == std::string_view::npos ? std::string_view() : path.substr(0, slash + 1);
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  std::string name = fmt::format("{}PaxHeaders.0/{}", dir, base);
  name.resize(std::min(name.size(), ustar_name_size));
  while (!name.empty() && name.back() == '/') name.pop_back();
  return name;
}

void check_no_nul(std::string_view value, std::string_view what, const TarEntry& entry) {
  if (value.find('\0') != std::string_view::npos) fail("tar entry '{}': {} contains a NUL byte", entry.path, what);
}

void validate(const TarEntry& entry) {
  if (entry.path.empty()) fail("tar entry has an empty path");
  check_no_nul(entry.path, "path", entry);
  check_no_nul(entry.link_target, "link target", entry);
  check_no_nul(entry.uname, "user name", entry);
  check_no_nul(entry.gname, "group name", entry);
  // PAX has no records for device numbers, so they must fit the octal fields.
  if (entry.devmajor > octal_max(block::devmajor.size) || entry.devminor > octal_max(block::devminor.size))
    fail("tar entry '{}': device number {}:{} too large for a tar header", entry.path, entry.devmajor, entry.devminor);
  for (const auto& [name, value] : entry.xattrs) {
    // The key ends at the first '=' when read back, so a name may not contain one.
    if (name.empty() || name.find_first_of(std::string_view("=\0", 2)) != std::string::npos)
      fail("tar entry '{}': invalid xattr name '{}'", entry.path, name);
  }
}

}  // namespace

std::string tar_header(const TarEntry& entry) {
  validate(entry);
  std::map<std::string, std::string> records;  // sorted by key: deterministic output
  std::string header = blank_ustar_header(static_cast<char>(entry.type));

  std::string_view prefix, name;
  if (entry.path.size() <= ustar_name_size) {
    put_text(header, block::name, entry.path);
  } else if (split_ustar_path(entry.path, prefix, name)) {
    put_text(header, block::name, name);
    put_text(header, block::prefix, prefix);
  } else {
    records["path"] = entry.path;
    put_text(header, block::name, entry.path);  // truncated, as Go does; readers use the record
  }

  if (entry.link_target.size() > block::linkname.size) records["linkpath"] = entry.link_target;
  put_text(header, block::linkname, entry.link_target);

  // Numbers that overflow their octal field go to PAX records and leave the field 0.
  auto put_number = [&](block::Field field, const char* key, uint64_t value) {
    if (value > octal_max(field.size)) {
      records[key] = std::to_string(value);
      value = 0;
    }
    put_octal(header, field, value);
  };
  put_octal(header, block::mode, entry.mode & 07777);
  put_number(block::uid, "uid", entry.uid);
  put_number(block::gid, "gid", entry.gid);
  // Only regular files carry data; links, directories and devices have size 0.
  put_number(block::size, "size", entry.type == TarType::regular ? entry.size : 0);
  if (entry.mtime < 0 || static_cast<uint64_t>(entry.mtime) > octal_max(block::mtime.size)) {
    records["mtime"] = std::to_string(entry.mtime);
    put_octal(header, block::mtime, 0);
  } else {
    put_octal(header, block::mtime, static_cast<uint64_t>(entry.mtime));
  }

  // melange writes "root" for owner names it leaves empty with id 0.
  auto owner_name = [&](block::Field field, const char* key, const std::string& value, uint32_t id) {
    std::string_view text = value.empty() && id == 0 ? std::string_view("root") : std::string_view(value);
    if (text.size() > field.size) records[key] = std::string(text);
    put_text(header, field, text);
  };
  owner_name(block::uname, "uname", entry.uname, entry.uid);
  owner_name(block::gname, "gname", entry.gname, entry.gid);

  put_octal(header, block::devmajor, entry.devmajor);
  put_octal(header, block::devminor, entry.devminor);
  put_checksum(header);

  for (const auto& [xattr, value] : entry.xattrs) {
    auto [it, inserted] = records.emplace("SCHILY.xattr." + xattr, value);
    if (!inserted) fail("tar entry '{}': duplicate xattr '{}'", entry.path, xattr);
  }
  if (!entry.checksum_sha1.empty()) records["APK-TOOLS.checksum.SHA1"] = entry.checksum_sha1;
  if (records.empty()) return header;

  std::string pax_data;
  for (const auto& [key, value] : records) pax_data += pax_record(key, value);
  // The `x` header's own fields are fixed (mode, ids and mtime 0, no owner names) as Go's
  // writeRawFile does, so the output depends only on the entry.
  std::string pax_header = blank_ustar_header('x');
  put_text(pax_header, block::name, pax_header_name(entry.path));
  put_octal(pax_header, block::mode, 0);
  put_octal(pax_header, block::uid, 0);
  put_octal(pax_header, block::gid, 0);
  put_octal(pax_header, block::size, pax_data.size());
  put_octal(pax_header, block::mtime, 0);
  put_checksum(pax_header);

  std::string out;
  out.reserve(pax_header.size() + pax_data.size() + block::block_size * 2);
  out += pax_header;
  out += pax_data;
  out += tar_padding(pax_data.size());
  out += header;
  return out;
}

namespace {
constexpr std::array<char, 2 * block::block_size> zero_blocks{};
}  // namespace

std::string_view tar_padding(uint64_t size) {
  size_t remainder = static_cast<size_t>(size % block::block_size);
  return std::string_view(zero_blocks.data(), remainder == 0 ? 0 : block::block_size - remainder);
}

std::string_view tar_end_of_archive() { return std::string_view(zero_blocks.data(), zero_blocks.size()); }

}  // namespace lupine::apk
