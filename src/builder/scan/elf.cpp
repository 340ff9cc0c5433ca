// Layout from the System V ABI (elf.h): only the fields needed to find PT_INTERP and the dynamic
// section. The dynamic section is found through the section headers (as Go's debug/elf, which
// melange uses, does); without them, through PT_DYNAMIC and the PT_LOAD that maps DT_STRTAB.
#include "builder/scan/elf.h"

#include "common/error.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace lupine::builder {
namespace {

constexpr uint32_t pt_load = 1, pt_dynamic = 2, pt_interp = 3;
constexpr uint32_t sht_strtab = 3, sht_dynamic = 6;
constexpr int64_t dt_null = 0, dt_needed = 1, dt_strtab = 5, dt_strsz = 10, dt_soname = 14, dt_rpath = 15,
                  dt_runpath = 29;
// GNU symbol versioning (LSB, "Symbol Versioning"): tags and flags.
constexpr int64_t dt_verdef = 0x6ffffffc, dt_verdefnum = 0x6ffffffd, dt_verneed = 0x6ffffffe,
                  dt_verneednum = 0x6fffffff;
constexpr uint16_t ver_flg_base = 1, ver_flg_weak = 2;
constexpr size_t max_string = 4096;        // a library name longer than this is garbage
constexpr uint64_t max_entries = 1 << 20;  // headers / dynamic entries

// Random access to the bytes of the file.
class Bytes {
 public:
  virtual ~Bytes() = default;
  // Reads exactly `size` bytes at `offset`; false when they are not all there.
  virtual bool read(uint64_t offset, void* out, size_t size) const = 0;
};

class MemoryBytes : public Bytes {
 public:
  explicit MemoryBytes(std::string_view data) : data_(data) {}
  bool read(uint64_t offset, void* out, size_t size) const override {
    if (offset > data_.size() || size > data_.size() - offset) return false;
    std::memcpy(out, data_.data() + offset, size);
    return true;
  }

 private:
  std::string_view data_;
};

class FileBytes : public Bytes {
 public:
  explicit FileBytes(int fd) : fd_(fd) {}
  bool read(uint64_t offset, void* out, size_t size) const override {
    auto* cursor = static_cast<char*>(out);
    while (size > 0) {
      ssize_t got = pread(fd_, cursor, size, static_cast<off_t>(offset));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return false;
      cursor += got;
      offset += static_cast<uint64_t>(got);
      size -= static_cast<size_t>(got);
    }
    return true;
  }

 private:
  int fd_;
};

struct Segment {
  uint32_t type;
  uint64_t offset, vaddr, filesz;
};

struct Section {
  uint32_t type, link;
  uint64_t offset, size, entsize;
};

class Reader {
 public:
  Reader(const Bytes& bytes, bool is_64, bool big_endian) : bytes_(bytes), is_64_(is_64), big_endian_(big_endian) {}

  uint64_t unsigned_at(uint64_t offset, size_t size) const {
    unsigned char raw[8];
    if (!bytes_.read(offset, raw, size)) fail("ELF data out of range at offset {}", offset);
    uint64_t value = 0;
    for (size_t i = 0; i < size; ++i) {
      size_t index = big_endian_ ? i : size - 1 - i;
      value = (value << 8) | raw[index];
    }
    return value;
  }
  uint16_t u16(uint64_t offset) const { return static_cast<uint16_t>(unsigned_at(offset, 2)); }
  uint32_t u32(uint64_t offset) const { return static_cast<uint32_t>(unsigned_at(offset, 4)); }
  // An address, offset or size: 4 bytes in ELF32, 8 in ELF64.
  uint64_t word(uint64_t offset) const { return unsigned_at(offset, is_64_ ? 8 : 4); }

