#include "image/layering.h"

#include <algorithm>
#include <functional>
#include <map>
#include <numeric>

namespace lupine::image {
namespace fs = std::filesystem;

namespace {

void add_with_parents(std::set<std::string>& layer, const std::string& path) {
  for (size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1))
    layer.insert(path.substr(0, slash));
  layer.insert(path);
}

}  // namespace

std::vector<std::set<std::string>> partition_layers(const fs::path& root,
                                                    const std::vector<index::InstalledDbPackage>& installed,
                                                    uint32_t budget) {
  // Groups: by origin, merged through replaces (union-find over origin names).
  std::map<std::string, std::string> parent;
  std::function<std::string(const std::string&)> find = [&](const std::string& x) -> std::string {
    auto it = parent.find(x);
    if (it == parent.end() || it->second == x) return parent[x] = x;
    return it->second = find(it->second);
  };
  auto origin_of = [](const index::IndexRecord& r) { return r.origin.empty() ? r.name : r.origin; };
  std::map<std::string, std::string> origin_by_name;
  for (const auto& package : installed) origin_by_name[package.record.name] = origin_of(package.record);
  for (const auto& package : installed) {
    find(origin_of(package.record));
    for (const auto& replaced : package.record.replaces) {
      auto other = origin_by_name.find(replaced);
      if (other == origin_by_name.end()) continue;
      std::string a = find(origin_of(package.record)), b = find(other->second);
      if (a != b) parent[std::max(a, b)] = std::min(a, b);  // the smaller name leads: deterministic
    }
  }
  std::map<std::string, uint64_t> size;
  std::map<std::string, std::vector<const index::InstalledDbPackage*>> members;
  for (const auto& package : installed) {
    std::string group = find(origin_of(package.record));
    size[group] += package.record.installed_size;
    members[group].push_back(&package);
  }
  std::vector<std::string> ranked;
  for (const auto& [group, bytes] : size) ranked.push_back(group);
  std::stable_sort(ranked.begin(), ranked.end(), [&](const std::string& a, const std::string& b) {
    return size[a] != size[b] ? size[a] > size[b] : a < b;
  });

  std::vector<std::set<std::string>> layers;
  std::set<std::string> owned;
  for (size_t i = 0; i < ranked.size(); ++i) {
    if (i == 0 || i < budget) layers.emplace_back();  // the budget's last layer takes the rest
    for (const auto* package : members[ranked[i]])
      for (const auto& path : package->file_paths()) {
        std::error_code error;
        if (!fs::exists(fs::symlink_status(root / path, error))) continue;
        if (fs::is_directory(fs::symlink_status(root / path, error))) continue;  // directories go last
        add_with_parents(layers.back(), path);
        owned.insert(path);
      }
  }
  std::set<std::string> last;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    std::string path = it->path().lexically_relative(root).generic_string();
    if (fs::is_directory(it->symlink_status()) || !owned.count(path)) last.insert(path);
  }
  layers.push_back(std::move(last));
  return layers;
}

}  // namespace lupine::image
