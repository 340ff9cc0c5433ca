#include "index/busybox_links.h"

#include "common/error.h"
#include "common/path.h"
#include "index/root_fs.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>

namespace lupine::index {

namespace {

constexpr const char* kBusybox = "/bin/busybox";

// The installed package whose busybox this is: one named busybox, else the first that provides a
// name containing "busybox" (apko's rule: busybox-full provides busybox=<version>).
const InstalledDbPackage* busybox_package(const std::vector<InstalledDbPackage>& installed) {
  for (const auto& package : installed)
    if (package.record.name == "busybox") return &package;
  for (const auto& package : installed)
    for (const auto& provided : package.record.provides)
      if (provided.find("busybox") != std::string::npos) return &package;
  return nullptr;
}

}  // namespace

BusyboxLinks install_busybox_links(const std::filesystem::path& root, const std::vector<InstalledDbPackage>& installed) {
  BusyboxLinks result;
  RootDir dir(root);
  if (!dir.lstat("bin/busybox")) return result;  // bin is usually a link to usr/bin: followed
  const InstalledDbPackage* package = busybox_package(installed);
  if (!package) return result;
  std::string list_path = "etc/busybox-paths.d/" + package->record.name;
  std::optional<std::string> list = dir.read_file(list_path);
  if (!list) return result;
  result.provider = package->record.name;

  size_t line_number = 0;
  size_t start = 0;
  while (start < list->size()) {
    size_t end = list->find('\n', start);
    if (end == std::string::npos) end = list->size();
    std::string line = list->substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (line.empty() || "/" + line == kBusybox || line == "usr/bin/busybox") continue;
    if (auto reason = unsafe_path_reason(line))
      fail("{}:{}: {}: expected a path relative to the root such as usr/bin/ls ({})", dir.display(list_path),
           line_number, line, *reason);
    if (dir.lstat(line)) continue;  // a package's file, or a link made before
    std::string parent(parent_path(line));
    if (parent.empty()) continue;  // apko makes no link at the top of the root
    dir.make_dirs(parent, 0755);
    UniqueFd parent_fd = dir.open_dir(parent);
    std::string name(base_name(line));
    if (::symlinkat(kBusybox, parent_fd.get(), name.c_str()) != 0) {
      if (errno == EEXIST) continue;  // listed twice
      fail_errno(fmt::format("{}:{}: cannot link {} to {}", dir.display(list_path), line_number, dir.display(line),
                             kBusybox));
    }
    ++result.created;
  }
  return result;
}

}  // namespace lupine::index
