// Extracting a package's data entries into a directory without ever writing outside it.
#pragma once

#include "apk/package.h"

#include <filesystem>

namespace lupine::apk {

struct ExtractOptions {
  bool apply_owners = false;  // chown entries to their uid/gid (needs root)
};

struct ExtractReport {
  size_t entries = 0;
  uint64_t bytes = 0;
};

// Writes every data entry of `package` under `directory` (created if missing). Before anything is
// written, every entry is checked: its name must be a safe relative path and its parent must be a
// directory entry of the package or a real directory already in `directory` — never a path through
// a symlink. Writes then go through openat2(RESOLVE_BENEATH), so even a race cannot escape.
ExtractReport extract_package(const Package& package, const std::filesystem::path& directory,
                              const ExtractOptions& options);

}  // namespace lupine::apk
