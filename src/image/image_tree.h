// An image's root filesystem in memory, made from its layer tars in order (image-spec layer.md:
// a later layer's entry replaces an earlier one; `.wh.NAME` removes NAME and what is under it,
// `.wh..wh..opq` empties a directory of what the layers below put there). Owners, modes and
// contents are the layers' own, whoever reads them: no extraction, so nothing depends on the
// reader's privileges and no path can escape.
#pragma once

#include "apk/tar.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace lupine::image {

struct TreeEntry {
  apk::TarType type = apk::TarType::regular;
  uint32_t mode = 0;  // permission bits (07777)
  uint32_t uid = 0, gid = 0;
  std::string link_target;  // symlinks (hard links are resolved to their target's entry)
  std::string data;         // regular files
};

class ImageTree {
 public:
  // Applies one layer's tar (`origin` names it in errors).
  void apply_layer(std::string_view tar, const std::string& origin);

  // Paths are absolute or relative to the root, '/'-separated; keys are "usr/bin/x" (no leading
  // '/'), the root itself "".
  const std::map<std::string, TreeEntry>& entries() const { return entries_; }
  const TreeEntry* entry(std::string_view path) const;
  // The path `path` leads to with every symlink followed, inside the image (an absolute target
  // starts again at the image's root; ".." stops there), when it exists; nullopt when a component
  // is missing or the links loop (more than 40).
  std::optional<std::string> resolve(std::string_view path) const;
  const TreeEntry* find(std::string_view path) const;  // entry(resolve(path))

 private:
  std::map<std::string, TreeEntry> entries_;
};

// Writes the tree under `dir` (an empty directory): directories, regular files and symlinks with
// their permission bits (not their owners: the writer's own), device nodes and fifos left out.
// An entry below a symlink of the tree is refused (Error): it would be written through the link,
// maybe outside `dir`.
void write_tree(const ImageTree& tree, const std::filesystem::path& dir);

// "usr/bin/x" for "/usr/bin/x", "./usr/bin/x/", "usr//bin/./x"; ".." components go up (not above "").
std::string tree_path(std::string_view path);

}  // namespace lupine::image