  // A NUL-terminated string at `offset`, not beyond `limit`.
  std::string string_at(uint64_t offset, uint64_t limit) const {
    std::string text;
    char chunk[256];
    while (offset < limit && text.size() < max_string) {
      // Whole chunks where possible (one pread each); byte by byte near the end of the data.
      size_t size = static_cast<size_t>(std::min<uint64_t>(sizeof chunk, limit - offset));
      if (!bytes_.read(offset, chunk, size)) {
        size = 1;
        if (!bytes_.read(offset, chunk, size)) fail("ELF string out of range");
      }
      if (const void* end = std::memchr(chunk, '\0', size)) {
        text.append(chunk, static_cast<const char*>(end) - chunk);
        return text;
      }
      text.append(chunk, size);
      offset += size;
    }
    fail("ELF string without terminator");
  }

  std::string bytes_at(uint64_t offset, uint64_t size) const {
    if (size > max_string) fail("ELF interpreter name too long");
    std::string text(size, '\0');
    if (!bytes_.read(offset, text.data(), size)) fail("ELF interpreter out of range");
    return text;
  }

 private:
  const Bytes& bytes_;
  bool is_64_, big_endian_;
};

std::vector<Segment> read_segments(const Reader& in, bool is_64, uint64_t phoff, uint16_t phentsize, uint64_t phnum) {
  std::vector<Segment> segments;
  if (phnum == 0) return segments;
  if (phentsize < (is_64 ? 56 : 32) || phnum > max_entries) fail("bad ELF program header table");
  for (uint64_t i = 0; i < phnum; ++i) {
    uint64_t at = phoff + i * phentsize;
    Segment segment{};
    segment.type = in.u32(at);
    if (is_64) {
      segment.offset = in.word(at + 8);
      segment.vaddr = in.word(at + 16);
      segment.filesz = in.word(at + 32);
    } else {
      segment.offset = in.word(at + 4);
      segment.vaddr = in.word(at + 8);
      segment.filesz = in.word(at + 16);
    }
    segments.push_back(segment);
  }
  return segments;
}

Section read_section(const Reader& in, bool is_64, uint64_t at) {
  Section section{};
  section.type = in.u32(at + 4);
  if (is_64) {
    section.offset = in.word(at + 24);
    section.size = in.word(at + 32);
    section.link = in.u32(at + 40);
    section.entsize = in.word(at + 56);
  } else {
    section.offset = in.word(at + 16);
    section.size = in.word(at + 20);
    section.link = in.u32(at + 24);
    section.entsize = in.word(at + 36);
  }
  return section;
}

std::vector<Section> read_sections(const Reader& in, bool is_64, uint64_t shoff, uint16_t shentsize, uint64_t shnum) {
  std::vector<Section> sections;
  if (shoff == 0) return sections;
  if (shentsize < (is_64 ? 64 : 40)) fail("bad ELF section header size");
  // Extended numbering: more than 0xff00 sections, the count is in section 0's sh_size.
  if (shnum == 0) shnum = read_section(in, is_64, shoff).size;
  if (shnum > max_entries) fail("bad ELF section count");
  for (uint64_t i = 0; i < shnum; ++i) sections.push_back(read_section(in, is_64, shoff + i * shentsize));
  return sections;
}

// A file offset for virtual address `address`, through the PT_LOAD that maps it.
std::optional<uint64_t> file_offset_of(const std::vector<Segment>& segments, uint64_t address) {
  for (const auto& segment : segments) {
    if (segment.type == pt_load && address >= segment.vaddr && address - segment.vaddr < segment.filesz)
      return segment.offset + (address - segment.vaddr);
  }
  return std::nullopt;
}

void split_path_list(const std::string& list, std::vector<std::string>& out) {
  size_t start = 0;
  while (start <= list.size()) {
    size_t colon = list.find(':', start);
    if (colon == std::string::npos) colon = list.size();
    if (colon > start) out.push_back(list.substr(start, colon - start));
    start = colon + 1;
  }
}

// DT_VERNEED and DT_VERDEF: chains of fixed-size records (the same layout in ELF32 and ELF64), each
// with its auxiliary records, linked by byte offsets; names in the dynamic string table.
//   Elf_Verneed  {u16 version, u16 cnt, u32 file, u32 aux, u32 next}
//   Elf_Vernaux  {u32 hash, u16 flags, u16 other, u32 name, u32 next}
//   Elf_Verdef   {u16 version, u16 flags, u16 ndx, u16 cnt, u32 hash, u32 aux, u32 next}
//   Elf_Verdaux  {u32 name, u32 next}
void read_versions(const Reader& in, const std::vector<std::pair<int64_t, uint64_t>>& entries, uint64_t strtab,
                   uint64_t limit, const std::vector<Segment>& segments, ElfInfo& info) {
  std::optional<uint64_t> verneed, verdef;
  uint64_t verneed_count = 0, verdef_count = 0;
  for (const auto& [tag, value] : entries) {
    if (tag == dt_verneed) verneed = file_offset_of(segments, value);
    if (tag == dt_verneednum) verneed_count = value;
    if (tag == dt_verdef) verdef = file_offset_of(segments, value);
    if (tag == dt_verdefnum) verdef_count = value;
  }
  if (verneed_count > max_entries || verdef_count > max_entries) fail("bad ELF symbol version count");
  for (uint64_t i = 0, at = verneed.value_or(0); verneed && i < verneed_count; ++i) {
    uint16_t count = in.u16(at + 2);
    std::string file = in.string_at(strtab + in.u32(at + 4), limit);
    for (uint64_t j = 0, aux = at + in.u32(at + 8); j < count; ++j) {
      uint16_t flags = in.u16(aux + 4);
      info.version_needs.push_back({file, in.string_at(strtab + in.u32(aux + 8), limit), (flags & ver_flg_weak) != 0});
      uint32_t next = in.u32(aux + 12);
      if (next == 0) break;
      aux += next;
    }
    uint32_t next = in.u32(at + 12);
    if (next == 0) break;
    at += next;
  }
  for (uint64_t i = 0, at = verdef.value_or(0); verdef && i < verdef_count; ++i) {
    uint16_t flags = in.u16(at + 2);
    uint16_t count = in.u16(at + 6);
    // The first auxiliary names the version; the others, its parents.
    if (count > 0 && !(flags & ver_flg_base))
      info.version_defs.push_back(in.string_at(strtab + in.u32(at + in.u32(at + 12)), limit));
    uint32_t next = in.u32(at + 16);
    if (next == 0) break;
    at += next;
  }
}

// Reads the dynamic entries at [offset, offset+size), strings resolved through the string table
// (at [strtab_offset, strtab_offset+strtab_size), or found through DT_STRTAB when nullopt).
void read_dynamic(const Reader& in, bool is_64, uint64_t offset, uint64_t size, std::optional<uint64_t> strtab_offset,
                  std::optional<uint64_t> strtab_size, const std::vector<Segment>& segments, ElfInfo& info) {
  size_t entry_size = is_64 ? 16 : 8;
  uint64_t count = size / entry_size;
  if (count > max_entries) fail("bad ELF dynamic section size");
  std::vector<std::pair<int64_t, uint64_t>> entries;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t at = offset + i * entry_size;
    auto tag = static_cast<int64_t>(is_64 ? in.word(at) : static_cast<int32_t>(in.u32(at)));
    uint64_t value = in.word(at + (is_64 ? 8 : 4));
    if (tag == dt_null) break;
    entries.emplace_back(tag, value);
  }
  if (!strtab_offset) {
    for (const auto& [tag, value] : entries) {
      if (tag == dt_strtab) strtab_offset = file_offset_of(segments, value);
      if (tag == dt_strsz) strtab_size = value;
    }
    if (!strtab_offset) return;  // nothing to resolve names with
  }
  uint64_t limit = strtab_size ? *strtab_offset + *strtab_size : UINT64_MAX;
  std::vector<std::string> rpath, runpath;
  for (const auto& [tag, value] : entries) {
    if (tag != dt_needed && tag != dt_soname && tag != dt_rpath && tag != dt_runpath) continue;
    std::string text = in.string_at(*strtab_offset + value, limit);
    if (tag == dt_needed) info.needed.push_back(text);
    if (tag == dt_soname) info.sonames.push_back(text);
    if (tag == dt_rpath) split_path_list(text, rpath);
    if (tag == dt_runpath) split_path_list(text, runpath);
  }
  info.runpath = runpath.empty() ? rpath : runpath;  // the loader ignores DT_RPATH when DT_RUNPATH is set
  // Malformed version records do not make the rest unreadable (dependency scanning needs none).
  try {
    read_versions(in, entries, *strtab_offset, limit, segments, info);
  } catch (const Error& error) {
    info.version_needs.clear();
    info.version_defs.clear();
    info.version_error = error.what();
  }
}

