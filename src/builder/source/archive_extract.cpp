#include "builder/source/archive_extract.h"

#include "common/path.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <system_error>

namespace fs = std::filesystem;

namespace lupine::builder {

namespace {

constexpr int kMaxSymlinkDepth = 40;

struct ArchiveReader {
  struct archive* handle = nullptr;
  std::string name;

  ArchiveReader(const fs::path& path) : name(path.string()) {
    handle = archive_read_new();
    if (!handle) fail("{}: cannot allocate an archive reader", name);
    archive_read_support_filter_all(handle);
    archive_read_support_format_all(handle);
    if (archive_read_open_filename(handle, path.c_str(), 64 * 1024) != ARCHIVE_OK)
      fail("{}: cannot read as an archive: {}", name, error_string());
  }
  ~ArchiveReader() {
    if (handle) archive_read_free(handle);
  }
  ArchiveReader(const ArchiveReader&) = delete;
  ArchiveReader& operator=(const ArchiveReader&) = delete;

  std::string error_string() const {
    const char* message = archive_error_string(handle);
    return message ? message : "unknown error";
  }

  // The next entry, or nullptr at the end; throws on a damaged archive.
  struct archive_entry* next() {
    struct archive_entry* entry = nullptr;
    int rc = archive_read_next_header(handle, &entry);
    if (rc == ARCHIVE_EOF) return nullptr;
    if (rc < ARCHIVE_WARN) fail("{}: damaged archive: {}", name, error_string());
    return entry;
  }
};

std::string entry_name(struct archive_entry* entry) {
  if (const char* name = archive_entry_pathname(entry)) return name;
  if (const char* name = archive_entry_pathname_utf8(entry)) return name;
  return "";
}

std::string join(const std::vector<std::string>& components, size_t count) {
  std::string out;
  for (size_t i = 0; i < count && i < components.size(); ++i) {
    if (i) out += '/';
    out += components[i];
  }
  return out;
}

std::string join(const std::vector<std::string>& components) { return join(components, components.size()); }

std::vector<std::string> split_components(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) out.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

enum class Kind { file, directory, symlink, hardlink, special };

struct PlannedEntry {
  std::vector<std::string> path;  // relative to the destination; empty = skipped
  Kind kind = Kind::file;
  std::string symlink_target;
  std::string hardlink_target;  // normalised, relative to the destination
};

Kind kind_of(struct archive_entry* entry) {
  if (archive_entry_hardlink(entry)) return Kind::hardlink;
  switch (archive_entry_filetype(entry)) {
    case AE_IFREG: return Kind::file;
    case AE_IFDIR: return Kind::directory;
    case AE_IFLNK: return Kind::symlink;
    default: return Kind::special;
  }
}

// Components of `destination` relative to `confine`; throws when it is not inside.
std::vector<std::string> destination_in_confinement(const fs::path& destination, const fs::path& confine) {
  fs::path relative = fs::absolute(destination).lexically_normal().lexically_relative(fs::absolute(confine).lexically_normal());
  if (relative.empty()) fail("{} is not inside {}", destination.string(), confine.string());
  std::vector<std::string> out;
  for (const auto& part : relative) {
    std::string text = part.string();
    if (text == "..") fail("{} is not inside {}", destination.string(), confine.string());
    if (text == "." || text.empty()) continue;
    out.push_back(text);
  }
  return out;
}

// The plan: every entry judged, symlinks resolved against each other.
struct Plan {
  std::vector<PlannedEntry> entries;
  ExtractStats stats;
};

class SymlinkResolver {
 public:
  SymlinkResolver(const std::string& archive, const std::vector<std::string>& base,
                  const std::map<std::string, std::string>& links)
      : archive_(archive), base_(base), links_(links) {}

  // Throws when the symlink at `path` (destination-relative) leads out of the confinement.
  void check(const std::vector<std::string>& path, const std::string& target) const {
    std::vector<std::string> parent = base_;
    parent.insert(parent.end(), path.begin(), path.end() - 1);
    resolve(parent, target, 0, join(path));
  }

