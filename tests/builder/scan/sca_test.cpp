// Dependency scanning of package trees made at test time: ELF files built with the host's gcc,
// pkg-config files, scripts.
#include "builder/scan/elf.h"
#include "builder/scan/sca.h"
#include "builder/scan/sca_pkgconfig.h"

#include "common/error.h"
#include "common/fs.h"
#include "common/process.h"
#include "support/fixtures.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lupine::builder {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::IsSupersetOf;
using ::testing::Not;
namespace fs = std::filesystem;

#define LUPINE_GCC_OR_SKIP()                                                  \
  if (find_program("gcc", current_path_list()).empty()) {                     \
    if (::lupine::testing::fixtures_required()) FAIL() << "gcc not found";    \
    GTEST_SKIP() << "gcc not found";                                          \
  }

void write(const fs::path& path, const std::string& content, unsigned mode = 0644) {
  fs::create_directories(path.parent_path());
  write_file_atomic(path, content, mode);
}

// Compiled once per test binary run: libdemo.so.1.0.0 (soname libdemo.so.1), `hello` (libc only)
// and `demo-user` (links libdemo).
class Binaries {
 public:
  static const Binaries& get() {
    static Binaries binaries;
    return binaries;
  }
  fs::path library() const { return dir_.path() / "libdemo.so.1.0.0"; }
  fs::path hello() const { return dir_.path() / "hello"; }
  fs::path demo_user() const { return dir_.path() / "demo-user"; }
  // The loader programs name in PT_INTERP, as an so: dependency ("so:ld-linux-x86-64.so.2").
  std::string interpreter_dependency() const {
    return "so:" + fs::path(read_elf_file(hello())->interpreter).filename().string();
  }

 private:
  Binaries() {
    write(dir_.path() / "demo.c", "#include <string.h>\nint demo(const char* s) { return (int)strlen(s); }\n");
    write(dir_.path() / "hello.c", "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n");
    write(dir_.path() / "user.c", "int demo(const char*);\nint main(void) { return demo(\"\") ; }\n");
    gcc({"-shared", "-fPIC", "-Wl,-soname,libdemo.so.1", "-o", "libdemo.so.1.0.0", "demo.c"});
    gcc({"-o", "hello", "hello.c"});
    gcc({"-o", "demo-user", "user.c", "-L.", "-l:libdemo.so.1.0.0"});
  }
  void gcc(std::vector<std::string> args) {
    ProcessOptions options;
    options.argv = {"gcc"};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    options.cwd = dir_.path();
    auto result = run_process(options);
    if (!result.success()) fail("gcc failed: {}", result.err);
  }
  TempDir dir_{"lupine-sca-binaries"};
};

void install(const fs::path& from, const fs::path& to, unsigned mode = 0755) {
  fs::create_directories(to.parent_path());
  fs::copy_file(from, to);
  fs::permissions(to, static_cast<fs::perms>(mode));
}

ScanOptions options_for(std::string name = "demo") {
  ScanOptions options;
  options.package_name = std::move(name);
  options.package_version = "1.0-r0";
  return options;
}

class Sca : public ::testing::Test {
 protected:
  fs::path package(const std::string& name = "demo") const { return dir_.path() / name; }
  TempDir dir_{"lupine-sca"};
};

TEST_F(Sca, ProgramDependsOnLibcAndProvidesItsCommand) {
  LUPINE_GCC_OR_SKIP();
  const auto& binaries = Binaries::get();
  install(binaries.hello(), package() / "usr/bin/hello");
  auto result = scan_package_dir(package(), options_for());
  EXPECT_THAT(result.depends, ElementsAre(binaries.interpreter_dependency(), "so:libc.so.6"));
  EXPECT_THAT(result.provides, ElementsAre("cmd:hello=1.0-r0"));
  EXPECT_THAT(result.vendored, IsEmpty());
  EXPECT_THAT(result.warnings, IsEmpty());
}

TEST_F(Sca, LibraryProvidesItsSoname) {
  LUPINE_GCC_OR_SKIP();
  install(Binaries::get().library(), package() / "usr/lib/libdemo.so.1.0.0");
  fs::create_symlink("libdemo.so.1.0.0", package() / "usr/lib/libdemo.so.1");
  auto result = scan_package_dir(package(), options_for());
  EXPECT_THAT(result.provides, ElementsAre("so-ver:libdemo.so.1=1.0-r0", "so:libdemo.so.1=1"));
  EXPECT_THAT(result.depends, ElementsAre("so:libc.so.6"));
}

