// Internal to the tar reader and writer: the layout of a 512-byte ustar header block (POSIX.1-2001
// "ustar Interchange Format", the same offsets apk-tools' struct tar_header uses) and the
// header checksum both sides compute.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace lupine::apk::tar_block {

inline constexpr size_t block_size = 512;

struct Field {
  size_t offset;
  size_t size;
};

inline constexpr Field name{0, 100};
inline constexpr Field mode{100, 8};
inline constexpr Field uid{108, 8};
inline constexpr Field gid{116, 8};
inline constexpr Field size{124, 12};
inline constexpr Field mtime{136, 12};
inline constexpr Field checksum{148, 8};
inline constexpr Field typeflag{156, 1};
inline constexpr Field linkname{157, 100};
inline constexpr Field magic{257, 8};  // "ustar\0" "00" (POSIX) or "ustar  \0" (GNU)
inline constexpr Field uname{265, 32};
inline constexpr Field gname{297, 32};
inline constexpr Field devmajor{329, 8};
inline constexpr Field devminor{337, 8};
inline constexpr Field prefix{345, 155};

// The raw bytes of `field` within a whole header block.
inline std::string_view raw(std::string_view block, Field field) {
  return block.substr(field.offset, field.size);
}

// A string field up to its first NUL (a field filled to its full width has none).
inline std::string_view text(std::string_view block, Field field) {
  std::string_view bytes = raw(block, field);
  return bytes.substr(0, bytes.find('\0'));
}

// Sums of the header bytes with the checksum field counted as eight spaces (POSIX), taking the
// bytes as unsigned (the standard) and as signed (what some historic tars computed).
struct Checksums {
  int64_t unsigned_sum = 0;
  int64_t signed_sum = 0;
};

inline Checksums header_checksums(std::string_view block) {
  Checksums sums;
  for (size_t i = 0; i < block_size; ++i) {
    bool in_field = i >= checksum.offset && i < checksum.offset + checksum.size;
    char byte = in_field ? ' ' : block[i];
    sums.unsigned_sum += static_cast<unsigned char>(byte);
    sums.signed_sum += static_cast<signed char>(byte);
  }
  return sums;
}

}  // namespace lupine::apk::tar_block
