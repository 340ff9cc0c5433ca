// The tar reader, following apk-tools' apk_tar_parse (src/tar.c) where it decides what a package
// may contain, and POSIX / GNU tar for the encodings it accepts.
#include "apk/tar.h"

#include "apk/tar_block.h"
#include "apk/tar_pax.h"
#include "common/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace lupine::apk {

namespace {

namespace block = tar_block;

// apk-tools refuses names and link targets of PATH_MAX - 10 bytes or more (-ENAMETOOLONG).
constexpr size_t max_name_length = 4096 - 10;

bool is_zero(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == '\0'; });
}

// A numeric header field. Octal digits with leading/trailing spaces or NULs (apk-tools accepts
// NUL- or space-terminated fields; old tars also pad with leading spaces), or GNU base-256 when
// the first byte has its top bit set: big-endian two's complement in the remaining bits.
std::optional<int64_t> parse_number(std::string_view raw) {
  if (!raw.empty() && (static_cast<unsigned char>(raw[0]) & 0x80) != 0) {
    bool negative = (static_cast<unsigned char>(raw[0]) & 0x40) != 0;
    uint64_t value = 0;
    for (size_t i = 0; i < raw.size(); ++i) {
      auto byte = static_cast<unsigned char>(raw[i]);
      if (negative) byte = static_cast<unsigned char>(~byte);
      if (i == 0) byte &= 0x7f;
      if ((value >> 56) != 0) return std::nullopt;
      value = (value << 8) | byte;
    }
    if ((value >> 63) != 0) return std::nullopt;
    // For a negative number the inverted bits hold -value - 1.
    return negative ? -static_cast<int64_t>(value) - 1 : static_cast<int64_t>(value);
  }
  size_t begin = raw.find_first_not_of(std::string_view(" \0", 2));
  if (begin == std::string_view::npos) return 0;  // an empty field reads as 0
  size_t end = raw.find_last_not_of(std::string_view(" \0", 2)) + 1;
  int64_t value = 0;
  for (char c : raw.substr(begin, end - begin)) {
    if (c < '0' || c > '7') return std::nullopt;
    value = value * 8 + (c - '0');  // at most 12 digits: no overflow
  }
  return value;
}

// A decimal PAX value (size, uid, gid).
std::optional<uint64_t> parse_decimal(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

// A PAX `mtime`: decimal seconds, optionally negative and fractional ("1700000000.123456789").
// Rounded down to whole seconds, as time_t would be.
std::optional<int64_t> parse_pax_time(std::string_view text) {
  bool negative = !text.empty() && text[0] == '-';
  if (negative) text.remove_prefix(1);
  size_t dot = text.find('.');
  std::string_view fraction = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  auto seconds = parse_decimal(text.substr(0, dot));
  if (!seconds || *seconds > static_cast<uint64_t>(std::numeric_limits<int64_t>::max() - 1)) return std::nullopt;
  if (dot != std::string_view::npos &&
      (fraction.empty() || !std::all_of(fraction.begin(), fraction.end(), [](char c) { return c >= '0' && c <= '9'; })))
    return std::nullopt;
  auto value = static_cast<int64_t>(*seconds);
  if (!negative) return value;
  bool has_fraction = std::any_of(fraction.begin(), fraction.end(), [](char c) { return c != '0'; });
  return -value - (has_fraction ? 1 : 0);
}

// `text` for an error message: control bytes (a NUL would cut the message short) as \xNN.
std::string printable(std::string_view text) {
  std::string out;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte != 0x7f) {
      out += c;
    } else {
      out += fmt::format("\\x{:02x}", byte);
    }
  }
  return out;
}

// Replaces the value of `key` in `pairs` or appends it: a later PAX record overrides an earlier one.
void set_pair(std::vector<std::pair<std::string, std::string>>& pairs, std::string key, std::string value) {
  auto it = std::find_if(pairs.begin(), pairs.end(), [&](const auto& pair) { return pair.first == key; });
  if (it != pairs.end()) {
    it->second = std::move(value);
  } else {
    pairs.emplace_back(std::move(key), std::move(value));
  }
}

}  // namespace

// One decoded header block.
struct TarReader::Header {
  uint64_t offset = 0;
  char typeflag = '0';
  std::string name;  // prefix/name joined, except for `x` and `g` headers
  std::string linkname;
  uint32_t mode = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint64_t size = 0;
  int64_t mtime = 0;
  std::string uname;
  std::string gname;
  uint32_t devmajor = 0;
  uint32_t devminor = 0;
};

TarReader::TarReader(std::string_view stream, std::string origin) : stream_(stream), origin_(std::move(origin)) {}

