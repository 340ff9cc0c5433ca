#include "installer_test_packages.h"

#include "apk/gzip.h"
#include "apk/package_writer.h"
#include "common/fs.h"
#include "common/hash.h"

#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cstdlib>
#include <cstring>

namespace lupine::index::installer_testing {

Entry dir(const std::string& path, uint32_t mode, uint32_t uid, uint32_t gid) {
  Entry item;
  item.entry.path = path;
  item.entry.type = apk::TarType::directory;
  item.entry.mode = mode;
  item.entry.uid = uid;
  item.entry.gid = gid;
  return item;
}

Entry file(const std::string& path, const std::string& data, uint32_t mode, uint32_t uid, uint32_t gid) {
  Entry item;
  item.entry.path = path;
  item.entry.mode = mode;
  item.entry.uid = uid;
  item.entry.gid = gid;
  item.entry.size = data.size();
  item.data = data;
  return item;
}

Entry symlink(const std::string& path, const std::string& target) {
  Entry item;
  item.entry.path = path;
  item.entry.type = apk::TarType::symlink;
  item.entry.mode = 0777;
  item.entry.link_target = target;
  return item;
}

Entry hardlink(const std::string& path, const std::string& target, uint32_t mode) {
  Entry item;
  item.entry.path = path;
  item.entry.type = apk::TarType::hardlink;
  item.entry.mode = mode;
  item.entry.link_target = target;
  return item;
}

Entry node(const std::string& path, apk::TarType type, uint32_t major, uint32_t minor, uint32_t mode) {
  Entry item;
  item.entry.path = path;
  item.entry.type = type;
  item.entry.mode = mode;
  item.entry.devmajor = major;
  item.entry.devminor = minor;
  return item;
}

std::string package_bytes(const Spec& spec) {
  std::string tar;
  uint64_t installed = 0;
  for (const auto& item : spec.entries) {
    apk::TarEntry entry = item.entry;
    if (entry.type == apk::TarType::regular) entry.checksum_sha1 = sha1_hex(item.data);
    if (entry.type == apk::TarType::symlink) entry.checksum_sha1 = sha1_hex(entry.link_target);
    tar += apk::tar_header(entry);
    tar += item.data;
    tar += apk::tar_padding(item.data.size());
    installed += item.data.size();
  }
  tar += apk::tar_end_of_archive();
  std::string data = apk::gzip_member(tar, 6);

  apk::PkgInfo info;
  info.pkgname = spec.name;
  info.pkgver = spec.version;
  info.pkgdesc = "test package " + spec.name;
  info.arch = spec.arch;
  info.license = "MIT";
  info.origin = spec.origin;
  info.size = installed;
  info.replaces = spec.replaces;
  info.provides = spec.provides;
  if (spec.replaces_priority) info.replaces_priority = spec.replaces_priority;
  info.triggers = spec.triggers;
  if (spec.builddate) info.builddate = spec.builddate;
  info.datahash = sha256_hex(data);
  return apk::make_control_member(info, spec.scripts, 0) + data;
}

PlannedPackage Built::planned() const {
  PlannedPackage planned;
  planned.package = package.get();
  planned.record = index_record_from_package(*package, package->bytes().size());
  return planned;
}

Built build(const Spec& spec) {
  Built built;
  built.package = std::make_unique<apk::Package>(apk::Package::parse(package_bytes(spec), spec.name + ".apk"));
  return built;
}

Built read(const std::filesystem::path& apk_file) {
  Built built;
  built.package = std::make_unique<apk::Package>(apk::Package::read(apk_file));
  return built;
}

std::map<std::string, std::string> snapshot(const std::filesystem::path& root) {
  std::map<std::string, std::string> nodes;
  for (auto it = std::filesystem::recursive_directory_iterator(root); it != std::filesystem::recursive_directory_iterator();
       ++it) {
    const auto& path = it->path();
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) continue;
    std::string what = fmt::format("{:o} {}:{} size {}", st.st_mode, st.st_uid, st.st_gid,
                                   S_ISDIR(st.st_mode) ? 0 : st.st_size);
    if (S_ISREG(st.st_mode)) what += " sha1 " + sha1_hex(read_file(path));
    if (S_ISLNK(st.st_mode)) what += " -> " + std::filesystem::read_symlink(path).string();
    char names[1024];
    ssize_t length = ::llistxattr(path.c_str(), names, sizeof names);
    for (ssize_t i = 0; i < length; i += static_cast<ssize_t>(std::strlen(names + i)) + 1) what += std::string(" xattr ") + (names + i);
    nodes[path.lexically_relative(root).string()] = what;
  }
  return nodes;
}

InstallReport install(const std::filesystem::path& root, const std::vector<const Built*>& packages,
                      const InstallOptions& options, const std::vector<std::string>& remove) {
  InstallPlan plan;
  for (const Built* built : packages) plan.install.push_back(built->planned());
  plan.remove = remove;
  return install_packages(root, plan, options);
}

std::string apk_binary() {
  if (const char* env = std::getenv("LUPINE_APK_BINARY"); env && *env) return ::access(env, X_OK) == 0 ? env : "";
  const char* built = "/work/apk-tools-src/build/src/apk";
  return ::access(built, X_OK) == 0 ? built : "";
}

}  // namespace lupine::index::installer_testing