TEST_F(Sca, ProgramUsingItsOwnLibraryDoesNotDependOnIt) {
  LUPINE_GCC_OR_SKIP();
  const auto& binaries = Binaries::get();
  install(binaries.library(), package() / "usr/lib/libdemo.so.1.0.0");
  install(binaries.demo_user(), package() / "usr/bin/demo-user");
  auto result = scan_package_dir(package(), options_for());
  EXPECT_THAT(result.depends, Not(Contains("so:libdemo.so.1")));
  EXPECT_THAT(result.depends, Contains("so:libc.so.6"));
  EXPECT_THAT(result.provides, Contains("so:libdemo.so.1=1"));

  // Without the library, the program depends on it.
  TempDir other("lupine-sca");
  install(binaries.demo_user(), other.path() / "usr/bin/demo-user");
  EXPECT_THAT(scan_package_dir(other.path(), options_for()).depends, Contains("so:libdemo.so.1"));
}

TEST_F(Sca, LibraryOutsideLibraryDirectoriesIsVendoredUnlessLdSoConfNamesIt) {
  LUPINE_GCC_OR_SKIP();
  install(Binaries::get().library(), package() / "opt/demo/lib/libdemo.so.1");
  auto result = scan_package_dir(package(), options_for());
  EXPECT_THAT(result.provides, IsEmpty());
  EXPECT_THAT(result.vendored, ElementsAre("so-ver:libdemo.so.1=1.0-r0", "so:libdemo.so.1=1"));

  // An ld.so.conf.d file in a sibling package makes the directory a library directory.
  write(package("demo-config") / "etc/ld.so.conf.d/demo.conf", "# demo\n/opt/demo/lib\n");
  auto options = options_for();
  options.relatives = {package(), package("demo-config")};
  result = scan_package_dir(package(), options);
  EXPECT_THAT(result.provides, ElementsAre("so-ver:libdemo.so.1=1.0-r0", "so:libdemo.so.1=1"));
  EXPECT_THAT(result.vendored, IsEmpty());
}

TEST_F(Sca, DevSymlinkDependsOnTheLibraryOfItsSibling) {
  LUPINE_GCC_OR_SKIP();
  install(Binaries::get().library(), package() / "usr/lib/libdemo.so.1.0.0");
  fs::create_directories(package("demo-dev") / "usr/lib");
  fs::create_symlink("libdemo.so.1.0.0", package("demo-dev") / "usr/lib/libdemo.so");
  auto options = options_for("demo-dev");
  options.relatives = {package(), package("demo-dev")};
  auto result = scan_package_dir(package("demo-dev"), options);
  EXPECT_THAT(result.depends, ElementsAre("so:libdemo.so.1"));
  EXPECT_THAT(result.provides, IsEmpty());
}

TEST_F(Sca, PkgConfigFilesProvideAndRequire) {
  write(package() / "usr/lib/pkgconfig/demo.pc",
        "prefix=/usr\nlibdir=${prefix}/lib\n\nName: demo\nVersion: 1.2.3\nDescription: d\n"
        "Requires: zlib >= 1.2, libfoo\nRequires.private: bar>1\nLibs: -L${libdir} -ldemo\n");
  write(package() / "usr/share/pkgconfig/demo-data.pc", "Name: demo-data\nVersion: 1\n");
  write(package() / "opt/elsewhere/vendored.pc", "Name: v\nVersion: 1\n");
  auto result = scan_package_dir(package(), options_for());
  EXPECT_THAT(result.provides, ElementsAre("pc:demo-data=1.0-r0", "pc:demo=1.0-r0"));
  EXPECT_THAT(result.depends, ElementsAre("pc:bar", "pc:libfoo", "pc:zlib"));
  EXPECT_THAT(result.vendored, ElementsAre("pc:vendored=1.0-r0"));
}

// Stage 0 (Debian's layout) names its multiarch pkgconfig directory: .pc files there are provided.
TEST_F(Sca, ExtraPkgConfigDirectoriesProvide) {
  write(package() / "usr/lib/x86_64-linux-gnu/pkgconfig/sqlite3.pc", "Name: SQLite\nVersion: 3.40.1\n");
  auto vendored = scan_package_dir(package(), options_for());
  EXPECT_THAT(vendored.provides, IsEmpty());
  ScanOptions options = options_for();
  options.extra_pkgconfig_dirs = {"usr/lib/x86_64-linux-gnu/pkgconfig"};
  auto provided = scan_package_dir(package(), options);
  EXPECT_THAT(provided.provides, ElementsAre("pc:sqlite3=1.0-r0"));
  EXPECT_THAT(provided.vendored, IsEmpty());
}

