// Packages built entry by entry for the installer tests — including ones no writer makes on
// purpose (escaping names, missing directory entries, device nodes) — and root snapshots.
#pragma once

#include "apk/package.h"
#include "apk/pkginfo.h"
#include "apk/tar.h"
#include "index/installer.h"

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace lupine::index::installer_testing {

struct Entry {
  apk::TarEntry entry;
  std::string data;
};

Entry dir(const std::string& path, uint32_t mode = 0755, uint32_t uid = 0, uint32_t gid = 0);
Entry file(const std::string& path, const std::string& data, uint32_t mode = 0644, uint32_t uid = 0,
           uint32_t gid = 0);
Entry symlink(const std::string& path, const std::string& target);
Entry hardlink(const std::string& path, const std::string& target, uint32_t mode = 0644);
Entry node(const std::string& path, apk::TarType type, uint32_t major, uint32_t minor, uint32_t mode = 0600);

struct Spec {
  std::string name{};
  std::string version = "1.0-r0";
  std::string arch = "x86_64";
  std::string origin{};  // empty: none
  std::vector<std::string> replaces{};
  std::vector<std::string> provides{};
  int64_t replaces_priority = 0;
  std::vector<std::string> triggers{};
  std::vector<std::pair<std::string, std::string>> scripts{};  // {".post-install", contents}
  int64_t builddate = 0;
  std::vector<Entry> entries{};
};

// The .apk bytes (unsigned: the installer trusts its caller to have verified).
std::string package_bytes(const Spec& spec);

// A parsed package and the plan entry for it (record = index_record_from_package).
struct Built {
  std::unique_ptr<apk::Package> package;
  PlannedPackage planned() const;
};
Built build(const Spec& spec);
Built read(const std::filesystem::path& apk_file);

// Every node under `root` (not following symlinks): type, mode, owner, size, SHA-1 of contents or
// link target, user xattrs. Two snapshots are equal when nothing visible changed.
std::map<std::string, std::string> snapshot(const std::filesystem::path& root);

// Installs `packages` in order with default options (plus `options`).
InstallReport install(const std::filesystem::path& root, const std::vector<const Built*>& packages,
                      const InstallOptions& options = {}, const std::vector<std::string>& remove = {});

// The real apk-tools binary to compare with: LUPINE_APK_BINARY, else the one built beside the
// checkout at /work/apk-tools-src/build/src/apk; empty when neither exists.
std::string apk_binary();

}  // namespace lupine::index::installer_testing
