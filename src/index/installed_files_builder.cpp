#include "index/installed_files_builder.h"

#include "common/path.h"
#include "index/root_fs.h"

#include <algorithm>

namespace lupine::index {

namespace {
// apk_blob_sort: memcmp over the common length, then the shorter first — string_view::compare.
int compare(std::string_view a, std::string_view b) { return a.compare(b); }
}  // namespace

std::optional<size_t> InstalledFilesBuilder::bsearch(std::string_view dir) {
  if (unsorted_ > 32) {
    std::sort(order_.begin(), order_.end());
    unsorted_ = 0;
  }
  size_t sorted = order_.size() - unsorted_;
  auto end = order_.begin() + static_cast<std::ptrdiff_t>(sorted);
  auto found = std::lower_bound(order_.begin(), end, dir, [](const std::string& a, std::string_view b) {
    return compare(a, b) < 0;
  });
  if (found != end && *found == dir) return static_cast<size_t>(found - order_.begin());
  for (size_t i = sorted; i < order_.size(); ++i)
    if (order_[i] == dir) return i;
  return std::nullopt;
}

void InstalledFilesBuilder::add_dir(std::string_view path, const FileAcl& acl) {
  int order = 1;
  bool found = current_ && (order = compare(path, *current_)) == 0;
  if (!found && !bsearch(path)) {
    if (unsorted_) order = -1;
    else if (!order_.empty() && current_ != order_.back()) order = compare(path, order_.back());
    if (order < 0) ++unsorted_;
    order_.emplace_back(path);
    dirs_.emplace(std::string(path), InstalledDir{std::string(path), default_dir_acl(), {}});
  }
  select(path);
  dirs_.find(path)->second.acl = acl;
}

bool InstalledFilesBuilder::has_dir(std::string_view dir) {
  if (current_ && *current_ == dir) return true;
  return bsearch(dir).has_value();
}

void InstalledFilesBuilder::add_file(std::string_view dir, InstalledFile file) {
  if (has_dir(dir)) select(dir);
  else add_dir(dir, default_dir_acl());  // the top level, which needs no entry of its own
  auto& files = dirs_.find(dir)->second.files;
  auto same = std::find_if(files.begin(), files.end(), [&](const InstalledFile& f) { return f.name == file.name; });
  if (same != files.end()) *same = std::move(file);
  else files.push_back(std::move(file));
}

const InstalledFile* InstalledFilesBuilder::find_file(std::string_view path) {
  std::string_view dir = parent_path(path);
  if (!has_dir(dir)) return nullptr;
  const auto& files = dirs_.find(dir)->second.files;
  std::string_view name = base_name(path);
  auto found = std::find_if(files.begin(), files.end(), [&](const InstalledFile& f) { return f.name == name; });
  return found == files.end() ? nullptr : &*found;
}

std::vector<InstalledDir> InstalledFilesBuilder::finish() const {
  std::vector<InstalledDir> dirs;
  for (const auto& path : order_) {
    InstalledDir dir = dirs_.find(path)->second;
    std::sort(dir.files.begin(), dir.files.end(),
              [](const InstalledFile& a, const InstalledFile& b) { return compare(a.name, b.name) < 0; });
    dirs.push_back(std::move(dir));
  }
  return dirs;
}

}  // namespace lupine::index
