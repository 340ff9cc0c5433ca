#include "builder/bootstrap/bootstrap_spec.h"

#include "apk/dependency.h"
#include "apk/version.h"
#include "common/error.h"
#include "common/fs.h"

#include <fnmatch.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

namespace lupine::builder {
namespace {

// Errors as "<file>:<line>: <message>" (yaml-cpp marks are 0-based).
class SpecReader {
 public:
  explicit SpecReader(std::string origin) : origin_(std::move(origin)) {}

  template <typename... Args>
  [[noreturn]] void error_at(const YAML::Node& node, fmt::format_string<Args...> format, Args&&... args) const {
    int line = node.Mark().is_null() ? 0 : node.Mark().line + 1;
    throw Error(fmt::format("{}:{}: {}", origin_, line, fmt::format(format, std::forward<Args>(args)...)));
  }

  std::string scalar(const YAML::Node& node, std::string_view key) const {
    if (!node.IsScalar()) error_at(node, "{} must be a string", key);
    return node.Scalar();
  }

  std::vector<std::string> list(const YAML::Node& node, std::string_view key) const {
    if (node.IsNull()) return {};
    if (!node.IsSequence()) error_at(node, "{} must be a list", key);
    std::vector<std::string> items;
    for (const auto& item : node) items.push_back(scalar(item, std::string(key) + " entries"));
    return items;
  }

  bool boolean(const YAML::Node& node, std::string_view key) const {
    std::string text = scalar(node, key);
    if (text == "true") return true;
    if (text == "false") return false;
    error_at(node, "{} must be true or false, not '{}'", key, text);
  }

  // A path inside the root: relative, without "..".
  std::string relative_path(const YAML::Node& node, std::string_view key) const {
    std::string path = scalar(node, key);
    if (path.empty() || path.front() == '/')
      error_at(node, "{} '{}' must be relative to the root (its /usr form, e.g. usr/bin/sh)", key, path);
    if (("/" + path + "/").find("/../") != std::string::npos) error_at(node, "{} '{}' must not contain '..'", key, path);
    return path;
  }

  std::vector<std::string> path_list(const YAML::Node& node, std::string_view key) const {
    if (node.IsNull()) return {};
    if (!node.IsSequence()) error_at(node, "{} must be a list", key);
    std::vector<std::string> paths;
    for (const auto& item : node) paths.push_back(relative_path(item, key));
    return paths;
  }

  void dependency_atoms(const YAML::Node& node, std::string_view key, std::vector<std::string>& out) const {
    if (node.IsNull()) return;
    if (!node.IsSequence()) error_at(node, "{} must be a list", key);
    for (const auto& item : node) {
      std::string atom = scalar(item, key);
      try {
        apk::Dependency dependency = apk::parse_dependency(atom);
        if (dependency.broken) error_at(item, "{} entry '{}' has an invalid version", key, atom);
      } catch (const Error& error) {
        if (std::string_view(error.what()).rfind(origin_, 0) == 0) throw;
        error_at(item, "{} entry '{}': {}", key, atom, error.what());
      }
      out.push_back(atom);
    }
  }

  BootstrapPackageSpec package(const YAML::Node& node) const {
    if (!node.IsMap()) error_at(node, "each package must be a mapping with at least a name");
    BootstrapPackageSpec spec;
    spec.line = node.Mark().line + 1;
    for (const auto& field : node) {
      std::string key = scalar(field.first, "a key");
      const YAML::Node& value = field.second;
      if (key == "name") {
        spec.name = scalar(value, "name");
        if (!valid_name(spec.name)) error_at(value, "'{}' is not a valid package name", spec.name);
      } else if (key == "debian") {
        spec.debian = list(value, "debian");
      } else if (key == "version-from") {
        spec.version_from = scalar(value, "version-from");
      } else if (key == "depends") {
        dependency_atoms(value, "depends", spec.depends);
      } else if (key == "provides") {
        dependency_atoms(value, "provides", spec.provides);
      } else if (key == "replaces") {
        dependency_atoms(value, "replaces", spec.replaces);
      } else if (key == "exclude") {
        spec.exclude = path_list(value, "exclude");
      } else if (key == "host-files") {
        spec.host_files = list(value, "host-files");
        for (size_t i = 0; i < spec.host_files.size(); ++i)
          if (spec.host_files[i].empty() || spec.host_files[i].front() != '/')
            error_at(value[i], "host-files entry '{}' must be an absolute host path", spec.host_files[i]);
      } else if (key == "symlinks") {
        if (!value.IsMap()) error_at(value, "symlinks must be a mapping of path: target");
        for (const auto& link : value)
          spec.symlinks.emplace_back(relative_path(link.first, "symlink path"), scalar(link.second, "symlink target"));
      } else if (key == "directories") {
        spec.directories = path_list(value, "directories");
      } else if (key == "busybox-applets") {
        spec.busybox_applets = boolean(value, "busybox-applets");
      } else if (key == "license") {
        spec.license = scalar(value, "license");
      } else if (key == "description") {
        spec.description = scalar(value, "description");
      } else {
        error_at(field.first, "unknown key '{}' in package (expected name, debian, version-from, depends, provides, "
                 "replaces, exclude, host-files, symlinks, directories, busybox-applets, license, description)", key);
      }
    }
    if (spec.name.empty()) error_at(node, "package has no name");
    if (!spec.version_from.empty() &&
        std::find(spec.debian.begin(), spec.debian.end(), spec.version_from) == spec.debian.end())
      error_at(node["version-from"], "version-from '{}' of {} is not one of its debian packages", spec.version_from,
               spec.name);
    return spec;
  }

