// Shared by the SCA generators (sca_*.cpp); not part of the builder's API.
#pragma once

#include "builder/scan/sca.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lupine::builder::sca_detail {

// One entry of a package tree, as lstat saw it.
struct TreeEntry {
  std::string path;  // relative, '/'-separated: "usr/lib/libz.so.1"
  mode_t mode = 0;
  bool is_regular() const { return S_ISREG(mode); }
  bool is_symlink() const { return S_ISLNK(mode); }
  bool is_directory() const { return S_ISDIR(mode); }
};

// A package directory and its entries in lexical order of their paths.
struct PackageTree {
  std::filesystem::path root;
  std::vector<TreeEntry> entries;
};

PackageTree list_tree(const std::filesystem::path& root);

// What the generators add to.
struct Generated {
  std::vector<std::string> runtime, provides, vendored, warnings;
};

// "usr/lib" for "usr/lib/libz.so"; "" for a top-level name.
std::string_view directory_of(std::string_view path);
std::string_view base_name(std::string_view path);

// True when the directory of `path` is exactly one of `dirs` (given without trailing '/').
bool in_directory(std::string_view path, const std::vector<std::string>& dirs);

// The generators (melange's names in sca.go).
void shared_object_deps(const PackageTree& tree, const std::vector<PackageTree>& relatives,
                        const std::vector<std::string>& library_dirs, const ScanOptions& options, Generated& out);
void command_providers(const PackageTree& tree, const ScanOptions& options, Generated& out);
void shebang_deps(const PackageTree& tree, const ScanOptions& options, Generated& out);
void pkgconfig_deps(const PackageTree& tree, const ScanOptions& options, Generated& out);
void language_deps(const PackageTree& tree, const ScanOptions& options, Generated& out);  // python, perl, ruby, doc

// "name=version", or just "name" when the package version is unknown.
std::string versioned(const std::string& name, const std::string& version);

}  // namespace lupine::builder::sca_detail
