// The SCA driver: walks the package tree once, runs the generators, then sorts, filters by the
// package options and drops self-provided dependencies (melange pkg/sca/sca.go: Analyze,
// pkg/build/package.go: GenerateDependencies).
#include "builder/scan/sca.h"

#include "builder/scan/sca_internal.h"
#include "common/error.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>

namespace lupine::builder {
namespace sca_detail {

PackageTree list_tree(const std::filesystem::path& root) {
  PackageTree tree{root, {}};
  std::error_code error;
  std::filesystem::recursive_directory_iterator it(root, std::filesystem::directory_options::none, error), end;
  if (error) fail("cannot scan {}: {}", root.string(), error.message());
  for (; it != end; it.increment(error)) {
    if (error) fail("cannot scan {}: {}", root.string(), error.message());
    struct stat info {};
    if (lstat(it->path().c_str(), &info) != 0) fail_errno("cannot stat " + it->path().string());
    tree.entries.push_back({it->path().lexically_relative(root).generic_string(), info.st_mode});
  }
  if (error) fail("cannot scan {}: {}", root.string(), error.message());
  std::sort(tree.entries.begin(), tree.entries.end(),
            [](const TreeEntry& a, const TreeEntry& b) { return a.path < b.path; });
  return tree;
}


std::string_view directory_of(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

std::string_view base_name(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool in_directory(std::string_view path, const std::vector<std::string>& dirs) {
  std::string_view directory = directory_of(path);
  return std::find(dirs.begin(), dirs.end(), directory) != dirs.end();
}

std::string versioned(const std::string& name, const std::string& version) {
  return version.empty() ? name : name + "=" + version;
}

}  // namespace sca_detail

std::optional<std::filesystem::path> resolve_inside(const std::filesystem::path& root, std::string_view relative) {
  // Components still to walk, front first; `resolved` never leaves root.
  std::vector<std::string> pending;
  auto push_path = [&](std::string_view path) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (start <= path.size()) {
      size_t slash = path.find('/', start);
      if (slash == std::string_view::npos) slash = path.size();
      if (slash > start) parts.emplace_back(path.substr(start, slash - start));
      start = slash + 1;
    }
    pending.insert(pending.end(), parts.rbegin(), parts.rend());
  };
  push_path(relative);
  std::vector<std::string> resolved;
  int links = 0;
  while (!pending.empty()) {
    std::string part = std::move(pending.back());
    pending.pop_back();
    if (part == ".") continue;
    if (part == "..") {
      if (!resolved.empty()) resolved.pop_back();
      continue;
    }
    std::filesystem::path host = root;
    for (const auto& component : resolved) host /= component;
    host /= part;
    struct stat info {};
    if (lstat(host.c_str(), &info) != 0) return std::nullopt;
    if (!S_ISLNK(info.st_mode)) {
      resolved.push_back(part);
      continue;
    }
    if (++links > 40) return std::nullopt;
    std::error_code error;
    std::string target = std::filesystem::read_symlink(host, error).string();
    if (error) return std::nullopt;
    if (!target.empty() && target.front() == '/') resolved.clear();
    push_path(target);
  }
  std::filesystem::path host = root;
  for (const auto& component : resolved) host /= component;
  return host;
}

namespace {

using namespace sca_detail;

// etc/ld.so.conf.d/*.conf of every package of the build: absolute directories, one per line.
std::vector<std::string> extra_library_dirs(const std::vector<PackageTree>& packages) {
  std::vector<std::string> dirs;
  for (const auto& package : packages) {
    for (const auto& entry : package.entries) {
      if (!entry.is_regular() || entry.path.rfind("etc/ld.so.conf.d/", 0) != 0) continue;
      if (entry.path.size() < 5 || entry.path.compare(entry.path.size() - 5, 5, ".conf") != 0) continue;
      std::ifstream in(package.root / entry.path);
      for (std::string line; std::getline(in, line);) {
        if (line.empty() || line.front() != '/') continue;
        std::string dir = line.substr(1);
        while (!dir.empty() && (dir.back() == '/' || std::isspace(static_cast<unsigned char>(dir.back())))) dir.pop_back();
        dirs.push_back(dir);
      }
    }
  }
  return dirs;
}

void sort_unique(std::vector<std::string>& list) {
  std::sort(list.begin(), list.end());
  list.erase(std::unique(list.begin(), list.end()), list.end());
}

void remove_prefixed(std::vector<std::string>& list, std::string_view prefix) {
  list.erase(std::remove_if(list.begin(), list.end(), [&](const std::string& s) { return s.rfind(prefix, 0) == 0; }),
             list.end());
}

// melange removeSelfProvidedDeps: drops the dependencies whose name (before any '=' / '>=') is
// among `provided` (compared by name, before '=').
std::vector<std::string> remove_self_provided(const std::vector<std::string>& runtime,
                                              const std::vector<std::string>& provided) {
  std::set<std::string> names;
  for (const auto& entry : provided) names.insert(entry.substr(0, entry.find('=')));
  std::vector<std::string> kept;
  for (const auto& dependency : runtime) {
    std::string name = dependency;
    if (name.rfind("so-ver:", 0) == 0) name = name.substr(0, name.find(">="));
    if (!names.count(name)) kept.push_back(dependency);
  }
  return kept;
}

}  // namespace

std::string soname_version(std::string_view soname) {
  size_t marker = soname.find(".so.");
  if (marker == std::string_view::npos) return "0";
  std::string_view version = soname.substr(marker + 4);
  // melange splits at every ".so." and takes the second piece.
  if (size_t next = version.find(".so."); next != std::string_view::npos) version = version.substr(0, next);
  for (char c : version)
    if (c != '.' && !std::isdigit(static_cast<unsigned char>(c))) return "0";
  return std::string(version);
}

ScanResult scan_package_dir(const std::filesystem::path& dir, const ScanOptions& options) {
  PackageTree tree = list_tree(dir);
  std::vector<PackageTree> relatives;
  bool self_listed = false;
  std::error_code error;
  for (const auto& relative : options.relatives) {
    if (std::filesystem::equivalent(relative, dir, error)) {
      self_listed = true;
      relatives.push_back(tree);
    } else {
      relatives.push_back(list_tree(relative));
    }
  }
  if (!self_listed) relatives.insert(relatives.begin(), tree);

  std::vector<std::string> library_dirs{"lib", "usr/lib", "lib64", "usr/lib64"};
  for (auto& extra : extra_library_dirs(relatives)) library_dirs.push_back(std::move(extra));

  Generated generated;
  shared_object_deps(tree, relatives, library_dirs, options, generated);
  command_providers(tree, options, generated);
  language_deps(tree, options, generated);
  pkgconfig_deps(tree, options, generated);
  shebang_deps(tree, options, generated);

  sort_unique(generated.runtime);
  sort_unique(generated.provides);
  sort_unique(generated.vendored);
  if (options.no_commands) {
    remove_prefixed(generated.provides, "cmd:");
    remove_prefixed(generated.runtime, "cmd:");
  }
  if (options.no_depends) generated.runtime.clear();
  if (options.no_provides) generated.provides.clear();

  ScanResult result;
  result.depends = remove_self_provided(remove_self_provided(generated.runtime, generated.vendored), generated.provides);
  result.provides = std::move(generated.provides);
  result.vendored = std::move(generated.vendored);
  result.warnings = std::move(generated.warnings);
  return result;
}

PackageDependencies merge_dependencies(const ScanResult& scanned, const std::vector<std::string>& declared_runtime,
                                       const std::vector<std::string>& declared_provides) {
  PackageDependencies merged;
  merged.provides = declared_provides;
  merged.provides.insert(merged.provides.end(), scanned.provides.begin(), scanned.provides.end());
  sort_unique(merged.provides);
  merged.runtime = declared_runtime;
  merged.runtime.insert(merged.runtime.end(), scanned.depends.begin(), scanned.depends.end());
  sort_unique(merged.runtime);
  merged.runtime = remove_self_provided(merged.runtime, merged.provides);
  merged.vendored = scanned.vendored;
  sort_unique(merged.vendored);
  return merged;
}

}  // namespace lupine::builder
