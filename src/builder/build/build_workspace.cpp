#include "builder/build/build_workspace.h"

#include "common/error.h"
#include "common/fs.h"
#include "common/process.h"

#include <fnmatch.h>
#include <stdlib.h>

#include <vector>

namespace lupine::builder {
namespace fs = std::filesystem;

namespace {

constexpr const char* kMarker = ".lupine-workspace";

fs::path make_temporary_dir() {
  std::error_code error;
  fs::path base = fs::temp_directory_path(error);
  if (error) base = "/tmp";
  std::string pattern = (base / "lupine-build-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) fail_errno("cannot create a build workspace in " + base.string());
  return pattern;
}

std::vector<std::string> ignore_patterns(const fs::path& source_dir) {
  std::vector<std::string> patterns;
  fs::path file = source_dir / ".melangeignore";
  std::error_code error;
  if (!fs::is_regular_file(file, error)) return patterns;
  std::string text = read_file(file);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '\t')) line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    if (line.front() == '/') line.erase(0, 1);
    if (!line.empty() && line.back() == '/') line.pop_back();
    if (!line.empty()) patterns.push_back(line);
  }
  return patterns;
}

bool ignored(const std::vector<std::string>& patterns, const fs::path& relative) {
  std::string path = relative.generic_string();
  for (const auto& pattern : patterns) {
    if (pattern.find('/') == std::string::npos) {
      // A bare name matches any component (a directory excludes what is below it).
      for (const auto& part : relative)
        if (::fnmatch(pattern.c_str(), part.c_str(), 0) == 0) return true;
    } else if (::fnmatch(pattern.c_str(), path.c_str(), FNM_PATHNAME) == 0 ||
               ::fnmatch((pattern + "/*").c_str(), path.c_str(), 0) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace

BuildWorkspace::BuildWorkspace(const fs::path& requested) {
  if (requested.empty()) {
    path_ = make_temporary_dir();
    temporary_ = true;
  } else {
    path_ = fs::absolute(requested);
    fs::create_directories(path_);
    bool empty = fs::directory_iterator(path_) == fs::directory_iterator();
    if (!empty) {
      if (!fs::exists(path_ / kMarker))
        fail("--workspace-dir {} is not empty and not a workspace of an earlier lupine build: "
             "give an empty or new directory",
             path_.string());
      for (const auto& entry : fs::directory_iterator(path_)) fs::remove_all(entry.path());
    }
  }
  write_file_atomic(path_ / kMarker, "A lupine build workspace: emptied by the next build that uses it.\n");
}

BuildWorkspace::BuildWorkspace(const fs::path& dir, Resume) : path_(fs::absolute(dir)) {
  if (!fs::exists(path_ / kMarker)) fail("{} is not a workspace lupine kept", path_.string());
}

void BuildWorkspace::move_to(const fs::path& destination) {
  fs::path target = fs::absolute(destination);
  if (target == path_) {
    keep_ = true;
    return;
  }
  fs::remove_all(target);
  fs::create_directories(target.parent_path());
  std::error_code error;
  fs::rename(path_, target, error);
  if (error == std::errc::cross_device_link) {
    // cp -a keeps modes, links and special files as the steps left them.
    ProcessOptions options;
    options.argv = {"cp", "-a", "--", path_.string(), target.string()};
    auto result = run_process(options);
    if (!result.success())
      fail("cannot keep the workspace {} as {} ({}): {}", path_.string(), target.string(), result.describe(), result.err);
    fs::remove_all(path_, error);
    error.clear();
  }
  if (error) fail("cannot keep the workspace {} as {}: {}", path_.string(), target.string(), error.message());
  path_ = target;
  temporary_ = false;
  keep_ = true;
}

BuildWorkspace::~BuildWorkspace() {
  if (!temporary_ || keep_) return;
  std::error_code error;
  fs::remove_all(path_, error);
}

fs::path default_source_dir(const fs::path& recipe, const std::string& package) {
  std::error_code error;
  fs::path candidate = fs::absolute(recipe, error).parent_path() / package;
  if (!package.empty() && fs::is_directory(candidate, error)) return candidate;
  return {};
}

size_t copy_source_files(const fs::path& source_dir, const fs::path& workspace) {
  std::error_code error;
  if (!fs::is_directory(source_dir, error)) fail("source directory {} is not a directory", source_dir.string());
  auto patterns = ignore_patterns(source_dir);
  size_t copied = 0;
  for (auto it = fs::recursive_directory_iterator(source_dir); it != fs::recursive_directory_iterator(); ++it) {
    fs::path relative = fs::relative(it->path(), source_dir);
    if (ignored(patterns, relative)) {
      if (it->is_directory(error) && !it->is_symlink(error)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_symlink(error) || !it->is_regular_file(error)) continue;
    fs::path target = workspace / relative;
    fs::create_directories(target.parent_path());
    fs::copy_file(it->path(), target, fs::copy_options::overwrite_existing);
    fs::permissions(target, fs::status(it->path()).permissions());
    ++copied;
  }
  return copied;
}

void create_package_dirs(const fs::path& workspace, const BuildPlan& plan) {
  fs::create_directories(workspace / "melange-out" / plan.package.name);
  for (const auto& sub : plan.subpackages)
    if (sub.enabled) fs::create_directories(workspace / "melange-out" / sub.name);
}

}  // namespace lupine::builder
