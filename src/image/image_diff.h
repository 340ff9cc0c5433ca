// `lupine image diff A B`: what changed between two images — packages (from each image's installed
// database: added, removed, changed in version, origin or content identity), files (added, removed,
// changed in type, mode, owner, size, contents or link target), layer sizes as stored, and the
// attack surface (image_check.h's notes: setuid, world-writable, shells, package managers).
#pragma once

#include "image/image_read.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lupine::image {

struct PackageChange {
  std::string name;
  std::string before, after;  // "version (origin)"; "" when absent on that side
  std::string what;           // "added", "removed", "version", "origin", "contents" (same version, other C:)
};

struct FileChange {
  std::string path;  // "/usr/bin/x"
  std::string what;  // "added", "removed", or the attributes that changed: "size 10 -> 12, contents"
};

struct ImageDiff {
  std::vector<PackageChange> packages;  // by name
  std::vector<FileChange> files;        // by path
  std::vector<uint64_t> layers_before, layers_after;  // sizes as stored
  std::vector<std::string> surface_added, surface_removed;  // "setuid /usr/bin/su"
  uint64_t total(const std::vector<uint64_t>& sizes) const;
};

ImageDiff diff_images(const ReadImage& before, const ReadImage& after);

}  // namespace lupine::image