  static bool valid_name(std::string_view name) {
    if (name.empty() || !std::isalnum(static_cast<unsigned char>(name.front()))) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '+';
    });
  }

  BootstrapSpec document(const YAML::Node& root) const {
    if (!root.IsMap()) error_at(root, "expected a mapping with 'packages'");
    BootstrapSpec spec;
    spec.origin = origin_;
    bool have_packages = false;
    std::set<std::string> names;
    for (const auto& field : root) {
      std::string key = scalar(field.first, "a key");
      const YAML::Node& value = field.second;
      if (key == "skip") {
        spec.skip = path_list(value, "skip");
      } else if (key == "meta-version") {
        spec.meta_version = scalar(value, "meta-version");
        if (!apk::version_valid(spec.meta_version) || spec.meta_version.find("-r") == std::string::npos)
          error_at(value, "meta-version '{}' must be a valid apk version with a release, e.g. 0-r0", spec.meta_version);
      } else if (key == "packages") {
        if (!value.IsSequence()) error_at(value, "packages must be a list");
        have_packages = true;
        for (const auto& item : value) {
          BootstrapPackageSpec package_spec = package(item);
          if (!names.insert(package_spec.name).second)
            error_at(item, "package {} is declared twice", package_spec.name);
          spec.packages.push_back(std::move(package_spec));
        }
      } else {
        error_at(field.first, "unknown key '{}' (expected skip, meta-version, packages)", key);
      }
    }
    if (!have_packages || spec.packages.empty()) error_at(root, "no packages declared");
    return spec;
  }

 private:
  std::string origin_;
};

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

}  // namespace

const BootstrapPackageSpec* BootstrapSpec::find(std::string_view name) const {
  for (const auto& package : packages)
    if (package.name == name) return &package;
  return nullptr;
}

std::vector<std::string> BootstrapSpec::debian_packages() const {
  std::vector<std::string> all;
  for (const auto& package : packages)
    for (const auto& debian : package.debian)
      if (std::find(all.begin(), all.end(), debian) == all.end()) all.push_back(debian);
  return all;
}

BootstrapSpec parse_bootstrap_spec(std::string_view text, const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& error) {
    throw Error(fmt::format("{}:{}: {}", origin, error.mark.is_null() ? 0 : error.mark.line + 1, error.msg));
  }
  return SpecReader(origin).document(root);
}

BootstrapSpec load_bootstrap_spec(const std::filesystem::path& path) {
  return parse_bootstrap_spec(read_file(path), path.string());
}

std::string expand_bootstrap_placeholders(std::string_view text, std::string_view multiarch) {
  std::string result(text);
  std::string gnu_type(multiarch);
  std::replace(gnu_type.begin(), gnu_type.end(), '_', '-');
  replace_all(result, "{multiarch}", multiarch);
  replace_all(result, "{gnu-type}", gnu_type);
  return result;
}

bool matches_any(const std::vector<std::string>& patterns, std::string_view path) {
  std::string text(path);
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& pattern) { return fnmatch(pattern.c_str(), text.c_str(), 0) == 0; });
}

std::filesystem::path default_bootstrap_spec() {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    fs::path beside = exe.parent_path().parent_path() / "melange-recipes" / "bootstrap" / "debian.yaml";
    if (fs::is_regular_file(beside, error)) return beside;
  }
#ifdef LUPINE_SOURCE_BOOTSTRAP_SPEC
  fs::path source = LUPINE_SOURCE_BOOTSTRAP_SPEC;
  if (fs::is_regular_file(source, error)) return source;
#endif
  fail("cannot find the stage-0 package map melange-recipes/bootstrap/debian.yaml (give --spec FILE)");
}

}  // namespace lupine::builder
