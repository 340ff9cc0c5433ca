// How the build root appears at / in the sandbox.
//
// bwrap cannot mount anything below a read-only bind whose mount point is missing (it cannot mkdir
// /home/build in a read-only /), and lupine must not write mount points into a shared root. So the
// read-only root is assembled on bwrap's tmpfs /: every top-level entry of the root is bound
// read-only (symlinks recreated), directories holding a mount point are recreated empty and
// filled the same way one level down, and / is remounted read-only after the mounts.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace lupine::builder {

// bwrap arguments that show `root` read-only at / with room for `mount_points` (absolute paths
// inside the sandbox). The caller appends `--remount-ro /` after its own mounts.
std::vector<std::string> read_only_root_arguments(const std::filesystem::path& root,
                                                  const std::vector<std::string>& mount_points);

// `path` as a normalised absolute sandbox path ("/a/b"); throws Error for relative paths, `..`,
// or empty ones.
std::string sandbox_absolute_path(std::string_view path, std::string_view what);

}  // namespace lupine::builder
