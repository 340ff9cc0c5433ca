// The stage-0 package map `lupine bootstrap` reads (melange-recipes/bootstrap/debian.yaml): which
// packages a new distribution starts from (Wolfi names, as recipes' environment.contents use them)
// and which of the host's installed Debian packages each takes its files from.
//
//   skip: [usr/share/doc/*, ...]          # paths never shipped (fnmatch, '*' crosses '/')
//   meta-version: 0-r0                    # version of packages that take no Debian files
//   packages:
//     - name: gcc                         # stage-0 package name
//       debian: [gcc-12, gcc, cpp-12]     # Debian packages whose dpkg file lists it takes, in order
//       version-from: gcc-12              # whose version it gets (default: the first of debian)
//       depends: [binutils]               # declared; merged with the scanned so:/cmd: depends
//       provides: [cc]                    # declared; merged with the scanned provides
//       replaces: [busybox-binsh]         # packages whose files it may overwrite (apk's replaces)
//       exclude: [usr/bin/mtrace]         # paths of those lists left out (fnmatch)
//       host-files: [/etc/ssl/certs/ca-certificates.crt]  # host files no dpkg list names, or that a
//                                                         # later package's Debian list names
//       symlinks: {bin: usr/bin}          # links made in the package (path: target)
//       directories: [tmp]                # empty directories made in the package
//       busybox-applets: true             # the list of its applets' paths (bootstrap_stage.h)
//       license: MIT                      # default: from /usr/share/doc/<pkg>/copyright
//       description: ...                  # default: "stage-0 <name> from Debian <pkg> <version>"
//
// `{multiarch}` (x86_64-linux-gnu) and `{gnu-type}` (x86-64-linux-gnu, as in Debian package names
// like binutils-x86-64-linux-gnu) are replaced in Debian package names, paths and link targets.
// Paths are relative to the root, in their /usr form (Debian 12 is usr-merged).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lupine::builder {

struct BootstrapPackageSpec {
  std::string name;
  int line = 0;  // where it is declared, for messages
  std::vector<std::string> debian;
  std::string version_from;
  std::vector<std::string> depends;
  std::vector<std::string> provides;
  std::vector<std::string> replaces;
  std::vector<std::string> exclude;
  std::vector<std::string> host_files;
  std::vector<std::pair<std::string, std::string>> symlinks;
  std::vector<std::string> directories;
  bool busybox_applets = false;
  std::string license;
  std::string description;
};

struct BootstrapSpec {
  std::string origin;  // the file it was read from
  std::vector<std::string> skip;
  std::string meta_version = "0-r0";
  std::vector<BootstrapPackageSpec> packages;

  const BootstrapPackageSpec* find(std::string_view name) const;
  // Every Debian package named by any stage-0 package, in first-use order, without duplicates.
  std::vector<std::string> debian_packages() const;
};

// Parses the data file. Errors are Error("<origin>:<line>: <what is wrong>"). Checks: known keys
// only, unique package names, valid apk package names and dependency atoms, a valid meta-version,
// relative paths without "..", version-from among debian.
BootstrapSpec parse_bootstrap_spec(std::string_view text, const std::string& origin);
BootstrapSpec load_bootstrap_spec(const std::filesystem::path& path);

// `{multiarch}` and `{gnu-type}` replaced, for a Debian multiarch triplet such as "x86_64-linux-gnu".
std::string expand_bootstrap_placeholders(std::string_view text, std::string_view multiarch);

// True when `path` (relative, '/'-separated) matches one of the fnmatch `patterns`.
bool matches_any(const std::vector<std::string>& patterns, std::string_view path);

// The data file shipped with lupine: melange-recipes/bootstrap/debian.yaml beside the binary's
// directory, else in the source tree lupine was built from.
std::filesystem::path default_bootstrap_spec();

}  // namespace lupine::builder
