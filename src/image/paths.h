// `paths:` mutations (reference/apko.md §1, pkg/build/paths.go), applied in order after the
// packages and accounts: directory (mkdir -p), empty-file, hardlink and symlink (replacing what is
// there), permissions; each followed by its permissions/owner pass.
//
// Nothing may reach outside the image root: `..` components are refused when the config is read,
// and every parent directory is opened with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS), so a
// symlink on the way that leads out of the root — relative or absolute — is an error rather than
// followed (an absolute symlink such as var/run -> /run is refused too: write the path it points
// to). Owners are recorded in the OwnerMap (the layer's source of truth), not chowned, so the
// build works unprivileged.
#pragma once

#include "image/config.h"
#include "image/owners.h"
#include "index/root_fs.h"

#include <filesystem>
#include <vector>

namespace lupine::image {

// Throws lupine::Error naming the entry (file:line) and the path.
void apply_paths(const std::filesystem::path& root, const std::vector<PathMutation>& mutations, OwnerMap& owners);

// chmod of `relative` inside `root` (resolved as in a chroot); a symlink is left alone.
void set_mode_in_root(const index::RootDir& root, std::string_view relative, uint32_t mode);

}  // namespace lupine::image
