// Staging stage-0 packages: the files of the host's Debian packages copied into one directory tree
// per stage-0 package, ready for the dependency scanner and the packer.
//
//  - Paths come from dpkg's file lists: only regular files and symlinks (directories are implied),
//    without the spec's `skip` and the package's `exclude` patterns.
//  - Debian 12 is usr-merged: dpkg names /bin/sh or /lib/x86_64-linux-gnu/libc.so.6, which exist
//    only through the host's /bin → usr/bin and /lib → usr/lib links. Each path's parent directory
//    is canonicalised (realpath) to its /usr form; the bin, lib, lib64, sbin links themselves are
//    shipped by one base package (the spec's `symlinks`).
//  - A path belongs to the first stage-0 package that claims it (spec order): no file is shipped
//    twice, so the installer never meets a conflict.
//  - Alternatives (/etc/alternatives: cc → gcc, awk → gawk, automake → automake-1.16) become plain
//    symlinks to the host's current choice, in the package that ships the chosen file.
//  - busybox-applets: the usr-merged paths of every applet (`busybox --list-full`) in
//    etc/busybox-paths.d/<name>, as Wolfi's busybox ships them, and no link: installs link them where
//    no package has a file (index/busybox_links.h), so a root with busybox alone has every applet and
//    one with coreutils too has GNU ls, in either install order.
#pragma once

#include "builder/bootstrap/bootstrap_dpkg.h"
#include "builder/bootstrap/bootstrap_spec.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace lupine::builder {

struct StagedPackage {
  const BootstrapPackageSpec* spec = nullptr;
  std::filesystem::path dir;                 // the staged tree
  std::vector<const DebianPackage*> debian;  // where its files came from, in spec order
  const DebianPackage* version_source = nullptr;  // nullptr: a meta package
  std::vector<std::string> replaces;  // packages whose files it may overwrite (the spec's replaces)
  uint64_t entries = 0;  // files and symlinks
  uint64_t bytes = 0;    // of regular files
};

struct StageOptions {
  const BootstrapSpec* spec = nullptr;
  const DpkgDatabase* dpkg = nullptr;
  std::string multiarch;                     // "x86_64-linux-gnu": replaces {multiarch}
  std::filesystem::path staging_dir;         // <staging_dir>/<name> per package; must exist
  std::function<void(const std::string&)> on_warning;
};

// Stages every package of the spec. Every Debian package named must be installed (checked before:
// check_host_packages). Throws Error naming the path when a file cannot be copied.
std::vector<StagedPackage> stage_packages(const StageOptions& options);

// Fails with "bootstrap needs these Debian packages: a b (apt-get install a b)" when any Debian
// package the spec names (placeholders expanded) is not installed.
void check_host_packages(const BootstrapSpec& spec, const DpkgDatabase& dpkg, const std::string& multiarch);

// The /usr form of a host path dpkg names: its parent directory resolved (realpath), relative to
// "/", the last component kept (it may be a symlink), and usr/sbin merged into usr/bin as in Wolfi
// (whose wolfi-baselayout links usr/sbin -> bin: merged-usrsbin). "/bin/sh" → "usr/bin/sh",
// "/sbin/ldconfig" → "usr/bin/ldconfig". nullopt when the parent does not exist.
std::optional<std::string> canonical_host_path(const std::string& host_path);

// A root-relative /usr path with usr/sbin merged into usr/bin: "usr/sbin/ip" → "usr/bin/ip".
std::string wolfi_merged_path(std::string path);

// The path a busybox applet from `busybox --list-full` ("bin/sh", "sbin/ip", "usr/bin/awk") has in
// a Wolfi-merged root: "usr/bin/sh", "usr/bin/ip", "usr/bin/awk".
std::string usr_merged_applet_path(std::string_view listed);

}  // namespace lupine::builder
