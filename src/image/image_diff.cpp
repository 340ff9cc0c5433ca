#include "image/image_diff.h"

#include "image/image_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

namespace lupine::image {
namespace {

std::string described(const index::IndexRecord& record) {
  return record.origin.empty() || record.origin == record.name ? record.version
                                                               : fmt::format("{} (origin {})", record.version, record.origin);
}

const char* type_name(apk::TarType type) {
  switch (type) {
    case apk::TarType::regular: return "file";
    case apk::TarType::directory: return "directory";
    case apk::TarType::symlink: return "symlink";
    case apk::TarType::hardlink: return "hard link";
    case apk::TarType::chardev: return "character device";
    case apk::TarType::blockdev: return "block device";
    case apk::TarType::fifo: return "fifo";
  }
  return "entry";
}

std::string file_difference(const TreeEntry& a, const TreeEntry& b) {
  std::vector<std::string> what;
  if (a.type != b.type) return fmt::format("{} -> {}", type_name(a.type), type_name(b.type));
  if (a.mode != b.mode) what.push_back(fmt::format("mode {:04o} -> {:04o}", a.mode, b.mode));
  if (a.uid != b.uid || a.gid != b.gid) what.push_back(fmt::format("owner {}:{} -> {}:{}", a.uid, a.gid, b.uid, b.gid));
  if (a.link_target != b.link_target) what.push_back(fmt::format("target {} -> {}", a.link_target, b.link_target));
  if (a.data.size() != b.data.size()) what.push_back(fmt::format("size {} -> {}", a.data.size(), b.data.size()));
  if (a.data != b.data) what.push_back("contents");
  return fmt::format("{}", fmt::join(what, ", "));
}

std::set<std::string> surface_of(const ImageTree& tree, const ReadImage& image) {
  std::set<std::string> out;
  for (const auto& finding : check_image(tree, run_config_of(image.config)))
    if (finding.severity == Severity::note) out.insert(finding.check + " " + finding.file);
  return out;
}

}  // namespace

uint64_t ImageDiff::total(const std::vector<uint64_t>& sizes) const { return std::accumulate(sizes.begin(), sizes.end(), uint64_t{0}); }

ImageDiff diff_images(const ReadImage& before, const ReadImage& after) {
  ImageTree a = root_of(before), b = root_of(after);
  ImageDiff diff;
  auto packages_a = installed_packages(a, before.reference), packages_b = installed_packages(b, after.reference);
  std::set<std::string> names;
  for (const auto& [name, record] : packages_a) names.insert(name);
  for (const auto& [name, record] : packages_b) names.insert(name);
  for (const auto& name : names) {
    auto x = packages_a.find(name), y = packages_b.find(name);
    PackageChange change{name, x == packages_a.end() ? "" : described(x->second),
                         y == packages_b.end() ? "" : described(y->second), ""};
    if (x == packages_a.end()) change.what = "added";
    else if (y == packages_b.end()) change.what = "removed";
    else if (x->second.version != y->second.version) change.what = "version";
    else if (x->second.origin != y->second.origin) change.what = "origin";
    else if (x->second.identity != y->second.identity) change.what = "contents";
    else continue;
    diff.packages.push_back(std::move(change));
  }
  std::set<std::string> paths;
  for (const auto& [path, entry] : a.entries()) paths.insert(path);
  for (const auto& [path, entry] : b.entries()) paths.insert(path);
  for (const auto& path : paths) {
    const TreeEntry *x = a.entry(path), *y = b.entry(path);
    if (!x) diff.files.push_back({"/" + path, "added"});
    else if (!y) diff.files.push_back({"/" + path, "removed"});
    else if (std::string what = file_difference(*x, *y); !what.empty()) diff.files.push_back({"/" + path, what});
  }
  diff.layers_before = before.layer_sizes;
  diff.layers_after = after.layer_sizes;
  auto surface_a = surface_of(a, before), surface_b = surface_of(b, after);
  std::set_difference(surface_b.begin(), surface_b.end(), surface_a.begin(), surface_a.end(), std::back_inserter(diff.surface_added));
  std::set_difference(surface_a.begin(), surface_a.end(), surface_b.begin(), surface_b.end(), std::back_inserter(diff.surface_removed));
  return diff;
}

}  // namespace lupine::image