TEST_F(Sca, ShebangsDependOnTheirInterpreter) {
  write(package() / "usr/bin/run-sh", "#!/bin/sh\necho hi\n", 0755);
  write(package() / "usr/bin/run-bash", "#!/bin/bash -e\necho hi\n", 0755);
  write(package() / "usr/bin/run-perl", "#!/usr/bin/env perl\nprint 1;\n", 0755);
  write(package() / "usr/local/bin/run-node", "#!/usr/bin/env -S node --no-warnings\n", 0755);
  write(package() / "usr/bin/run-python", "#!/usr/bin/python3\n", 0755);
  write(package() / "usr/libexec/not-scanned", "#!/usr/bin/ruby\n", 0755);
  auto result = scan_package_dir(package(), options_for());
  // sh and python3 are ignored by default, as melange does (nothing provides cmd:sh).
  EXPECT_THAT(result.depends, ElementsAre("cmd:bash", "cmd:node", "cmd:perl"));

  auto options = options_for();
  options.ignored_interpreters.clear();
  result = scan_package_dir(package(), options);
  EXPECT_THAT(result.depends, ElementsAre("cmd:bash", "cmd:node", "cmd:perl", "cmd:python3", "cmd:sh"));
}

TEST_F(Sca, ShellScriptYieldsCmdShWhenShIsNotIgnored) {
  write(package() / "usr/bin/tool", "#!/bin/sh\nexec true\n", 0755);
  auto options = options_for();
  options.ignored_interpreters.erase("sh");
  auto result = scan_package_dir(package(), options);
  EXPECT_THAT(result.depends, ElementsAre("cmd:sh"));
  EXPECT_THAT(result.provides, ElementsAre("cmd:tool=1.0-r0"));
}

TEST_F(Sca, OnlyExecutableRegularFilesInBinDirectoriesAreCommands) {
  write(package() / "usr/bin/tool", "x", 0755);
  write(package() / "sbin/admin", "x", 0555);
  write(package() / "usr/bin/data", "x", 0644);
  write(package() / "usr/bin/owner-only", "x", 0700);
  write(package() / "usr/lib/demo/helper", "x", 0755);
  write(package() / "usr/bin/sub/nested", "x", 0755);
  fs::create_symlink("tool", package() / "usr/bin/alias");
  auto result = scan_package_dir(package(), options_for());
  EXPECT_THAT(result.provides, ElementsAre("cmd:admin=1.0-r0", "cmd:tool=1.0-r0"));
}

TEST_F(Sca, OptionsRemoveWhatTheyName) {
  LUPINE_GCC_OR_SKIP();
  install(Binaries::get().hello(), package() / "usr/bin/hello");
  write(package() / "usr/bin/run-bash", "#!/bin/bash\n", 0755);
  write(package() / "usr/lib/pkgconfig/demo.pc", "Name: demo\nVersion: 1\nRequires: zlib\n");

  auto options = options_for();
  options.no_commands = true;
  auto result = scan_package_dir(package(), options);
  EXPECT_THAT(result.provides, ElementsAre("pc:demo=1.0-r0"));
  EXPECT_THAT(result.depends, Not(Contains("cmd:bash")));
  EXPECT_THAT(result.depends, Contains("so:libc.so.6"));

  options = options_for();
  options.no_depends = true;
  result = scan_package_dir(package(), options);
  EXPECT_THAT(result.depends, IsEmpty());
  EXPECT_THAT(result.provides, ElementsAre("cmd:hello=1.0-r0", "cmd:run-bash=1.0-r0", "pc:demo=1.0-r0"));

  options = options_for();
  options.no_provides = true;
  result = scan_package_dir(package(), options);
  EXPECT_THAT(result.provides, IsEmpty());
  EXPECT_THAT(result.depends, IsSupersetOf({"cmd:bash", "pc:zlib", "so:libc.so.6"}));
}

TEST_F(Sca, ResultsAreSortedUniqueAndRepeatable) {
  LUPINE_GCC_OR_SKIP();
  const auto& binaries = Binaries::get();
  for (const char* name : {"zeta", "alpha", "mid"}) install(binaries.hello(), package() / "usr/bin" / name);
  auto first = scan_package_dir(package(), options_for());
  auto second = scan_package_dir(package(), options_for());
  EXPECT_EQ(first.depends, second.depends);
  EXPECT_EQ(first.provides, second.provides);
  EXPECT_TRUE(std::is_sorted(first.provides.begin(), first.provides.end()));
  EXPECT_THAT(first.provides, ElementsAre("cmd:alpha=1.0-r0", "cmd:mid=1.0-r0", "cmd:zeta=1.0-r0"));
  EXPECT_EQ(first.depends.size(), 2u);  // interpreter and libc, once each
}

