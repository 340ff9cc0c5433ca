// The same sequences of installs, upgrades and removals done by lupine and by the real apk-tools
// (when its binary is at hand): the installed databases must be identical byte for byte and the
// extracted files must have the same types, modes, owners and contents.
#include "index/installer.h"

#include "common/fs.h"
#include "common/hash.h"
#include "index/installed_scripts.h"
#include "installer_test_packages.h"
#include "support/fixtures.h"
#include "support/run.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fmt/format.h>

#include <algorithm>
#include <variant>

namespace lupine::index {

using namespace installer_testing;

namespace {

struct Remove {
  std::string name;
};
// Packages made here, then package files, installed in one run.
struct Add {
  std::vector<Spec> specs;
  std::vector<std::filesystem::path> files;
};
using Step = std::variant<std::vector<Spec>, Add, Remove>;

std::map<std::string, std::string> package_nodes(const std::filesystem::path& root) {
  auto nodes = snapshot(root);
  for (auto it = nodes.begin(); it != nodes.end();) {
    const std::string& path = it->first;
    bool own = path == "etc/apk" || path.starts_with("etc/apk/") || path.starts_with("lib/apk") ||
               path.starts_with("var/cache") || path.starts_with("var/log") || path == "tmp" || path == "lib" ||
               path == "var";
    it = own ? nodes.erase(it) : std::next(it);
  }
  return nodes;
}

// "<identity> <action> <sha1 of contents>" of every script kept in a root's scripts.tar(.gz).
std::vector<std::string> scripts_of(const std::filesystem::path& root) {
  auto tar = root / "lib/apk/db/scripts.tar";
  bool gzipped = !std::filesystem::exists(tar);
  auto entries = parse_scripts_tar(read_file(gzipped ? root / "lib/apk/db/scripts.tar.gz" : tar), gzipped, "scripts");
  std::vector<std::string> scripts;
  for (const auto& e : entries) scripts.push_back(e.package + " " + e.identity + " " + e.action + " " + sha1_hex(e.contents));
  std::sort(scripts.begin(), scripts.end());
  return scripts;
}

// Runs `steps` with lupine in <temp>/lupine and with apk-tools in <temp>/apk, comparing after each.
void compare_with_apk_tools(const std::vector<Step>& steps, const std::string& arch = "x86_64") {
  std::string apk = apk_binary();
  if (apk.empty()) GTEST_SKIP() << "apk-tools binary not found (LUPINE_APK_BINARY)";
  TempDir temp("lupine-interop");
  auto ours = temp.path() / "lupine";
  auto theirs = temp.path() / "apk";
  std::vector<std::string> common = {"--root", theirs.string(), "--no-scripts", "--allow-untrusted", "--arch",
                                     arch,     "--no-network",  "--no-logfile"};
  size_t number = 0;
  for (const auto& step : steps) {
    ++number;
    std::vector<std::string> argv = {apk};
    if (const auto* remove = std::get_if<Remove>(&step)) {
      InstallPlan plan;
      plan.remove = {remove->name};
      install_packages(ours, plan, {});
      argv.push_back("del");
      argv.insert(argv.end(), common.begin(), common.end());
      argv.push_back(remove->name);
    } else {
      Add add = std::holds_alternative<Add>(step) ? std::get<Add>(step) : Add{std::get<std::vector<Spec>>(step), {}};
      std::vector<Built> built;
      std::vector<std::filesystem::path> files;
      for (const auto& spec : add.specs) {
        built.push_back(build(spec));
        files.push_back(temp.path() / fmt::format("{}-{}.apk", number, files.size()));
        write_file_atomic(files.back(), built.back().package->bytes());
      }
      for (const auto& path : add.files) {
        built.push_back(read(path));
        files.push_back(path);
      }
      InstallPlan plan;
      for (const auto& b : built) plan.install.push_back(b.planned());
      install_packages(ours, plan, {});
      argv.push_back("add");
      if (number == 1) argv.push_back("--initdb");
      argv.insert(argv.end(), common.begin(), common.end());
      for (const auto& file : files) argv.push_back(file.string());
    }
    auto result = lupine::testing::run(argv);
    ASSERT_EQ(result.exit_code, 0) << "step " << number << ": " << result.out << result.err;
    EXPECT_EQ(read_file(ours / "lib/apk/db/installed"), read_file(theirs / "lib/apk/db/installed")) << "step " << number;
    EXPECT_EQ(package_nodes(ours), package_nodes(theirs)) << "step " << number;
    EXPECT_EQ(read_file(ours / "lib/apk/db/triggers"), read_file(theirs / "lib/apk/db/triggers")) << "step " << number;
    EXPECT_EQ(scripts_of(ours), scripts_of(theirs)) << "step " << number;
  }
}

}  // namespace

TEST(InstallerInterop, UpgradeAndRemoval) {
  Spec v1{.name = "app", .version = "1.0-r0",
          .entries = {dir("usr"), dir("usr/share"), dir("usr/share/app"), file("usr/share/app/kept", "v1\n"),
                      file("usr/share/app/gone", "old\n"), dir("usr/share/old"), file("usr/share/old/x", "x\n"),
                      dir("etc"), file("etc/app.conf", "conf\n", 0640, 0, 42)}};
  Spec v2{.name = "app", .version = "2.0-r0",
          .entries = {dir("usr"), dir("usr/share"), dir("usr/share/app"), file("usr/share/app/kept", "v2\n"),
                      file("usr/share/app/new", "new\n", 0755), dir("etc"), file("etc/app.conf", "conf\n", 0640, 0, 42)}};
  Spec other{.name = "other", .entries = {dir("usr"), dir("usr/share"), file("usr/share/other", "o\n")}};
  compare_with_apk_tools({std::vector<Spec>{v1, other}, std::vector<Spec>{v2}, Remove{"other"}, Remove{"app"}});
}

TEST(InstallerInterop, ReplacesAndOrigins) {
  Spec base{.name = "base", .entries = {dir("etc"), file("etc/shared", "base\n"), file("etc/keep", "keep\n"),
                                        file("etc/same-origin", "base\n")}};
  Spec replacer{.name = "replacer", .replaces = {"base"}, .entries = {dir("etc"), file("etc/shared", "replacer\n", 0600)}};
  Spec keeper{.name = "keeper", .replaces = {"winner"}, .replaces_priority = 5,
              .entries = {dir("etc"), file("etc/keep2", "keeper\n")}};
  Spec winner{.name = "winner", .replaces = {"keeper"}, .entries = {dir("etc"), file("etc/keep2", "winner\n")}};
  Spec doc{.name = "foo-doc", .origin = "foo", .entries = {dir("usr"), file("usr/foo", "doc\n")}};
  Spec man{.name = "foo-man", .origin = "foo", .entries = {dir("usr"), file("usr/foo", "man\n")}};
  compare_with_apk_tools({std::vector<Spec>{base}, std::vector<Spec>{replacer}, std::vector<Spec>{keeper, winner},
                          std::vector<Spec>{doc}, std::vector<Spec>{man}, Remove{"base"}});
}

TEST(InstallerInterop, DirectoryPermissionsAcrossPackages) {
  Spec a{.name = "aaa", .entries = {dir("srv", 0755), file("srv/a", "a\n")}};
  Spec b{.name = "bbb", .entries = {dir("srv", 0750, 5, 5), file("srv/b", "b\n")}};
  Spec a2{.name = "aaa", .version = "2.0-r0", .entries = {dir("srv", 0700, 7, 7), file("srv/a", "a2\n")}};
  Spec c{.name = "ccc", .replaces_priority = 9, .entries = {dir("srv", 0711), file("srv/c", "c\n")}};
  compare_with_apk_tools({std::vector<Spec>{a}, std::vector<Spec>{b}, std::vector<Spec>{a2}, std::vector<Spec>{c},
                          Remove{"ccc"}});
}

TEST(InstallerInterop, DirectoryTakenOverInTheSameRun) {
  // Created by aaa in this run, so ccc (higher replaces_priority) may give it its own acl.
  Spec a{.name = "aaa", .entries = {dir("srv", 0755), file("srv/a", "a\n"), dir("opt", 0700)}};
  Spec c{.name = "ccc", .replaces_priority = 9, .entries = {dir("srv", 0711, 3, 3), file("srv/c", "c\n"), dir("opt", 0755)}};
  TempDir temp("lupine-interop");
  Built built_a = build(a), built_c = build(c);
  install(temp.path(), {&built_a, &built_c});
  struct stat st {};
  ASSERT_EQ(::lstat((temp.path() / "srv").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0711u);
  EXPECT_EQ(st.st_uid, 3u);
  ASSERT_EQ(::lstat((temp.path() / "opt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  compare_with_apk_tools({std::vector<Spec>{a, c}});
}

TEST(InstallerInterop, ManyDirectoriesOutOfOrderAndTopLevelFiles) {
  // More than 32 directories added out of order: apk-tools sorts its list on the next lookup.
  Spec spec{.name = "many"};
  spec.entries.push_back(file("top-b", "b\n"));
  for (int i = 40; i >= 1; --i) {
    std::string name = fmt::format("d{:02}", i);
    spec.entries.push_back(dir(name));
    spec.entries.push_back(file(name + "/f", name));
  }
  spec.entries.push_back(file("top-a", "a\n"));
  spec.entries.push_back(file("d40/late", "late\n"));
  spec.entries.push_back(dir("d05/sub"));
  spec.entries.push_back(hardlink("d05/sub/link", "d40/f"));
  compare_with_apk_tools({std::vector<Spec>{spec}});
}

TEST(InstallerInterop, RealAlpinePackageWithScripts) {
  // abuild-made, with scriptlets, absolute symlinks (var/run -> /run), modes like 1777 and 0600.
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  // Stubs stand in for its dependencies, which apk-tools insists on.
  Spec data{.name = "alpine-baselayout-data", .version = "3.2.0-r23", .arch = "aarch64"};
  Spec libc{.name = "libc-stub", .arch = "aarch64", .provides = {"/bin/sh", "so:libc.musl-aarch64.so.1=1"}};
  compare_with_apk_tools(
      {Add{{data, libc}, {fixtures / "apk/apko-apk/alpine-316/alpine-baselayout-3.2.0-r23.apk"}}}, "aarch64");
}

}  // namespace lupine::index
