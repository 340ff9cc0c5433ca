// `lupine image debug IMAGE [-- CMD...]`: a shell (or CMD) inside an image without changing it.
// The image is read back (image_read.h) and its root written to a private directory that the
// sandbox (bubblewrap, builder/build/sandbox.h) shows read-only at /, with a toolbox beside it at
// /.debug: busybox, and strace and gdb where the repositories have them, installed from those
// repositories and verified as any install (index/package_add.h). It runs as the image's user, in
// its working directory, with its environment and /.debug's bin directories last on PATH; no
// network. Nothing is written into the image: its layout or archive is only read.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace lupine::image {

// The toolbox's mount point.
inline constexpr const char* kDebugToolbox = "/.debug";

struct DebugOptions {
  std::string go_arch;                       // the image of an index to debug
  std::string apk_arch;                      // the toolbox's packages
  std::vector<std::string> repositories;     // where the toolbox comes from
  std::vector<std::string> keyring;          // trusted keys for them
  bool allow_untrusted = false;
  std::vector<std::string> toolbox = {"busybox"};     // always installed
  std::vector<std::string> if_available = {"strace", "gdb"};  // installed when a repository has them
  std::filesystem::path cache_dir;
  std::vector<std::string> command;          // empty: /.debug/bin/sh -i
  std::string user;                          // "" = the image's own
};

// Runs the command on the caller's terminal; returns its exit status. Throws Error when the image
// cannot be read, the user is not the image's, or the toolbox cannot be installed.
int debug_image(const std::string& reference, const DebugOptions& options);

}  // namespace lupine::image
