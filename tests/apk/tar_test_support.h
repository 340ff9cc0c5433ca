// Helpers shared by the tar tests: building archives with the writer and patching header blocks
// to craft what other writers (or corrupt files) produce.
#pragma once

#include "apk/tar.h"
#include "apk/tar_block.h"

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lupine::apk::tar_testing {

inline TarEntry file_entry(std::string path, uint64_t size, uint32_t mode = 0644) {
  TarEntry entry;
  entry.path = std::move(path);
  entry.mode = mode;
  entry.size = size;
  return entry;
}

inline TarEntry typed_entry(std::string path, TarType type, std::string link_target = "") {
  TarEntry entry;
  entry.path = std::move(path);
  entry.type = type;
  entry.mode = type == TarType::symlink ? 0777 : type == TarType::directory ? 0755 : 0644;
  entry.link_target = std::move(link_target);
  return entry;
}

// Entries with their contents (used only for regular files), then optionally the end marker.
inline std::string make_archive(const std::vector<std::pair<TarEntry, std::string>>& entries,
                                bool end_of_archive = true) {
  std::string out;
  for (const auto& [entry, contents] : entries) {
    out += tar_header(entry);
    if (entry.type == TarType::regular) {
      out += contents;
      out += tar_padding(contents.size());
    }
  }
  if (end_of_archive) out += tar_end_of_archive();
  return out;
}

// Recomputes the checksum of the header block at `offset` (6 octal digits, NUL, space).
inline void fix_checksum(std::string& archive, size_t offset) {
  std::string_view block(archive.data() + offset, tar_block::block_size);
  int64_t sum = tar_block::header_checksums(block).unsigned_sum;
  std::string field = fmt::format("{:06o}", sum);
  field += '\0';
  field += ' ';
  archive.replace(offset + tar_block::checksum.offset, tar_block::checksum.size, field);
}

// Overwrites bytes of the header block at `offset`, NUL-filling the rest of `field`, and fixes its
// checksum.
inline void patch_field(std::string& archive, size_t offset, tar_block::Field field, std::string_view bytes) {
  std::string value(bytes.substr(0, field.size));
  value.resize(field.size, '\0');
  archive.replace(offset + field.offset, field.size, value);
  fix_checksum(archive, offset);
}

// A raw header block with POSIX magic; fields given as already-encoded bytes.
inline std::string raw_header(std::string_view name, char typeflag, uint64_t size) {
  std::string block(tar_block::block_size, '\0');
  block.replace(tar_block::name.offset, name.size(), name);
  block.replace(tar_block::mode.offset, 8, std::string_view("0000644\0", 8));
  block.replace(tar_block::uid.offset, 8, std::string_view("0000000\0", 8));
  block.replace(tar_block::gid.offset, 8, std::string_view("0000000\0", 8));
  block.replace(tar_block::size.offset, 12, fmt::format("{:011o}", size) + '\0');
  block.replace(tar_block::mtime.offset, 12, std::string_view("00000000000\0", 12));
  block[tar_block::typeflag.offset] = typeflag;
  block.replace(tar_block::magic.offset, 8, std::string_view("ustar\0" "00", 8));
  fix_checksum(block, 0);
  return block;
}

// A raw entry: header, data and padding.
inline std::string raw_entry(std::string_view name, char typeflag, std::string_view data) {
  return raw_header(name, typeflag, data.size()) + std::string(data) + std::string(tar_padding(data.size()));
}

}  // namespace lupine::apk::tar_testing