TarReader::Header TarReader::read_header(std::string_view bytes, uint64_t offset) const {
  std::string_view name = block::text(bytes, block::name);

  // POSIX: the checksum is the sum of the header's bytes with its own field read as spaces. Like
  // GNU tar and Go, also accept the signed sum some historic writers produced.
  auto recorded = parse_number(block::raw(bytes, block::checksum));
  block::Checksums sums = block::header_checksums(bytes);
  if (!recorded || (*recorded != sums.unsigned_sum && *recorded != sums.signed_sum))
    fail("{}: bad tar header checksum at offset {} (entry '{}')", origin_, offset, name);
  // apk-tools checks only the first five bytes, which POSIX "ustar\0" "00" and GNU "ustar  \0" share.
  if (block::raw(bytes, block::magic).substr(0, 5) != "ustar")
    fail("{}: bad tar header magic at offset {} (entry '{}'): not a ustar archive", origin_, offset, name);

  Header header;
  header.offset = offset;
  header.typeflag = bytes[block::typeflag.offset];
  auto number = [&](block::Field field, const char* what, int64_t max) -> int64_t {
    auto value = parse_number(block::raw(bytes, field));
    if (!value || *value < 0 || *value > max)
      fail("{}: bad tar header {} field at offset {} (entry '{}')", origin_, what, offset, name);
    return *value;
  };
  constexpr int64_t u32_max = std::numeric_limits<uint32_t>::max();
  // Only the permission bits are kept (apk-tools: mode & 07777); some writers add S_IFMT bits.
  header.mode = static_cast<uint32_t>(number(block::mode, "mode", u32_max) & 07777);
  header.uid = static_cast<uint32_t>(number(block::uid, "uid", u32_max));
  header.gid = static_cast<uint32_t>(number(block::gid, "gid", u32_max));
  header.size = static_cast<uint64_t>(number(block::size, "size", std::numeric_limits<int64_t>::max()));
  header.devmajor = static_cast<uint32_t>(number(block::devmajor, "devmajor", u32_max));
  header.devminor = static_cast<uint32_t>(number(block::devminor, "devminor", u32_max));
  auto mtime = parse_number(block::raw(bytes, block::mtime));  // may be negative in base-256
  if (!mtime) fail("{}: bad tar header mtime field at offset {} (entry '{}')", origin_, offset, name);
  header.mtime = *mtime;

  header.name = std::string(name);
  std::string_view prefix = block::text(bytes, block::prefix);
  // apk-tools joins the ustar prefix for every header but the PAX ones.
  if (!prefix.empty() && header.typeflag != 'x' && header.typeflag != 'g')
    header.name = fmt::format("{}/{}", prefix, name);
  header.linkname = std::string(block::text(bytes, block::linkname));
  header.uname = std::string(block::text(bytes, block::uname));
  header.gname = std::string(block::text(bytes, block::gname));
  return header;
}

// The `size` bytes of data after a header, and its padding to a whole block; both must be there.
std::string_view TarReader::take_data(uint64_t size, const std::string& name) {
  uint64_t left = stream_.size() - offset_;
  if (size > left || size + tar_padding(size).size() > left)
    fail("{}: truncated tar entry '{}' (data at offset {})", origin_, name, offset_);
  std::string_view data = stream_.substr(offset_, size);
  offset_ += size + tar_padding(size).size();
  return data;
}

TarItem TarReader::finish_entry(const Header& header) {
  TarItem item;
  TarEntry& entry = item.entry;
  item.header_offset = entry_start_.value_or(header.offset);
  // '7' (contiguous file) and '\0' (pre-POSIX) are regular files, as in apk-tools.
  bool regular = header.typeflag == '0' || header.typeflag == '7' || header.typeflag == '\0';
  entry.type = regular ? TarType::regular : static_cast<TarType>(header.typeflag);
  entry.path = long_name_.value_or(header.name);
  entry.link_target = header.linkname;
  entry.mode = header.mode;
  entry.uid = header.uid;
  entry.gid = header.gid;
  entry.uname = header.uname;
  entry.gname = header.gname;
  entry.mtime = header.mtime;
  entry.size = header.size;
  entry.devmajor = header.devmajor;
  entry.devminor = header.devminor;

  // PAX records override the header fields. An empty value means "use the header field" (POSIX).
  for (auto& [key, value] : pax_records_) {
    auto bad_value = [&]() {
      fail("{}: malformed PAX record '{}={}' for tar entry '{}'", origin_, printable(key), printable(value),
           printable(entry.path));
    };
    if (key.starts_with("SCHILY.xattr.")) {
      std::string name = key.substr(13);
      if (name.empty()) bad_value();
      set_pair(entry.xattrs, std::move(name), std::move(value));
    } else if (key == "APK-TOOLS.checksum.SHA1") {
      entry.checksum_sha1 = std::move(value);
    } else if (value.empty() && (key == "path" || key == "linkpath" || key == "size" || key == "uid" ||
                                 key == "gid" || key == "mtime" || key == "uname" || key == "gname")) {
      continue;
    } else if (key == "path" || key == "linkpath") {
      if (value.find('\0') != std::string::npos) bad_value();
      (key == "path" ? entry.path : entry.link_target) = std::move(value);
    } else if (key == "size") {
      auto size = parse_decimal(value);
      if (!size || *size > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) bad_value();
      entry.size = *size;
    } else if (key == "uid" || key == "gid") {
      auto id = parse_decimal(value);
      if (!id || *id > std::numeric_limits<uint32_t>::max()) bad_value();
      (key == "uid" ? entry.uid : entry.gid) = static_cast<uint32_t>(*id);
    } else if (key == "mtime") {
      auto mtime = parse_pax_time(value);
      if (!mtime) bad_value();
      entry.mtime = *mtime;
    } else if (key == "uname") {
      entry.uname = std::move(value);
    } else if (key == "gname") {
      entry.gname = std::move(value);
    } else {
      set_pair(entry.other_pax, key, std::move(value));
    }
  }
  pax_records_.clear();
  long_name_.reset();
  entry_start_.reset();

  // TarEntry paths have no trailing '/' (GNU tar and abuild write "dir/") nor leading "./"
  // (`tar -C dir .` writes "./x"). Hard link targets name entries, so they are cleaned alike.
  if (entry.type == TarType::directory && entry.path.size() > 1 && entry.path.ends_with('/')) entry.path.pop_back();
  if (entry.path.starts_with("./")) entry.path.erase(0, 2);
  if (entry.type == TarType::hardlink && entry.link_target.starts_with("./")) entry.link_target.erase(0, 2);

  if (entry.path.size() >= max_name_length || entry.link_target.size() >= max_name_length)
    fail("{}: tar entry name or link target too long ({} bytes) at offset {}", origin_,
         std::max(entry.path.size(), entry.link_target.size()), header.offset);

  // Every type's declared data is consumed, as apk-tools skips it; only regular files have any in
  // practice.
  item.data = take_data(entry.size, entry.path);
  return item;
}

