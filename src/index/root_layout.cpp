#include "index/root_layout.h"

#include "apk/tar.h"
#include "common/error.h"
#include "common/path.h"
#include "index/installed_scripts.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

namespace lupine::index {

namespace {

void create_file_if_missing(const RootDir& root, std::string_view relative, std::string_view data, uint32_t mode) {
  if (!root.lstat(relative)) root.write_file_atomic(relative, data, mode);
}

}  // namespace

void init_root_directories(const std::filesystem::path& root_path) {
  std::error_code error;
  if (!std::filesystem::is_directory(root_path, error)) {
    std::filesystem::create_directories(root_path, error);
    if (error) fail("cannot create root directory {}: {}", root_path.string(), error.message());
  }
  RootDir root(root_path);
  root.make_dirs(root_paths::keys_dir, 0755);
  root.make_dirs(root_paths::db_dir, 0755);
  root.make_dirs(root_paths::cache_dir, 0755);
  if (!root.lstat("tmp")) root.make_dirs("tmp", 01777);
}

void init_root_files(const RootDir& root) {
  create_file_if_missing(root, root_paths::world, "\n", 0644);
  create_file_if_missing(root, root_paths::repositories, "", 0644);
  create_file_if_missing(root, root_paths::installed, "", 0644);
  create_file_if_missing(root, root_paths::triggers, "", 0644);
  if (!root.lstat(root_paths::scripts_tar) && !root.lstat(root_paths::scripts_tar_gz))
    root.write_file_atomic(root_paths::scripts_tar, apk::tar_end_of_archive(), 0644);
}

void init_root_layout(const std::filesystem::path& root_path) {
  init_root_directories(root_path);
  RootDir root(root_path);
  RootLock lock(root);
  init_root_files(root);
}

RootLock::RootLock(const RootDir& root) {
  UniqueFd dir = root.open_dir(root_paths::db_dir);
  std::string name(base_name(root_paths::lock));
  int fd = ::openat(dir.get(), name.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) fail_errno(fmt::format("cannot open {}", root.display(root_paths::lock)));
  fd_ = UniqueFd(fd);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK)
      fail("{} is locked: another process is changing the packages of this root", root.display(root_paths::lock));
    fail_errno(fmt::format("cannot lock {}", root.display(root_paths::lock)));
  }
}

InstalledState load_installed_state(const RootDir& root) {
  InstalledState state;
  if (auto text = root.read_file(root_paths::installed))
    state.packages = parse_installed_db(*text, root.display(root_paths::installed));
  // apk-tools reads scripts.tar when present, else scripts.tar.gz (database.c apk_db_read_layer).
  if (auto tar = root.read_file(root_paths::scripts_tar)) {
    attach_scripts(state.packages, parse_scripts_tar(*tar, false, root.display(root_paths::scripts_tar)));
  } else if (auto gz = root.read_file(root_paths::scripts_tar_gz)) {
    state.scripts_gzipped = true;
    attach_scripts(state.packages, parse_scripts_tar(*gz, true, root.display(root_paths::scripts_tar_gz)));
  }
  if (auto text = root.read_file(root_paths::triggers))
    attach_triggers(state.packages, parse_triggers(*text, root.display(root_paths::triggers)));
  if (auto text = root.read_file(root_paths::world)) state.world = parse_world(*text, root.display(root_paths::world));
  return state;
}

}  // namespace lupine::index