TEST_F(Sca, LanguageModulesDependOnTheirInterpreter) {
  fs::create_directories(package() / "usr/lib/python3.12/site-packages/demo");
  fs::create_directories(package() / "usr/lib/perl5/vendor_perl/Demo");
  fs::create_directories(package() / "usr/lib/ruby/gems/3.3.0/gems/demo-1.0");
  auto result = scan_package_dir(package(), options_for());
  EXPECT_THAT(result.depends, ElementsAre("perl~5", "python-3.12-base", "ruby-3.3"));

  auto options = options_for();
  options.declared_runtime = {"python-3.11", "perl", "ruby-3.2"};
  EXPECT_THAT(scan_package_dir(package(), options).depends, IsEmpty());
}

TEST_F(Sca, DocPackagesDependOnTheirViewers) {
  write(package("demo-doc") / "usr/share/man/man1/demo.1", ".TH demo\n");
  write(package("demo-doc") / "usr/share/info/demo.info", "x\n");
  EXPECT_THAT(scan_package_dir(package("demo-doc"), options_for("demo-doc")).depends, ElementsAre("man-db", "texinfo"));
  EXPECT_THAT(scan_package_dir(package("demo-doc"), options_for("demo")).depends, IsEmpty());
}

TEST_F(Sca, MalformedElfIsAWarningNotAnError) {
  write(package() / "usr/lib/libbroken.so.1", std::string("\x7f" "ELF\x02\x01\x01", 7) + std::string(20, '\0'));
  auto result = scan_package_dir(package(), options_for());
  EXPECT_THAT(result.provides, IsEmpty());
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_THAT(result.warnings[0], ::testing::HasSubstr("usr/lib/libbroken.so.1"));
}

TEST_F(Sca, WithoutAPackageVersionProvidesAreUnversioned) {
  write(package() / "usr/bin/tool", "x", 0755);
  ScanOptions options;
  auto result = scan_package_dir(package(), options);
  EXPECT_THAT(result.provides, ElementsAre("cmd:tool"));
}

TEST(ScaMerge, DeclaredAndScannedAreMergedWithoutSelfDependencies) {
  ScanResult scanned;
  scanned.provides = {"cmd:demo=1.0-r0", "so:libdemo.so.1=1"};
  scanned.depends = {"so:libc.so.6", "so:libz.so.1"};
  scanned.vendored = {"so:libvendored.so.2=2"};
  auto merged = merge_dependencies(scanned, {"ca-certificates", "so:libc.so.6", "demo-virtual"},
                                   {"demo-virtual=1"});
  EXPECT_THAT(merged.runtime, ElementsAre("ca-certificates", "so:libc.so.6", "so:libz.so.1"));
  EXPECT_THAT(merged.provides, ElementsAre("cmd:demo=1.0-r0", "demo-virtual=1", "so:libdemo.so.1=1"));
  EXPECT_THAT(merged.vendored, ElementsAre("so:libvendored.so.2=2"));
}

TEST(ScaSoname, VersionIsTheNumericSuffix) {
  EXPECT_EQ(soname_version("libdemo.so.1"), "1");
  EXPECT_EQ(soname_version("libssl.so.3"), "3");
  EXPECT_EQ(soname_version("libfoo.so.1.2.3"), "1.2.3");
  EXPECT_EQ(soname_version("libfoo.so"), "0");
  EXPECT_EQ(soname_version("libfoo-1.2.so"), "0");
  EXPECT_EQ(soname_version("libfoo.so.1a"), "0");
  EXPECT_EQ(soname_version("ld-linux-x86-64.so.2"), "2");
}

TEST(ScaPkgConfig, ParsesVariablesFieldsAndRequires) {
  auto file = parse_pkgconfig(
      "# comment\nprefix=/usr\nincludedir=${prefix}/include\n"
      "Name: gtk\nVersion: 3.24\nCflags: -I${includedir}/gtk\n"
      "Requires: glib-2.0 >= 2.50, gdk-3.0,atk>=2.1 cairo\n"
      "requires.private: gtk+-3.0 = 3\nRequires.internal: internal\n");
  EXPECT_EQ(file.variables.at("includedir"), "/usr/include");
  EXPECT_EQ(file.fields.at("Cflags"), "-I/usr/include/gtk");
  EXPECT_THAT(file.requires_public, ElementsAre("glib-2.0", "gdk-3.0", "atk", "cairo"));
  EXPECT_THAT(file.requires_private, ElementsAre("gtk+-3.0"));
  EXPECT_THAT(file.requires_internal, ElementsAre("internal"));
  EXPECT_THROW(parse_pkgconfig("this is not pkg-config\n"), Error);
}

}  // namespace
}  // namespace lupine::builder
