// A small ELF reader for dependency scanning: the program interpreter (PT_INTERP), the dynamic
// section's DT_NEEDED / DT_SONAME / DT_RUNPATH strings, and the symbol versions the file needs from
// each library (DT_VERNEED: GLIBC_2.34 from libc.so.6) and defines (DT_VERDEF). 32- and 64-bit,
// little- and big-endian.
// Files are read with pread, never loaded whole.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lupine::builder {

struct ElfInfo {
  bool is_64 = false;
  bool big_endian = false;
  uint16_t type = 0;     // ET_EXEC 2, ET_DYN 3, ...
  uint16_t machine = 0;  // EM_X86_64 62, EM_AARCH64 183, ...
  std::string interpreter;            // PT_INTERP, "" when none (static, or a library)
  std::vector<std::string> needed;    // DT_NEEDED, in order
  std::vector<std::string> sonames;   // DT_SONAME (at most one in practice)
  std::vector<std::string> runpath;   // DT_RUNPATH, else DT_RPATH, split at ':'
  struct VersionNeed {
    std::string file;  // the library (a DT_NEEDED name)
    std::string version;
    bool weak = false;  // VER_FLG_WEAK: the loader only warns when it is missing
  };
  std::vector<VersionNeed> version_needs;  // DT_VERNEED's entries, in order
  std::vector<std::string> version_defs;   // DT_VERDEF's names but the file's own (VER_FLG_BASE)
  std::string version_error;               // why the version records could not be read, if so
};

// nullopt when the bytes are not ELF (no "\x7fELF" magic); throws Error when they are ELF but
// malformed (truncated tables, offsets out of range).
std::optional<ElfInfo> parse_elf(std::string_view bytes);

// The same for a file (symlinks followed); throws Error when it cannot be read.
std::optional<ElfInfo> read_elf_file(const std::filesystem::path& path);

}  // namespace lupine::builder