std::optional<ElfInfo> parse(const Bytes& bytes) {
  unsigned char ident[16];
  if (!bytes.read(0, ident, sizeof ident) || std::memcmp(ident, "\x7f" "ELF", 4) != 0) return std::nullopt;
  ElfInfo info;
  if (ident[4] != 1 && ident[4] != 2) fail("unknown ELF class {}", ident[4]);
  if (ident[5] != 1 && ident[5] != 2) fail("unknown ELF byte order {}", ident[5]);
  info.is_64 = ident[4] == 2;
  info.big_endian = ident[5] == 2;
  bool is_64 = info.is_64;
  Reader in(bytes, is_64, info.big_endian);

  info.type = in.u16(16);
  info.machine = in.u16(18);
  uint64_t phoff = in.word(is_64 ? 32 : 28);
  uint64_t shoff = in.word(is_64 ? 40 : 32);
  uint16_t phentsize = in.u16(is_64 ? 54 : 42);
  uint16_t phnum = in.u16(is_64 ? 56 : 44);
  uint16_t shentsize = in.u16(is_64 ? 58 : 46);
  uint16_t shnum = in.u16(is_64 ? 60 : 48);

  auto segments = read_segments(in, is_64, phoff, phentsize, phnum);
  for (const auto& segment : segments) {
    if (segment.type != pt_interp) continue;
    std::string interpreter = in.bytes_at(segment.offset, segment.filesz);
    info.interpreter = interpreter.substr(0, interpreter.find('\0'));
    break;
  }

  auto sections = read_sections(in, is_64, shoff, shentsize, shnum);
  for (const auto& section : sections) {
    if (section.type != sht_dynamic) continue;
    if (section.link >= sections.size()) fail("ELF dynamic section links to a missing string table");
    const Section& strtab = sections[section.link];
    if (strtab.type != sht_strtab) fail("ELF dynamic section links to a section that is not a string table");
    read_dynamic(in, is_64, section.offset, section.size, strtab.offset, strtab.size, segments, info);
    return info;
  }
  // No section headers (stripped with sstrip, or hand-made): the program headers still tell.
  if (sections.empty()) {
    for (const auto& segment : segments) {
      if (segment.type != pt_dynamic) continue;
      read_dynamic(in, is_64, segment.offset, segment.filesz, std::nullopt, std::nullopt, segments, info);
      break;
    }
  }
  return info;
}

}  // namespace

std::optional<ElfInfo> parse_elf(std::string_view bytes) { return parse(MemoryBytes(bytes)); }

std::optional<ElfInfo> read_elf_file(const std::filesystem::path& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail_errno("cannot open " + path.string());
  std::unique_ptr<int, void (*)(int*)> closer(&fd, [](int* f) { close(*f); });
  try {
    return parse(FileBytes(fd));
  } catch (const Error& error) {
    fail("{}: {}", path.string(), error.what());
  }
}

}  // namespace lupine::builder
