// Where an install root keeps its package database (reference/apk.md §5.1), creating it with
// `apk add --initdb` semantics, locking it, and reading it back.
#pragma once

#include "index/installed_db.h"
#include "index/root_fs.h"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace lupine::index {

namespace root_paths {
inline constexpr std::string_view db_dir = "lib/apk/db";
inline constexpr std::string_view installed = "lib/apk/db/installed";
inline constexpr std::string_view scripts_tar = "lib/apk/db/scripts.tar";
inline constexpr std::string_view scripts_tar_gz = "lib/apk/db/scripts.tar.gz";
inline constexpr std::string_view triggers = "lib/apk/db/triggers";
inline constexpr std::string_view lock = "lib/apk/db/lock";
// lupine's own: present while a transaction runs; left behind (with the reason) when one could
// neither finish nor be rolled back.
inline constexpr std::string_view transaction_marker = "lib/apk/db/lupine-transaction";
inline constexpr std::string_view world = "etc/apk/world";
inline constexpr std::string_view arch = "etc/apk/arch";
inline constexpr std::string_view repositories = "etc/apk/repositories";
inline constexpr std::string_view keys_dir = "etc/apk/keys";
inline constexpr std::string_view cache_dir = "var/cache/apk";
}  // namespace root_paths

// Creates what `apk add --initdb` leaves in a new root (the root itself if missing): directories
// etc/apk, etc/apk/keys, lib/apk/db, var/cache/apk (0755) and tmp (01777); files etc/apk/world
// ("\n"), etc/apk/repositories (empty), lib/apk/db/{installed,triggers} (empty), scripts.tar (an
// empty archive), lock (0600). Existing files and directories are left as they are; directories
// are resolved inside the root, so `lib/apk -> ../usr/lib/apk` (apko's layout) is followed.
// The files are created under the root's lock (init_root_layout takes it for that time).
void init_root_layout(const std::filesystem::path& root);
void init_root_directories(const std::filesystem::path& root);
void init_root_files(const RootDir& root);  // the caller holds the RootLock

// An exclusive flock on lib/apk/db/lock, held until destruction. Refuses (naming the root) when
// another process holds it rather than waiting.
class RootLock {
 public:
  explicit RootLock(const RootDir& root);

 private:
  UniqueFd fd_;
};

// What a root's database holds: installed packages (with their scripts and triggers) and world.
struct InstalledState {
  std::vector<InstalledDbPackage> packages;  // as listed in lib/apk/db/installed
  std::vector<std::string> world;
  bool scripts_gzipped = false;  // the root keeps scripts.tar.gz (apk-tools 3 writes it for new roots)
};

// Reads lib/apk/db/installed, scripts.tar (else scripts.tar.gz), triggers and etc/apk/world;
// missing files read as empty. Errors name the file (and line).
InstalledState load_installed_state(const RootDir& root);

}  // namespace lupine::index
