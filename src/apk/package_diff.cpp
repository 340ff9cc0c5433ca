#include "apk/package_diff.h"

#include "common/hash.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace lupine::apk {

namespace {

const char* type_name(TarType type) {
  switch (type) {
    case TarType::regular: return "regular";
    case TarType::hardlink: return "hardlink";
    case TarType::symlink: return "symlink";
    case TarType::chardev: return "chardev";
    case TarType::blockdev: return "blockdev";
    case TarType::directory: return "directory";
    case TarType::fifo: return "fifo";
  }
  return "unknown";
}

std::string describe(const TarItem& item) {
  const TarEntry& entry = item.entry;
  std::string text = fmt::format("{} {:04o} {}:{}", type_name(entry.type), entry.mode, entry.uid, entry.gid);
  if (entry.type == TarType::regular)
    text += fmt::format(" size {} sha256 {}", item.data.size(), sha256_hex(item.data));
  if (!entry.link_target.empty()) text += " -> " + entry.link_target;
  if (entry.type == TarType::chardev || entry.type == TarType::blockdev)
    text += fmt::format(" {}:{}", entry.devmajor, entry.devminor);
  text += fmt::format(" mtime {}", entry.mtime);
  for (const auto& [name, value] : entry.xattrs) text += fmt::format(" xattr {}={}", name, sha256_hex(value).substr(0, 12));
  return text;
}

std::optional<uint64_t> first_difference(std::string_view a, std::string_view b) {
  auto [left, right] = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
  if (left == a.end() && right == b.end()) return std::nullopt;
  return static_cast<uint64_t>(left - a.begin());
}

void diff_member(const char* member, const std::vector<TarItem>& original, const std::vector<TarItem>& rebuilt,
                 std::vector<EntryDifference>& out) {
  std::map<std::string_view, const TarItem*> rebuilt_by_path;
  for (const auto& item : rebuilt) rebuilt_by_path.emplace(item.entry.path, &item);
  std::map<std::string_view, bool> seen;
  for (const auto& item : original) {
    seen[item.entry.path] = true;
    auto found = rebuilt_by_path.find(item.entry.path);
    if (found == rebuilt_by_path.end()) {
      out.push_back({member, item.entry.path, describe(item), "", std::nullopt});
      continue;
    }
    std::string left = describe(item), right = describe(*found->second);
    if (left == right && item.entry.checksum_sha1 == found->second->entry.checksum_sha1) continue;
    EntryDifference difference{member, item.entry.path, left, right, std::nullopt};
    if (item.entry.type == TarType::regular && found->second->entry.type == TarType::regular)
      difference.first_differing_byte = first_difference(item.data, found->second->data);
    out.push_back(std::move(difference));
  }
  for (const auto& item : rebuilt)
    if (!seen.count(item.entry.path)) out.push_back({member, item.entry.path, "", describe(item), std::nullopt});
}

}  // namespace

PackageDifference diff_packages(const Package& original, const Package& rebuilt) {
  PackageDifference result;
  result.identical =
      original.control_member() == rebuilt.control_member() && original.data_member() == rebuilt.data_member();
  result.same_signature = result.identical && original.bytes() == rebuilt.bytes();
  if (result.identical) return result;
  diff_member("control", original.control_entries(), rebuilt.control_entries(), result.entries);
  diff_member("data", original.data_entries(), rebuilt.data_entries(), result.entries);
  if (result.entries.empty())
    result.note = "the members differ but no entry does: entry order, tar headers or compression";
  return result;
}

std::string render_package_difference(const PackageDifference& difference) {
  std::string text;
  for (const auto& entry : difference.entries) {
    text += fmt::format("  {} {}: {} | {}", entry.member, entry.path,
                        entry.original.empty() ? "(absent)" : entry.original,
                        entry.rebuilt.empty() ? "(absent)" : entry.rebuilt);
    if (entry.first_differing_byte) text += fmt::format(" (first differing byte at {})", *entry.first_differing_byte);
    text += "\n";
  }
  if (!difference.note.empty()) text += "  " + difference.note + "\n";
  return text;
}

}  // namespace lupine::apk
