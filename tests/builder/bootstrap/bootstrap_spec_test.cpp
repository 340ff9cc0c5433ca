// The stage-0 package map: parsing, errors with file:line, placeholders, patterns; and the dpkg
// database pieces bootstrap reads (status, copyright licenses, alternatives, applet paths).
#include "builder/bootstrap/bootstrap_closure.h"
#include "builder/bootstrap/bootstrap_dpkg.h"
#include "builder/bootstrap/bootstrap_spec.h"
#include "builder/bootstrap/bootstrap_stage.h"
#include "common/error.h"
#include "common/fs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lupine::builder {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

std::string parse_error(const std::string& text) {
  try {
    parse_bootstrap_spec(text, "map.yaml");
  } catch (const Error& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(BootstrapSpec, ParsesEveryField) {
  BootstrapSpec spec = parse_bootstrap_spec(R"(meta-version: 1-r2
skip: [usr/share/doc/*]
packages:
  - name: base
    symlinks: {bin: usr/bin}
    directories: [tmp]
  - name: gcc
    debian: [gcc-12, gcc]
    version-from: gcc-12
    depends: [binutils, "glibc>=2"]
    provides: [cc]
    replaces: [gcc-11]
    exclude: [usr/bin/x]
    license: GPL-3.0-or-later
    description: the compiler
  - name: ca-certificates-bundle
    host-files: [/etc/ssl/certs/ca-certificates.crt]
  - name: busybox
    debian: [busybox-static]
    busybox-applets: true
)", "map.yaml");
  EXPECT_EQ(spec.meta_version, "1-r2");
  EXPECT_THAT(spec.skip, ElementsAre("usr/share/doc/*"));
  ASSERT_EQ(spec.packages.size(), 4u);
  EXPECT_THAT(spec.packages[0].symlinks, ElementsAre(std::make_pair(std::string("bin"), std::string("usr/bin"))));
  EXPECT_THAT(spec.packages[0].directories, ElementsAre("tmp"));
  const BootstrapPackageSpec& gcc = *spec.find("gcc");
  EXPECT_EQ(gcc.line, 7);
  EXPECT_THAT(gcc.debian, ElementsAre("gcc-12", "gcc"));
  EXPECT_EQ(gcc.version_from, "gcc-12");
  EXPECT_THAT(gcc.depends, ElementsAre("binutils", "glibc>=2"));
  EXPECT_THAT(gcc.provides, ElementsAre("cc"));
  EXPECT_THAT(gcc.replaces, ElementsAre("gcc-11"));
  EXPECT_THAT(gcc.exclude, ElementsAre("usr/bin/x"));
  EXPECT_EQ(gcc.license, "GPL-3.0-or-later");
  EXPECT_EQ(gcc.description, "the compiler");
  EXPECT_THAT(spec.packages[2].host_files, ElementsAre("/etc/ssl/certs/ca-certificates.crt"));
  EXPECT_TRUE(spec.packages[3].busybox_applets);
  EXPECT_THAT(spec.debian_packages(), ElementsAre("gcc-12", "gcc", "busybox-static"));
}

TEST(BootstrapSpec, ErrorsNameFileAndLine) {
  EXPECT_EQ(parse_error("packages:\n  - name: a\n    colour: red\n"),
            "map.yaml:3: unknown key 'colour' in package (expected name, debian, version-from, depends, provides, "
            "replaces, exclude, host-files, symlinks, directories, busybox-applets, license, description)");
  EXPECT_EQ(parse_error("packages:\n  - name: a\n  - name: a\n"), "map.yaml:3: package a is declared twice");
  EXPECT_EQ(parse_error("packages:\n  - debian: [x]\n"), "map.yaml:2: package has no name");
  EXPECT_EQ(parse_error("packages:\n  - name: a\n    debian: x\n"), "map.yaml:3: debian must be a list");
  EXPECT_EQ(parse_error("packages:\n  - name: a\n    debian: [x]\n    version-from: y\n"),
            "map.yaml:4: version-from 'y' of a is not one of its debian packages");
  EXPECT_EQ(parse_error("packages:\n  - name: a\n    exclude: [/usr/bin/x]\n"),
            "map.yaml:3: exclude '/usr/bin/x' must be relative to the root (its /usr form, e.g. usr/bin/sh)");
  EXPECT_EQ(parse_error("packages:\n  - name: a\n    symlinks: {usr/../etc: x}\n"),
            "map.yaml:3: symlink path 'usr/../etc' must not contain '..'");
  EXPECT_EQ(parse_error("packages:\n  - name: a\n    host-files: [etc/x]\n"),
            "map.yaml:3: host-files entry 'etc/x' must be an absolute host path");
  EXPECT_EQ(parse_error("packages:\n  - name: a\n    busybox-applets: yes\n"),
            "map.yaml:3: busybox-applets must be true or false, not 'yes'");
  EXPECT_EQ(parse_error("packages:\n  - name: 'a b'\n"), "map.yaml:2: 'a b' is not a valid package name");
  EXPECT_EQ(parse_error("meta-version: latest\npackages:\n  - name: a\n"),
            "map.yaml:1: meta-version 'latest' must be a valid apk version with a release, e.g. 0-r0");
  EXPECT_EQ(parse_error("packages: []\n"), "map.yaml:1: no packages declared");
  EXPECT_EQ(parse_error("pakages:\n  - name: a\n"), "map.yaml:1: unknown key 'pakages' (expected skip, meta-version, packages)");
  EXPECT_EQ(parse_error("packages:\n  - name: a\n    depends: ['b>=one']\n"),
            "map.yaml:3: depends entry 'b>=one' has an invalid version");
  EXPECT_THAT(parse_error("packages:\n  - name: a\n    provides: ['x y']\n"), HasSubstr("map.yaml:3: provides entry 'x y'"));
  EXPECT_THAT(parse_error("packages: [\n"), HasSubstr("map.yaml:"));
}

TEST(BootstrapSpec, ThePlaceholdersAndPatterns) {
  EXPECT_EQ(expand_bootstrap_placeholders("binutils-{gnu-type}", "x86_64-linux-gnu"), "binutils-x86-64-linux-gnu");
  EXPECT_EQ(expand_bootstrap_placeholders("usr/lib/{multiarch}/libssl.so.3", "aarch64-linux-gnu"),
            "usr/lib/aarch64-linux-gnu/libssl.so.3");
  EXPECT_TRUE(matches_any({"usr/share/doc/*"}, "usr/share/doc/gcc/copyright"));
  EXPECT_TRUE(matches_any({"usr/lib/git-core/git-remote-http*"}, "usr/lib/git-core/git-remote-https"));
  EXPECT_FALSE(matches_any({"usr/share/doc/*"}, "usr/share/docs"));
}

TEST(BootstrapSpec, TheShippedMapParses) {
  BootstrapSpec spec = load_bootstrap_spec(default_bootstrap_spec());
  for (const char* name : {"build-base", "gcc", "binutils", "make", "glibc", "glibc-dev", "busybox", "bash",
                           "coreutils", "sed", "grep", "gawk", "tar", "gzip", "xz", "bzip2", "patch", "findutils",
                           "diffutils", "pkgconf", "autoconf", "automake", "libtool", "cmake", "ninja-build", "git",
                           "ca-certificates-bundle", "wolfi-base", "wolfi-baselayout"})
    EXPECT_NE(spec.find(name), nullptr) << name;
}

TEST(BootstrapDpkg, ParsesInstalledPackagesOfTheNativeArch) {
  auto packages = parse_dpkg_status(R"(Package: gcc-12
Status: install ok installed
Architecture: amd64
Version: 12.2.0-14+deb12u1
Description: GNU C compiler
 continuation line: not a field
Homepage: http://gcc.gnu.org/

Package: libc6
Status: install ok installed
Architecture: i386
Version: 2.36-9

Package: gawk
Status: deinstall ok config-files
Architecture: amd64
Version: 1:5.2.1-2

Package: tzdata
Status: install ok installed
Architecture: all
Version: 2024a-0+deb12u1
)", "amd64");
  ASSERT_EQ(packages.size(), 2u);
  EXPECT_EQ(packages.at("gcc-12").version, "12.2.0-14+deb12u1");
  EXPECT_EQ(packages.at("gcc-12").homepage, "http://gcc.gnu.org/");
  EXPECT_EQ(packages.at("tzdata").architecture, "all");
}

TEST(BootstrapDpkg, LicensesFromMachineReadableCopyright) {
  TempDir dir;
  write_file_atomic(dir.path() / "dep5", "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
                                          "Upstream-Name: x\n\nFiles: debian/*\nLicense: MIT\n\n"
                                          "Files: *\nCopyright: someone\nLicense: GPL-2+ or Artistic\n");
  write_file_atomic(dir.path() / "free-form", "This package was debianized by someone.\nLicense: GPL\n");
  EXPECT_EQ(license_from_copyright(dir.path() / "dep5"), "GPL-2.0-or-later OR Artistic");
  EXPECT_EQ(license_from_copyright(dir.path() / "free-form"), std::nullopt);
  EXPECT_EQ(license_from_copyright(dir.path() / "absent"), std::nullopt);
}

TEST(BootstrapDpkg, ReadsFileListsAndAlternatives) {
  TempDir dir;
  fs::create_directories(dir.path() / "dpkg/info");
  fs::create_directories(dir.path() / "dpkg/alternatives");
  fs::create_directories(dir.path() / "etc-alternatives");
  write_file_atomic(dir.path() / "dpkg/status",
                    "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36-9\n\n"
                    "Package: make\nStatus: install ok installed\nArchitecture: amd64\nVersion: 4.3-4.1\n");
  write_file_atomic(dir.path() / "dpkg/info/libc6:amd64.list", "/.\n/lib64\n/lib64/ld-linux-x86-64.so.2\n");
  write_file_atomic(dir.path() / "dpkg/info/make.list", "/.\n/usr\n/usr/bin/make\n");
  write_file_atomic(dir.path() / "dpkg/alternatives/cc", "auto\n/usr/bin/cc\ncc.1.gz\n/usr/share/man/man1/cc.1.gz\n\n"
                                                         "/usr/bin/gcc\n20\n/usr/share/man/man1/gcc.1.gz\n");
  fs::create_symlink("/usr/bin/gcc", dir.path() / "etc-alternatives/cc");
  DpkgDatabase dpkg(dir.path() / "dpkg", "amd64", dir.path() / "etc-alternatives");
  ASSERT_NE(dpkg.installed("libc6"), nullptr);
  EXPECT_EQ(dpkg.installed("gawk"), nullptr);
  EXPECT_THAT(dpkg.file_list(*dpkg.installed("libc6")), ElementsAre("/lib64", "/lib64/ld-linux-x86-64.so.2"));
  EXPECT_THAT(dpkg.owners_of_base_name("make"), ElementsAre("make"));
  auto alternatives = dpkg.alternatives();
  ASSERT_EQ(alternatives.size(), 1u);  // the man page slave has no current choice here
  EXPECT_EQ(alternatives[0].link, "/usr/bin/cc");
  EXPECT_EQ(alternatives[0].target, "/usr/bin/gcc");
}

TEST(BootstrapDpkg, MissingHostPackagesAreNamedWithTheInstallCommand) {
  TempDir dir;
  write_file_atomic(dir.path() / "status", "Package: make\nStatus: install ok installed\nArchitecture: amd64\nVersion: 4.3\n");
  DpkgDatabase dpkg(dir.path(), "amd64", dir.path());
  BootstrapSpec spec = parse_bootstrap_spec(
      "packages:\n  - name: make\n    debian: [make]\n  - name: binutils\n    debian: [\"binutils-{gnu-type}\", gawk]\n",
      "map.yaml");
  try {
    check_host_packages(spec, dpkg, "x86_64-linux-gnu");
    FAIL();
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(),
                 "bootstrap needs these Debian packages: binutils-x86-64-linux-gnu gawk "
                 "(apt-get install binutils-x86-64-linux-gnu gawk)");
  }
}

TEST(BootstrapStage, AppletPathsAndCanonicalHostPaths) {
  EXPECT_EQ(usr_merged_applet_path("bin/sh"), "usr/bin/sh");
  EXPECT_EQ(usr_merged_applet_path("sbin/ip"), "usr/bin/ip");
  EXPECT_EQ(usr_merged_applet_path("usr/sbin/chroot"), "usr/bin/chroot");
  EXPECT_EQ(wolfi_merged_path("usr/sbin/ldconfig"), "usr/bin/ldconfig");
  EXPECT_EQ(wolfi_merged_path("usr/sbinx/a"), "usr/sbinx/a");
  EXPECT_EQ(usr_merged_applet_path("usr/bin/awk"), "usr/bin/awk");
  EXPECT_EQ(canonical_host_path("/usr/bin/make"), "usr/bin/make");
  EXPECT_EQ(canonical_host_path("/no/such/dir/x"), std::nullopt);
  // On a usr-merged host /bin is a link to usr/bin: the file lands in its /usr form.
  if (fs::is_symlink("/bin")) {
    EXPECT_EQ(canonical_host_path("/bin/sh"), "usr/bin/sh");
    EXPECT_EQ(canonical_host_path("/sbin/ldconfig"), "usr/bin/ldconfig");
  }
}

TEST(BootstrapClosure, FindsWhatNothingProvides) {
  std::vector<ClosurePackage> packages{
      {"glibc", "2.36_p9-r14", {}, {"so:libc.so.6=6", "ld-linux=2.36_p9-r14"}},
      {"gcc", "12.2.0_p14-r1", {"so:libc.so.6", "binutils", "so:libisl.so.23", "glibc>=2.36"}, {"cmd:gcc=12.2.0_p14-r1"}},
      {"binutils", "2.40_p2-r0", {"glibc<2", "!gold"}, {}},
  };
  auto unresolved = unresolved_dependencies(packages);
  ASSERT_EQ(unresolved.size(), 2u);
  EXPECT_EQ(unresolved[0].package, "gcc");
  EXPECT_EQ(unresolved[0].dependency, "so:libisl.so.23");
  EXPECT_EQ(unresolved[1].package, "binutils");
  EXPECT_EQ(unresolved[1].dependency, "glibc<2");
}

TEST(BootstrapClosure, FindsVersionedProvidesOfOneNameInTwoPackages) {
  std::vector<ClosurePackage> packages{
      {"binutils", "2.40", {}, {"cmd:ar=2.40", "cmd:ld=2.40", "cc"}},
      {"busybox", "1.35", {}, {"cmd:ar=1.35", "cmd:ash=1.35", "cc"}},
  };
  EXPECT_THAT(shared_versioned_provides(packages), ElementsAre("cmd:ar is provided by binutils and busybox"));
}

}  // namespace
}  // namespace lupine::builder
