// Interpreter dependencies of packages that ship modules, and the viewers of -doc packages
// (melange generatePythonDeps, generatePerlDeps, generateRubyDeps, generateDocDeps).
#include "builder/scan/sca_internal.h"

#include <algorithm>
#include <cctype>

namespace lupine::builder::sca_detail {
namespace {

bool declared_with_prefix(const ScanOptions& options, std::string_view prefix) {
  return std::any_of(options.declared_runtime.begin(), options.declared_runtime.end(),
                     [&](const std::string& dependency) { return dependency.rfind(prefix, 0) == 0; });
}

bool declared(const ScanOptions& options, std::string_view name) {
  return std::find(options.declared_runtime.begin(), options.declared_runtime.end(), name) !=
         options.declared_runtime.end();
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// Splits "a/b/c" into its components.
std::vector<std::string_view> components(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

// usr/lib/pythonX.Y/site-packages (any directory named site-packages under a pythonX.Y one):
// python-X.Y-base. melange keeps the last one the walk meets.
void python(const PackageTree& tree, const ScanOptions& options, Generated& out) {
  std::string version;
  for (const auto& entry : tree.entries) {
    if (!entry.is_directory() || base_name(entry.path) != "site-packages") continue;
    std::string_view parent = base_name(directory_of(entry.path));
    if (parent.rfind("python", 0) != 0) continue;
    version = std::string(parent.substr(6));
  }
  if (version.empty() || declared_with_prefix(options, "python")) return;
  out.runtime.push_back("python-" + version + "-base");
}

// usr/lib/perlN/*_perl or lib/perlN/*_perl: perl~N.
void perl(const PackageTree& tree, const ScanOptions& options, Generated& out) {
  for (const auto& entry : tree.entries) {
    auto parts = components(entry.path);
    size_t perl_index = parts.size() == 4 && parts[0] == "usr" && parts[1] == "lib" ? 2
                        : parts.size() == 3 && parts[0] == "lib"                   ? 1
                                                                                    : 0;
    if (perl_index == 0) continue;
    std::string_view perl_dir = parts[perl_index], module_dir = parts[perl_index + 1];
    if (perl_dir.rfind("perl", 0) != 0 || perl_dir.size() < 5 || !std::isdigit(static_cast<unsigned char>(perl_dir[4])))
      continue;
    if (module_dir.size() < 5 || module_dir.substr(module_dir.size() - 5) != "_perl") continue;
    if (!declared(options, "perl")) out.runtime.push_back("perl~" + std::string(perl_dir.substr(4)));
    return;
  }
}

// usr/lib/ruby/gems/X.Y.Z/gems or lib/ruby/gems/X.Y.Z/gems: ruby-X.Y.
void ruby(const PackageTree& tree, const ScanOptions& options, Generated& out) {
  for (const auto& entry : tree.entries) {
    auto parts = components(entry.path);
    if (!parts.empty() && parts[0] == "usr") parts.erase(parts.begin());
    if (parts.size() != 5 || parts[0] != "lib" || parts[1] != "ruby" || parts[2] != "gems" || parts[4] != "gems")
      continue;
    std::string_view version = parts[3];
    size_t first_dot = version.find('.');
    size_t second_dot = first_dot == std::string_view::npos ? first_dot : version.find('.', first_dot + 1);
    if (second_dot == std::string_view::npos || !all_digits(version.substr(0, first_dot)) ||
        !all_digits(version.substr(first_dot + 1, second_dot - first_dot - 1)) ||
        !all_digits(version.substr(second_dot + 1)))
      continue;
    if (declared_with_prefix(options, "ruby-") || declared(options, "ruby")) return;
    out.runtime.push_back("ruby-" + std::string(version.substr(0, second_dot)));
    return;
  }
}

// A *-doc package with entries directly in usr/share/man or usr/share/info.
void documentation(const PackageTree& tree, const ScanOptions& options, Generated& out) {
  const std::string& name = options.package_name;
  if (name.size() < 4 || name.compare(name.size() - 4, 4, "-doc") != 0) return;
  for (const auto& entry : tree.entries) {
    if (in_directory(entry.path, {"usr/share/man"})) out.runtime.push_back("man-db");
    if (in_directory(entry.path, {"usr/share/info"})) out.runtime.push_back("texinfo");
  }
}

}  // namespace

void language_deps(const PackageTree& tree, const ScanOptions& options, Generated& out) {
  documentation(tree, options, out);
  perl(tree, options, out);
  python(tree, options, out);
  ruby(tree, options, out);
}

}  // namespace lupine::builder::sca_detail