 private:
  std::vector<std::string> resolve(std::vector<std::string> stack, const std::string& target, int depth,
                                   const std::string& link) const {
    if (depth > kMaxSymlinkDepth) throw UnsafeArchiveError(fmt::format("{}: symlink {} loops", archive_, link));
    if (!target.empty() && target[0] == '/')
      throw UnsafeArchiveError(
          fmt::format("{}: symlink {} -> {} leads out of the workspace (absolute target)", archive_, link, target));
    for (const auto& component : split_components(target)) {
      if (component == ".") continue;
      if (component == "..") {
        if (stack.empty())
          throw UnsafeArchiveError(fmt::format("{}: symlink {} -> {} leads out of the workspace", archive_, link, target));
        stack.pop_back();
        continue;
      }
      stack.push_back(component);
      // A symlink of the archive on the way is followed, as the kernel will.
      auto found = links_.find(join(stack));
      if (found != links_.end()) {
        std::vector<std::string> parent(stack.begin(), stack.end() - 1);
        stack = resolve(parent, found->second, depth + 1, link);
      }
    }
    return stack;
  }

  const std::string& archive_;
  const std::vector<std::string>& base_;
  const std::map<std::string, std::string>& links_;  // keyed by confinement-relative path
};

Plan make_plan(const fs::path& archive, const fs::path& destination, const ExtractOptions& options) {
  const std::string name = archive.string();
  fs::path confine = options.confine_to.empty() ? destination : options.confine_to;
  std::vector<std::string> base = destination_in_confinement(destination, confine);

  Plan plan;
  ArchiveReader reader(archive);
  std::set<std::string> seen;                       // destination-relative paths of entries so far
  std::set<std::string> symlinks;                   // destination-relative
  std::map<std::string, std::string> confined_links;  // confinement-relative path -> target
  while (struct archive_entry* entry = reader.next()) {
    PlannedEntry planned;
    std::string raw = entry_name(entry);
    planned.kind = kind_of(entry);
    planned.path = normalized_entry_path(name, raw, options.strip_components);
    if (planned.path.empty() || planned.kind == Kind::special) {
      planned.path.clear();
      ++plan.stats.skipped;
      plan.entries.push_back(std::move(planned));
      continue;
    }
    std::string joined = join(planned.path);
    if (auto reason = unsafe_path_reason(joined))
      throw UnsafeArchiveError(fmt::format("{}: unsafe entry {}: {}", name, raw, *reason));
    if (symlinks.count(joined))
      throw UnsafeArchiveError(fmt::format("{}: entry {} replaces a symlink of the archive", name, raw));
    switch (planned.kind) {
      case Kind::symlink: {
        const char* target = archive_entry_symlink(entry);
        planned.symlink_target = target ? target : "";
        if (planned.symlink_target.empty())
          throw UnsafeArchiveError(fmt::format("{}: symlink {} has no target", name, raw));
        symlinks.insert(joined);
        std::vector<std::string> confined = base;
        confined.insert(confined.end(), planned.path.begin(), planned.path.end());
        confined_links[join(confined)] = planned.symlink_target;
        ++plan.stats.symlinks;
        break;
      }
      case Kind::hardlink: {
        std::string target = archive_entry_hardlink(entry);
        std::vector<std::string> target_path = normalized_entry_path(name, target, options.strip_components);
        if (target_path.empty())
          throw UnsafeArchiveError(fmt::format("{}: hard link {} -> {}: target removed by strip-components", name, raw, target));
        planned.hardlink_target = join(target_path);
        if (!seen.count(planned.hardlink_target) || symlinks.count(planned.hardlink_target))
          throw UnsafeArchiveError(
              fmt::format("{}: hard link {} -> {} does not name an earlier file of the archive", name, raw, target));
        ++plan.stats.hardlinks;
        break;
      }
      case Kind::directory: ++plan.stats.directories; break;
      default: ++plan.stats.files; break;
    }
    seen.insert(joined);
    plan.entries.push_back(std::move(planned));
  }

  // With every symlink known: nothing may be written through one, and none may lead out.
  for (const auto& planned : plan.entries) {
    if (planned.path.empty()) continue;
    for (size_t length = 1; length < planned.path.size(); ++length) {
      std::string prefix = join(planned.path, length);
      if (symlinks.count(prefix))
        throw UnsafeArchiveError(
            fmt::format("{}: entry {} would be written through the symlink {}", name, join(planned.path), prefix));
    }
    if (planned.kind == Kind::hardlink) {
      auto target = split_components(planned.hardlink_target);
      for (size_t length = 1; length < target.size(); ++length)
        if (symlinks.count(join(target, length)))
          throw UnsafeArchiveError(fmt::format("{}: hard link {} goes through a symlink", name, join(planned.path)));
    }
  }
  SymlinkResolver resolver(name, base, confined_links);
  for (const auto& planned : plan.entries)
    if (planned.kind == Kind::symlink && !planned.path.empty()) resolver.check(planned.path, planned.symlink_target);
  return plan;
}

// Refuses a destination reached through a symlink inside the confinement directory.
void check_destination_path(const fs::path& destination, const fs::path& confine) {
  std::vector<std::string> components = destination_in_confinement(destination, confine);
  fs::path current = fs::absolute(confine).lexically_normal();
  for (const auto& component : components) {
    current /= component;
    std::error_code error;
    auto status = fs::symlink_status(current, error);
    if (error || !fs::exists(status)) return;  // the rest is created
    if (fs::is_symlink(status)) fail("{}: the extraction directory goes through the symlink {}", destination.string(), current.string());
    if (!fs::is_directory(status)) fail("{}: {} is not a directory", destination.string(), current.string());
  }
}

class StagingDir {
 public:
  explicit StagingDir(const fs::path& parent) {
    std::string pattern = (parent / ".lupine-extract-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) fail_errno("cannot create a staging directory in " + parent.string());
    path_ = pattern;
  }
  ~StagingDir() {
    std::error_code error;
    make_removable(path_);
    fs::remove_all(path_, error);
  }
  StagingDir(const StagingDir&) = delete;
  StagingDir& operator=(const StagingDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  // Read-only directories of the archive cannot be emptied: give the owner write access first.
  static void make_removable(const fs::path& dir) {
    std::error_code error;
    if (!fs::is_directory(fs::symlink_status(dir, error))) return;
    ::chmod(dir.c_str(), 0700);
    for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error))
      if (it->is_directory(error) && !it->is_symlink(error)) make_removable(it->path());
  }
  fs::path path_;
};

void write_entries(const fs::path& archive, const Plan& plan, const fs::path& staging, const ExtractOptions& options) {
  const std::string name = archive.string();
  ArchiveReader reader(archive);
  struct archive* writer = archive_write_disk_new();
  if (!writer) fail("cannot allocate an archive writer");
  std::unique_ptr<struct archive, decltype(&archive_write_free)> writer_guard(writer, archive_write_free);
  archive_write_disk_set_options(writer, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_NODOTDOT);
  auto writer_error = [&] {
    const char* message = archive_error_string(writer);
    return std::string(message ? message : "unknown error");
  };

  size_t index = 0;
  while (struct archive_entry* entry = reader.next()) {
    if (index >= plan.entries.size()) fail("{}: the archive changed while being extracted", name);
    const PlannedEntry& planned = plan.entries[index++];
    if (planned.path.empty()) continue;
    if (normalized_entry_path(name, entry_name(entry), options.strip_components) != planned.path)
      fail("{}: the archive changed while being extracted", name);
    std::string target = (staging / join(planned.path)).string();
    archive_entry_copy_pathname(entry, target.c_str());
    if (planned.kind == Kind::hardlink) {
      std::string link = (staging / planned.hardlink_target).string();
      archive_entry_copy_hardlink(entry, link.c_str());
    }
    if (archive_write_header(writer, entry) < ARCHIVE_WARN)
      fail("{}: cannot extract {}: {}", name, join(planned.path), writer_error());
    if (planned.kind == Kind::file) {
      const void* buffer = nullptr;
      size_t size = 0;
      la_int64_t offset = 0;
      for (;;) {
        int rc = archive_read_data_block(reader.handle, &buffer, &size, &offset);
        if (rc == ARCHIVE_EOF) break;
        if (rc < ARCHIVE_WARN) fail("{}: damaged data for {}: {}", name, join(planned.path), reader.error_string());
        if (archive_write_data_block(writer, buffer, size, offset) < ARCHIVE_WARN)
          fail("{}: cannot write {}: {}", name, join(planned.path), writer_error());
      }
    }
    if (archive_write_finish_entry(writer) < ARCHIVE_WARN)
      fail("{}: cannot extract {}: {}", name, join(planned.path), writer_error());
  }
  if (archive_write_close(writer) < ARCHIVE_WARN) fail("{}: cannot finish extraction: {}", name, writer_error());
}

bool is_real_directory(const fs::file_status& status) { return fs::is_directory(status) && !fs::is_symlink(status); }

// Checks that every staged entry can take its place in `destination` (no file over a directory).
void check_merge(const fs::path& staged, const fs::path& destination) {
  for (const auto& item : fs::directory_iterator(staged)) {
    fs::path target = destination / item.path().filename();
    std::error_code error;
    auto target_status = fs::symlink_status(target, error);
    if (error || !fs::exists(target_status)) continue;
    auto staged_status = item.symlink_status();
    if (is_real_directory(staged_status)) {
      if (is_real_directory(target_status)) check_merge(item.path(), target);
    } else if (is_real_directory(target_status)) {
      fail("cannot extract {}: a directory is in the way", target.string());
    }
  }
}

void merge(const fs::path& staged, const fs::path& destination) {
  for (const auto& item : fs::directory_iterator(staged)) {
    fs::path target = destination / item.path().filename();
    std::error_code error;
    auto target_status = fs::symlink_status(target, error);
    bool exists = !error && fs::exists(target_status);
    auto staged_status = item.symlink_status();
    if (is_real_directory(staged_status) && exists && is_real_directory(target_status)) {
      ::chmod(item.path().c_str(), 0700);  // its entries are moved out
      merge(item.path(), target);
      continue;
    }
    if (exists && is_real_directory(staged_status)) fs::remove(target);  // a file or symlink: replaced, not followed
    // Moving a directory to another parent rewrites its "..": a read-only one (0555 in the archive)
    // needs write permission for that, given for the move and taken back.
    struct stat info {};
    bool readonly_dir = is_real_directory(staged_status) && ::lstat(item.path().c_str(), &info) == 0 && !(info.st_mode & S_IWUSR);
    if (readonly_dir) ::chmod(item.path().c_str(), (info.st_mode & 07777) | S_IWUSR);
    if (::rename(item.path().c_str(), target.c_str()) != 0) fail_errno("cannot move " + item.path().string() + " to " + target.string());
    if (readonly_dir) ::chmod(target.c_str(), info.st_mode & 07777);
  }
}

}  // namespace

std::vector<std::string> normalized_entry_path(const std::string& archive_name, const std::string& entry_name,
                                               int strip_components) {
  if (entry_name.empty()) throw UnsafeArchiveError(fmt::format("{}: entry with an empty name", archive_name));
  if (entry_name[0] == '/')
    throw UnsafeArchiveError(fmt::format("{}: absolute entry {} refused", archive_name, entry_name));
  std::vector<std::string> components = split_components(entry_name);
  for (const auto& component : components)
    if (component == "..")
      throw UnsafeArchiveError(fmt::format("{}: entry {} refused: it contains '..'", archive_name, entry_name));
  std::vector<std::string> out;
  for (size_t i = static_cast<size_t>(std::max(strip_components, 0)); i < components.size(); ++i)
    if (components[i] != ".") out.push_back(components[i]);
  if (static_cast<size_t>(std::max(strip_components, 0)) >= components.size()) out.clear();
  return out;
}

ExtractStats check_archive(const fs::path& archive, const fs::path& destination, const ExtractOptions& options) {
  return make_plan(archive, destination, options).stats;
}

ExtractStats extract_archive(const fs::path& archive, const fs::path& destination_in, const ExtractOptions& options) {
  const fs::path destination = fs::absolute(destination_in).lexically_normal();
  fs::path confine = options.confine_to.empty() ? destination : options.confine_to;
  Plan plan = make_plan(archive, destination, options);
  check_destination_path(destination, confine);
  fs::create_directories(destination);
  StagingDir staging(destination);
  write_entries(archive, plan, staging.path(), options);
  merge_directory_into(staging.path(), destination);
  return plan.stats;
}

void merge_directory_into(const fs::path& staged, const fs::path& destination) {
  check_merge(staged, destination);
  merge(staged, destination);
}

}  // namespace lupine::builder
