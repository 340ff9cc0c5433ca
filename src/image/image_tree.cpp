#include "image/image_tree.h"

#include "common/error.h"
#include "common/fs.h"

#include <fmt/format.h>

#include <vector>

namespace lupine::image {

std::string tree_path(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(start, slash - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = slash + 1;
  }
  std::string out;
  for (auto part : parts) {
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

namespace {

std::string parent_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

std::string base_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

constexpr std::string_view whiteout = ".wh.", opaque = ".wh..wh..opq";

}  // namespace

void ImageTree::apply_layer(std::string_view tar, const std::string& origin) {
  // Whiteouts hide what the layers below have, never what this layer adds: they go first.
  std::vector<apk::TarItem> items;
  apk::TarReader reader(tar, origin);
  while (auto item = reader.next()) items.push_back(std::move(*item));
  auto remove_under = [&](const std::string& dir, bool itself) {
    if (itself) entries_.erase(dir);
    std::string prefix = dir.empty() ? "" : dir + "/";
    for (auto it = entries_.lower_bound(prefix); it != entries_.end() && it->first.compare(0, prefix.size(), prefix) == 0;)
      it = it->first.empty() ? std::next(it) : entries_.erase(it);
  };
  for (const auto& item : items) {
    std::string path = tree_path(item.entry.path);
    std::string base = base_of(path);
    if (base == opaque) remove_under(parent_of(path), false);
    else if (base.rfind(whiteout, 0) == 0) {
      std::string parent = parent_of(path), name = base.substr(whiteout.size());
      remove_under(parent.empty() ? name : parent + "/" + name, true);
    }
  }
  for (const auto& item : items) {
    std::string path = tree_path(item.entry.path);
    if (base_of(path).rfind(whiteout, 0) == 0) continue;
    TreeEntry entry;
    entry.type = item.entry.type;
    entry.mode = item.entry.mode & 07777;
    entry.uid = item.entry.uid;
    entry.gid = item.entry.gid;
    if (entry.type == apk::TarType::hardlink) {
      auto target = entries_.find(tree_path(item.entry.link_target));
      if (target == entries_.end())
        fail("{}: {} is a hard link to {}, which comes nowhere before it", origin, item.entry.path, item.entry.link_target);
      entry = target->second;
    } else if (entry.type == apk::TarType::symlink) {
      entry.link_target = item.entry.link_target;
    } else if (entry.type == apk::TarType::regular) {
      entry.data = std::string(item.data);
    }
    // A directory replacing a directory keeps what is under it; anything else replaces it all.
    auto existing = entries_.find(path);
    if (existing != entries_.end() && !(existing->second.type == apk::TarType::directory &&
                                        entry.type == apk::TarType::directory))
      remove_under(path, true);
    entries_[path] = std::move(entry);
  }
}

const TreeEntry* ImageTree::entry(std::string_view path) const {
  auto found = entries_.find(tree_path(path));
  return found == entries_.end() ? nullptr : &found->second;
}

std::optional<std::string> ImageTree::resolve(std::string_view path) const {
  std::string pending = tree_path(path);  // what is left to walk
  std::string done;                       // resolved so far, exists, not a symlink
  int links = 0;
  while (!pending.empty()) {
    size_t slash = pending.find('/');
    std::string part = pending.substr(0, slash);
    pending = slash == std::string::npos ? "" : pending.substr(slash + 1);
    std::string next = done.empty() ? part : done + "/" + part;
    auto found = entries_.find(next);
    if (found == entries_.end()) {
      // A directory no layer lists but under which entries lie (layers may leave parents out).
      auto child = entries_.lower_bound(next + "/");
      if (child == entries_.end() || child->first.compare(0, next.size() + 1, next + "/") != 0) return std::nullopt;
      done = next;
      continue;
    }
    if (found->second.type != apk::TarType::symlink) {
      done = next;
      continue;
    }
    if (++links > 40) return std::nullopt;
    const std::string& target = found->second.link_target;
    std::string base = !target.empty() && target[0] == '/' ? "" : done;
    pending = tree_path(base + "/" + target + (pending.empty() ? "" : "/" + pending));
    done.clear();
  }
  return done;
}

const TreeEntry* ImageTree::find(std::string_view path) const {
  auto resolved = resolve(path);
  return resolved ? entry(*resolved) : nullptr;
}

void write_tree(const ImageTree& tree, const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  for (const auto& [path, entry] : tree.entries()) {  // sorted: a directory before what is in it
    if (path.empty()) continue;
    for (size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1)) {
      const TreeEntry* parent = tree.entry(path.substr(0, slash));
      if (parent && parent->type != apk::TarType::directory)
        fail("image: /{} lies below /{}, which is not a directory: refused", path, path.substr(0, slash));
    }
    fs::path target = dir / path;
    fs::create_directories(target.parent_path());
    auto permissions = static_cast<fs::perms>(entry.mode & 0777);
    switch (entry.type) {
      case apk::TarType::directory:
        fs::create_directories(target);
        fs::permissions(target, permissions | fs::perms::owner_all);  // the writer must fill it
        break;
      case apk::TarType::symlink:
        fs::create_symlink(entry.link_target, target);
        break;
      case apk::TarType::regular:
      case apk::TarType::hardlink:
        write_file_atomic(target, entry.data, static_cast<mode_t>(entry.mode & 0777));
        break;
      default:
        break;  // device nodes and fifos: not for an unprivileged copy
    }
  }
}

}  // namespace lupine::image