void TarReader::note_extension_header(const Header& header) {
  if (entry_start_) return;
  entry_start_ = header.offset;
  extension_name_ = header.name;
}

void TarReader::check_after_end_of_archive() {
  std::string_view rest = stream_.substr(offset_);
  size_t junk = rest.find_first_not_of('\0');
  if (junk != std::string_view::npos)
    fail("{}: data after the tar end-of-archive at offset {}", origin_, offset_ + junk);
  offset_ = stream_.size();
}

std::optional<TarItem> TarReader::next() {
  while (!finished_) {
    if (offset_ == stream_.size()) {
      // apk-tools would drop extension headers left without their entry; a stream cut there is
      // truncated.
      if (entry_start_) fail("{}: truncated tar entry '{}': no entry follows", origin_, extension_name_);
      finished_ = true;  // no end-of-archive marker: allowed (signature and control segments)
      break;
    }
    uint64_t header_offset = offset_;
    std::string_view bytes = stream_.substr(offset_, block::block_size);
    if (bytes.size() < block::block_size) {
      std::string_view partial_name = bytes.substr(0, std::min(bytes.size(), block::name.size));
      fail("{}: truncated tar entry '{}' (header at offset {})", origin_, partial_name.substr(0, partial_name.find('\0')),
           header_offset);
    }
    offset_ += block::block_size;

    if (is_zero(bytes)) {
      // apk-tools counts zero blocks without resetting: a stray one is passed over, the next —
      // consecutive or not — ends the archive, after which only zeros may follow.
      if (++zero_blocks_ < 2) continue;
      end_of_archive_ = finished_ = true;
      check_after_end_of_archive();
      break;
    }

    Header header = read_header(bytes, header_offset);
    switch (header.typeflag) {
      case 'x': {  // PAX records for the next entry; a second `x` replaces the first (apk-tools)
        note_extension_header(header);
        std::string_view data = take_data(header.size, header.name);
        pax_records_ = parse_pax_records(
            data, fmt::format("{}: PAX header '{}' at offset {}", origin_, header.name, header_offset));
        continue;
      }
      case 'L': {  // GNU long name for the next entry: NUL-terminated data
        note_extension_header(header);
        std::string_view data = take_data(header.size, header.name);
        long_name_ = std::string(data.substr(0, data.find('\0')));
        continue;
      }
      case 'K':  // GNU long link target: ignored by apk-tools, so long targets need PAX `linkpath`
        note_extension_header(header);
        take_data(header.size, header.name);
        continue;
      case 'g':  // global PAX records: ignored, as apk-tools does
        take_data(header.size, header.name);
        continue;
      case '\0':
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
        return finish_entry(header);
      default:  // other types (GNU sparse, volume labels, ...) are skipped, as apk-tools does
        take_data(header.size, header.name);
        continue;
    }
  }
  return std::nullopt;
}

ParsedTar parse_tar(std::string_view stream, const std::string& origin) {
  ParsedTar parsed;
  TarReader reader(stream, origin);
  while (auto item = reader.next()) parsed.items.push_back(std::move(*item));
  parsed.end_of_archive = reader.end_of_archive();
  return parsed;
}

}  // namespace lupine::apk
