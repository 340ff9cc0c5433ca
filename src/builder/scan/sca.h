// Automatic dependencies and provides of a built package (melange's pkg/sca, reference/melange.md
// §5.4), from the files in its destdir:
//
//  - ELF files: PT_INTERP → depends so:<basename> (so:ld-musl* → so:libc.musl*); each DT_NEEDED
//    containing ".so." → depends so:<lib>; the DT_SONAME of a library in lib/, usr/lib/, lib64/,
//    usr/lib64/ or a directory named by etc/ld.so.conf.d/*.conf of any package of the build →
//    provides so:<soname>=<soname version> (libfoo.so.1.2 → 1.2; no numeric suffix → 0) and
//    so-ver:<soname>=<package version>; elsewhere it is only recorded as vendored.
//    A symlink *.so* whose target is a library of any package of the build (lib*.so in -dev)
//    → depends so:<that library's soname>.
//  - executables (mode r-xr-xr-x) in bin/, sbin/, usr/bin/, usr/sbin/ → provides cmd:<name>=<ver>.
//  - *.pc in usr/lib/pkgconfig, usr/lib64/pkgconfig, usr/share/pkgconfig, usr/local/lib/pkgconfig,
//    usr/local/share/pkgconfig → provides pc:<name>=<ver>; their Requires, Requires.private and
//    Requires.internal → depends pc:<name>; .pc files elsewhere are vendored.
//  - "#!" scripts under usr/bin/, usr/local/bin/, usr/local/sbin/ → depends cmd:<interpreter>
//    (`/usr/bin/env X` and `env -S X` give X); python, python3, sh, awk, luajit are ignored by
//    default, as melange does (nothing provides cmd:sh: busybox's sh is a symlink).
//  - usr/lib/pythonX.Y/site-packages → python-X.Y-base; usr/lib/perlN/*_perl → perl~N;
//    usr/lib/ruby/gems/X.Y.Z/gems → ruby-X.Y (each unless already declared); a *-doc package with
//    usr/share/man or usr/share/info → man-db / texinfo.
//
// Lists are sorted and de-duplicated; options no-commands / no-depends / no-provides remove what
// they name; a package's depends never name what it provides (or vendors) itself.
//
// Not done (yet): kernel modules (linux:), Go FIPS binaries, so-ver: depends
// (MELANGE_VERSIONED_SHLIB_DEPENDS).
#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace lupine::builder {

struct ScanOptions {
  std::string package_name;     // for the *-doc rule
  std::string package_version;  // "<version>-r<epoch>": the version of cmd:, pc:, so-ver: provides
  // Every package directory of the build (main and subpackages; this one may be included): their
  // etc/ld.so.conf.d add library directories, and their libraries resolve lib*.so symlinks.
  std::vector<std::filesystem::path> relatives;
  std::vector<std::string> declared_runtime;  // the recipe's runtime dependencies
  bool no_provides = false;
  bool no_depends = false;
  bool no_commands = false;
  std::set<std::string> ignored_interpreters{"awk", "luajit", "python", "python3", "sh"};
  // More directories whose .pc files a package provides (beside melange's usr/lib/pkgconfig,
  // usr/share/pkgconfig, ...): stage 0 adds Debian's usr/lib/<multiarch>/pkgconfig.
  std::vector<std::string> extra_pkgconfig_dirs;
};

struct ScanResult {
  std::vector<std::string> provides;
  std::vector<std::string> depends;   // without what the package provides or vendors itself
  std::vector<std::string> vendored;  // `# vendored =` lines of .PKGINFO
  std::vector<std::string> warnings;  // files that could not be analysed, and why
};

// Scans the package tree at `dir` (a melange-out/<pkg> directory). Throws Error only when `dir`
// cannot be read; an unreadable or malformed file is a warning.
ScanResult scan_package_dir(const std::filesystem::path& dir, const ScanOptions& options);

struct PackageDependencies {
  std::vector<std::string> runtime;
  std::vector<std::string> provides;
  std::vector<std::string> vendored;
};

// The recipe's dependencies merged with the scan's (melange GenerateDependencies): sorted,
// de-duplicated, and without runtime dependencies the package provides itself.
PackageDependencies merge_dependencies(const ScanResult& scanned, const std::vector<std::string>& declared_runtime,
                                       const std::vector<std::string>& declared_provides);

// The version part of a soname as melange writes it in so: provides: "libfoo.so.1.2" → "1.2";
// "libfoo.so" or a non-numeric suffix → "0".
std::string soname_version(std::string_view soname);

// The host path of `relative` inside `root`, following symlinks as if `root` were `/` (absolute
// targets and `..` stay inside); nullopt when it does not exist or loops.
std::optional<std::filesystem::path> resolve_inside(const std::filesystem::path& root, std::string_view relative);

}  // namespace lupine::builder
