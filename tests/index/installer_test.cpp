#include "index/installer.h"

#include "apk/arch.h"
#include "apk/gzip.h"
#include "apk/tar.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/process.h"
#include "index/installed_db.h"
#include "index/installed_scripts.h"
#include "index/root_layout.h"
#include "installer_test_packages.h"
#include "support/fixtures.h"
#include "support/interrupted_child.h"
#include "support/run.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <iostream>

namespace lupine::index {

using namespace installer_testing;

namespace {

struct NodeInfo {
  mode_t mode = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  ino_t inode = 0;
  dev_t rdev = 0;
};

NodeInfo node_info(const std::filesystem::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) throw std::runtime_error("no such node: " + path.string());
  return NodeInfo{st.st_mode, st.st_uid, st.st_gid, st.st_ino, st.st_rdev};
}

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// The golden copies captured from apk-tools were checked; the live comparison needs the binary.
void note_no_apk_tools() {
  std::cout << "note: apk-tools binary not found (LUPINE_APK_BINARY): checked against golden copies only\n";
}

std::string installed_db(const std::filesystem::path& root) { return read_file(root / "lib/apk/db/installed"); }

// The package apk-tools and lupine are compared on: every kind of entry and acl the installed
// database records, a top-level file (its "F:" record comes where first needed), a hard link.
Spec interop_spec() {
  Spec spec;
  spec.name = "simple";
  spec.origin = "simple";
  spec.replaces = {"other"};
  spec.replaces_priority = 3;
  spec.triggers = {"/usr/bin", "/usr/lib/*"};
  spec.scripts = {{".post-install", "#!/bin/sh\ntouch /script-ran\n"}};
  spec.builddate = 1700000000;
  Entry tool = file("usr/bin/hard", "bin\n", 0755);
  tool.entry.xattrs = {{"user.foo", "bar"}};
  Entry lib = dir("usr/lib", 0755, 5, 6);
  lib.entry.xattrs = {{"user.d", "v"}};
  spec.entries = {dir("empty"),
                  dir("empty/sub"),
                  dir("etc"),
                  dir("etc/priv", 0700),
                  file("etc/priv/secret", "s\n", 0600, 12, 34),
                  file("topfile", "hi\n"),
                  dir("usr"),
                  symlink("usr/run", "/run"),
                  dir("usr/bin"),
                  symlink("usr/bin/alias", "tool"),
                  tool,
                  hardlink("usr/bin/tool", "usr/bin/hard", 0755),
                  lib,
                  file("usr/lib/libx.so.1", "x\n", 04755),
                  node("usr/lib/fifo", apk::TarType::fifo, 0, 0, 0640),
                  node("usr/lib/null", apk::TarType::chardev, 1, 3, 0666)};
  return spec;
}

// What apk-tools 3.0.6 wrote for interop_spec() (`apk add --root R --initdb --no-scripts
// --allow-untrusted --arch x86_64 --no-network simple.apk`), with C: and S: — which depend on the
// package writer, not the installer — left as placeholders.
const char* const interop_golden =
    "C:@C@\nP:simple\nV:1.0-r0\nA:x86_64\nS:@S@\nI:11\nT:test package simple\nU:\nL:MIT\no:simple\n"
    "t:1700000000\nr:other\nq:3\n"
    "F:empty\nF:empty/sub\nF:etc\nF:etc/priv\nM:0:0:700\nR:secret\na:12:34:600\nZ:Q13tW6QkgP513Ou6HOBoSJ/3viGGo=\n"
    "F:\nR:topfile\nZ:Q1VcpihuPk9Pul0ESDM/qZ/FpASnM=\n"
    "F:usr\nR:run\na:0:0:777\nZ:Q11/SNZz/8cK2dSKK+cJpVrZIuF4Q=\n"
    "F:usr/bin\nR:alias\na:0:0:777\nZ:Q1GTfEwo9yYYaJdOkmamSRUpOfZLA=\n"
    "R:hard\na:0:0:755:Q1PRtF90e/MH8X0tNudu5SuM6PFR4=\nZ:Q1IHKmlWE+UQPZrAPCiFxeJlbLX/A=\n"
    "R:tool\na:0:0:755\nZ:Q1IHKmlWE+UQPZrAPCiFxeJlbLX/A=\n"
    "F:usr/lib\nM:5:6:755:Q1YVoicWpOg64lRcO+OC457lOeplw=\nR:fifo\na:0:0:640\nR:libx.so.1\na:0:0:4755\n"
    "Z:Q1b8+d+9R57YJpf+5xm5+MYQoR/yo=\nR:null\na:0:0:666\n\n";

// What apk-tools 3.0.6 wrote for the four aarch64 fixture packages (`apk add --root R --initdb
// --keys-dir packages --no-scripts --arch aarch64 --no-network` with the four files).
const char* const fixture_golden = R"(C:Q1HYV3GHk9wRjFNygSSkFi7+gHkMs=
P:custom-ca-certs-1
V:1.0.0-r0
A:aarch64
S:7001
I:6436
T:custom CA certificates package 1 (test)
U:
L:MIT
o:custom-ca-certs-1
m:unknown
c:9d44001f59df63d4e03b43574b7285dd9e7a22f4
p:custom-ca-certificates
F:usr
F:usr/local
F:usr/local/share
F:usr/local/share/ca-certificates
R:cert-a.crt
a:501:20:644
Z:Q1mKey3FGanoLTGOnEqN9fllv+U2k=
R:cert-b.crt
a:501:20:644
Z:Q1t85qF+GPTaD1RyoqLDG0UWEY+b4=
F:var
F:var/lib
F:var/lib/db
F:var/lib/db/sbom
R:custom-ca-certs-1-1.0.0-r0.spdx.json
Z:Q1zdICH1FWBcgXgWm1PiyHHe5nxGA=

C:Q1E9ECSFYVWX/JK7euE0qnWbi45bA=
P:custom-ca-certs-2
V:1.0.0-r0
A:aarch64
S:4549
I:4917
T:custom CA certificates package 2 (test)
U:
L:MIT
o:custom-ca-certs-2
m:unknown
c:9d44001f59df63d4e03b43574b7285dd9e7a22f4
p:custom-ca-certificates
F:usr
F:usr/local
F:usr/local/share
F:usr/local/share/ca-certificates
R:cert-c.crt
a:501:20:644
Z:Q1mhumaaWFJ2r+W7zSPpu4ISKiibY=
R:cert-d.crt
a:501:20:644
Z:Q158p3VU8iJsWUf/jlPRxSf/NVISc=
F:var
F:var/lib
F:var/lib/db
F:var/lib/db/sbom
R:custom-ca-certs-2-1.0.0-r0.spdx.json
Z:Q1n3YXImdkJk2eaIPE5MtJHL7fOag=

C:Q1JQ8nfsxa27d0f6oa056sdT5IcJY=
P:pretend-baselayout
V:1.0.0-r0
A:aarch64
S:2930
I:3477
T:replacement baselayout
U:
L:MIT
o:pretend-baselayout
m:unknown
c:326e0ed687bdfeadac839dc9b25686e4442c9d04
F:etc
F:var
F:var/lib
F:var/lib/db
F:var/lib/db/sbom
R:pretend-baselayout-1.0.0-r0.spdx.json
Z:Q1k/dYt8OkeyIxzYfRUKyu34hhhZQ=

C:Q1u62watWiRSQgVtAIuVuYoDOaVO4=
P:replayout
V:1.0.0-r0
A:aarch64
S:2955
I:3390
T:replacement baselayout
U:
L:MIT
o:replayout
m:unknown
c:326e0ed687bdfeadac839dc9b25686e4442c9d04
D:pretend-baselayout
r:pretend-baselayout
F:etc
R:os-release
a:501:20:644
Z:Q1yl5Se7uKXMnEwtK04pYY2Mo75fg=
F:var
F:var/lib
F:var/lib/db
F:var/lib/db/sbom
R:replayout-1.0.0-r0.spdx.json
Z:Q1gmTo/AGntFisboLWUOgNV6kWyKE=

)";

std::string fill_golden(std::string golden, const Built& built) {
  IndexRecord record = built.planned().record;
  golden.replace(golden.find("@C@"), 3, record.identity);
  golden.replace(golden.find("@S@"), 3, std::to_string(record.file_size));
  return golden;
}

// Installs `apk_files` with the real apk-tools into `root`; the installed database it wrote.
std::string apk_tools_install(const std::filesystem::path& root, const std::vector<std::filesystem::path>& apk_files,
                              const std::string& arch, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv = {apk_binary(), "add",  "--root",       root.string(), "--initdb", "--no-scripts",
                                   "--arch",     arch,   "--no-network", "--no-logfile"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  for (const auto& file : apk_files) argv.push_back(file.string());
  auto result = lupine::testing::run(argv);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  return read_file(root / "lib/apk/db/installed");
}

// Nodes of a root other than the package database and apk's own directories, for comparing what
// two installers extracted.
std::map<std::string, std::string> package_nodes(const std::filesystem::path& root) {
  auto nodes = snapshot(root);
  for (auto it = nodes.begin(); it != nodes.end();) {
    const std::string& path = it->first;
    bool own = path == "etc/apk" || path.starts_with("etc/apk/") || path == "lib" || path.starts_with("lib/apk") ||
               path == "var" || path.starts_with("var/cache") || path.starts_with("var/log") || path == "tmp" ||
               path.starts_with("dev");
    it = own ? nodes.erase(it) : std::next(it);
  }
  return nodes;
}

std::filesystem::path aarch64_packages(const std::filesystem::path& fixtures) {
  return fixtures / "apk/apko-cli/packages/aarch64";
}

}  // namespace

TEST(Installer, InstallsEntriesWithModesOwnersAndXattrs) {
  TempDir temp("lupine-installer");
  auto root = temp.path() / "root";
  Built built = build(interop_spec());
  auto report = install(root, {&built});
  EXPECT_EQ(report.installed, std::vector<std::string>{"simple-1.0-r0"});
  EXPECT_EQ(report.warnings, std::vector<std::string>{});

  EXPECT_EQ(read_file(root / "etc/priv/secret"), "s\n");
  auto secret = node_info(root / "etc/priv/secret");
  EXPECT_EQ(secret.mode & 07777, 0600u);
  EXPECT_EQ(secret.uid, 12u);
  EXPECT_EQ(secret.gid, 34u);
  EXPECT_EQ(node_info(root / "etc/priv").mode & 07777, 0700u);
  auto lib = node_info(root / "usr/lib");
  EXPECT_EQ(lib.uid, 5u);
  EXPECT_EQ(lib.gid, 6u);
  EXPECT_EQ(node_info(root / "usr/lib/libx.so.1").mode & 07777, 04755u);  // set-id bits survive chown
  EXPECT_EQ(std::filesystem::read_symlink(root / "usr/run"), "/run");
  EXPECT_EQ(node_info(root / "usr/bin/tool").inode, node_info(root / "usr/bin/hard").inode);
  EXPECT_TRUE(S_ISFIFO(node_info(root / "usr/lib/fifo").mode));
  auto null = node_info(root / "usr/lib/null");
  EXPECT_TRUE(S_ISCHR(null.mode));
  EXPECT_EQ(null.rdev, makedev(1, 3));
  EXPECT_EQ(null.mode & 07777, 0666u);
  char value[16] = {};
  EXPECT_EQ(::getxattr((root / "usr/bin/hard").c_str(), "user.foo", value, sizeof value), 3);
  EXPECT_STREQ(value, "bar");
  // A directory's xattrs are recorded (M:...:Q1...) but not set, as apk-tools does.
  EXPECT_EQ(::getxattr((root / "usr/lib").c_str(), "user.d", value, sizeof value), -1);

  // Nothing temporary is left, and the lock and layout exist.
  for (const auto& [path, what] : snapshot(root))
    EXPECT_EQ(path.find(".lupine-"), std::string::npos) << path;
  EXPECT_TRUE(std::filesystem::exists(root / "lib/apk/db/lock"));
  EXPECT_TRUE(std::filesystem::is_directory(root / "var/cache/apk"));
  EXPECT_TRUE(std::filesystem::is_directory(root / "etc/apk/keys"));
  EXPECT_EQ(node_info(root / "tmp").mode & 07777, 01777u);
  EXPECT_FALSE(std::filesystem::exists(root / "lib/apk/db/lupine-transaction"));
}

TEST(Installer, InstalledDbMatchesApkTools) {
  TempDir temp("lupine-installer");
  Built built = build(interop_spec());
  install(temp.path() / "lupine", {&built});
  std::string ours = installed_db(temp.path() / "lupine");
  EXPECT_EQ(ours, fill_golden(interop_golden, built));

  std::string apk = apk_binary();
  if (apk.empty()) return note_no_apk_tools();
  auto file = temp.path() / "simple-1.0-r0.apk";
  write_file_atomic(file, built.package->bytes());
  std::string theirs = apk_tools_install(temp.path() / "apk", {file}, "x86_64", {"--allow-untrusted"});
  EXPECT_EQ(ours, theirs);
  EXPECT_EQ(package_nodes(temp.path() / "lupine"), package_nodes(temp.path() / "apk"));
  // apk-tools 3 names scripts X1<hex> in scripts.tar.gz; the scripts and triggers are the same.
  auto apk_scripts = parse_scripts_tar(read_file(temp.path() / "apk/lib/apk/db/scripts.tar.gz"), true, "apk");
  auto our_scripts = parse_scripts_tar(read_file(temp.path() / "lupine/lib/apk/db/scripts.tar"), false, "lupine");
  ASSERT_EQ(apk_scripts.size(), 1u);
  ASSERT_EQ(our_scripts.size(), 1u);
  EXPECT_EQ(apk_scripts[0].identity, our_scripts[0].identity);
  EXPECT_EQ(apk_scripts[0].contents, our_scripts[0].contents);
  EXPECT_EQ(read_file(temp.path() / "apk/lib/apk/db/triggers"), read_file(temp.path() / "lupine/lib/apk/db/triggers"));
}

TEST(Installer, FixturePackagesInstallOnX86_64WithReplaces) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  TempDir temp("lupine-installer");
  auto root = temp.path() / "lupine";
  auto dir = aarch64_packages(fixtures);
  std::vector<std::filesystem::path> files = {dir / "pretend-baselayout-1.0.0-r0.apk", dir / "replayout-1.0.0-r0.apk",
                                              dir / "custom-ca-certs-1-1.0.0-r0.apk",
                                              dir / "custom-ca-certs-2-1.0.0-r0.apk"};
  std::vector<Built> built;
  for (const auto& f : files) built.push_back(read(f));
  InstallOptions options;
  options.arch = "x86_64";
  options.keys = {fixtures / "apk/apko-cli/packages/melange.rsa.pub"};
  InstallPlan plan;
  for (const auto& b : built) plan.install.push_back(b.planned());
  plan.world = {"replayout", "custom-ca-certs-1", "custom-ca-certs-2"};
  install_packages(root, plan, options);

  // replayout replaces pretend-baselayout's etc/os-release: its contents and its owner 501:20.
  std::string os_release = read_file(root / "etc/os-release");
  const apk::TarItem* replayout_file = nullptr;
  for (const auto& item : built[1].package->data_entries())
    if (item.entry.path == "etc/os-release") replayout_file = &item;
  ASSERT_NE(replayout_file, nullptr);
  EXPECT_EQ(os_release, replayout_file->data);
  auto owner = node_info(root / "etc/os-release");
  EXPECT_EQ(owner.uid, 501u);
  EXPECT_EQ(owner.gid, 20u);
  EXPECT_EQ(read_file(root / "etc/apk/arch"), "x86_64\n");
  EXPECT_EQ(read_file(root / "etc/apk/world"), "custom-ca-certs-1\ncustom-ca-certs-2\nreplayout\n");
  EXPECT_EQ(read_file(root / "etc/apk/keys/melange.rsa.pub"),
            read_file(fixtures / "apk/apko-cli/packages/melange.rsa.pub"));

  std::string db = installed_db(root);
  auto packages = parse_installed_db(db, "installed");
  ASSERT_EQ(packages.size(), 4u);
  EXPECT_EQ(packages[2].record.name, "pretend-baselayout");  // sorted by name
  EXPECT_EQ(packages[2].file_paths(), std::vector<std::string>{"var/lib/db/sbom/pretend-baselayout-1.0.0-r0.spdx.json"});
  EXPECT_EQ(packages[3].file_paths()[0], "etc/os-release");
  EXPECT_EQ(packages[3].dirs[0].files[0].acl, (FileAcl{501, 20, 0644, {}}));

  EXPECT_EQ(db, fixture_golden);
  std::string apk = apk_binary();
  if (apk.empty()) return note_no_apk_tools();
  std::string theirs = apk_tools_install(temp.path() / "apk", files, "aarch64",
                                         {"--keys-dir", (fixtures / "apk/apko-cli/packages").string()});
  EXPECT_EQ(db, theirs);
  EXPECT_EQ(package_nodes(root), package_nodes(temp.path() / "apk"));
}

TEST(Installer, ConflictWithoutReplacesFailsAndLeavesRootUnchanged) {
  TempDir temp("lupine-installer");
  auto root = temp.path() / "root";
  Spec a{.name = "aaa", .entries = {dir("etc"), file("etc/shared", "from a\n"), file("etc/a", "a\n")}};
  Spec b{.name = "bbb", .entries = {dir("etc"), file("etc/b", "b\n"), file("etc/shared", "from b\n")}};
  Built built_a = build(a), built_b = build(b);
  install(root, {&built_a});
  auto before = snapshot(root);
  EXPECT_EQ(error_of([&] { install(root, {&built_b}); }), "bbb-1.0-r0: trying to overwrite etc/shared owned by aaa-1.0-r0");
  EXPECT_EQ(snapshot(root), before);

  // Both in one plan: the same conflict, and nothing of the first is left either.
  TempDir temp2("lupine-installer");
  init_root_layout(temp2.path());
  auto empty = snapshot(temp2.path());
  EXPECT_EQ(error_of([&] { install(temp2.path(), {&built_a, &built_b}); }),
            "bbb-1.0-r0: trying to overwrite etc/shared owned by aaa-1.0-r0");
  EXPECT_EQ(snapshot(temp2.path()), empty);
}

TEST(Installer, ReplacesTakesOverTheFile) {
  TempDir temp("lupine-installer");
  auto root = temp.path() / "root";
  Spec a{.name = "aaa", .entries = {dir("etc"), file("etc/shared", "from a\n"), file("etc/a", "a\n")}};
  Spec b{.name = "bbb", .replaces = {"aaa"}, .entries = {dir("etc"), file("etc/shared", "from b\n", 0600)}};
  Built built_a = build(a), built_b = build(b);
  install(root, {&built_a});
  install(root, {&built_b});
  EXPECT_EQ(read_file(root / "etc/shared"), "from b\n");
  auto packages = parse_installed_db(installed_db(root), "installed");
  ASSERT_EQ(packages.size(), 2u);
  EXPECT_EQ(packages[0].file_paths(), std::vector<std::string>{"etc/a"});  // aaa lost it
  EXPECT_EQ(packages[1].file_paths(), std::vector<std::string>{"etc/shared"});
  EXPECT_EQ(packages[1].record.replaces, std::vector<std::string>{"aaa"});

  // Removing aaa later leaves bbb's file.
  install(root, {}, {}, {"aaa"});
  EXPECT_EQ(read_file(root / "etc/shared"), "from b\n");
  EXPECT_FALSE(std::filesystem::exists(root / "etc/a"));
}

TEST(Installer, OwnersHigherReplacesPriorityKeepsItsFile) {
  TempDir temp("lupine-installer");
  auto root = temp.path() / "root";
  Spec a{.name = "aaa", .replaces = {"bbb"}, .replaces_priority = 10,
         .entries = {dir("etc"), file("etc/shared", "from a\n")}};
  Spec b{.name = "bbb", .replaces = {"aaa"}, .entries = {dir("etc"), file("etc/shared", "from b\n"), file("etc/b", "b\n")}};
  Built built_a = build(a), built_b = build(b);
  install(root, {&built_a, &built_b});
  EXPECT_EQ(read_file(root / "etc/shared"), "from a\n");
  auto packages = parse_installed_db(installed_db(root), "installed");
  EXPECT_EQ(packages[0].file_paths(), std::vector<std::string>{"etc/shared"});
  EXPECT_EQ(packages[1].file_paths(), std::vector<std::string>{"etc/b"});
}

TEST(Installer, SameOriginOverwrites) {
  TempDir temp("lupine-installer");
  auto root = temp.path() / "root";
  Spec a{.name = "foo-doc", .origin = "foo", .entries = {dir("usr"), file("usr/x", "1\n")}};
  Spec b{.name = "foo-man", .origin = "foo", .entries = {dir("usr"), file("usr/x", "2\n")}};
  Built built_a = build(a), built_b = build(b);
  install(root, {&built_a, &built_b});
  EXPECT_EQ(read_file(root / "usr/x"), "2\n");
}

TEST(Installer, RefusesEscapingEntriesLeavingRootUnchanged) {
  TempDir temp("lupine-installer");
  auto root = temp.path() / "root";
  auto outside = temp.path() / "outside";
  std::filesystem::create_directories(outside);
  Spec base{.name = "base", .entries = {dir("etc"), file("etc/base", "base\n")}};
  Built built_base = build(base);
  install(root, {&built_base});
  auto before = snapshot(root);

  struct Case {
    std::vector<Entry> entries;
    std::string error;
  };
  std::vector<Case> cases = {
      {{dir("etc"), file("../x", "evil")}, "refusing entry '../x': '..' component"},
      {{dir("etc"), file("etc/../../x", "evil")}, "refusing entry 'etc/../../x': '..' component"},
      {{dir("etc"), file("/abs", "evil")}, "refusing entry '/abs': absolute path"},
      {{dir("etc"), file("etc/./x", "evil")}, "refusing entry 'etc/./x': '.' component"},
      {{dir("etc"), symlink("etc/out", outside.string()), file("etc/out/x", "evil")},
       "refusing entry 'etc/out/x': no dirent in archive"},
      {{dir("etc"), symlink("etc/out", "../.."), dir("etc/out"), file("etc/out/x", "evil")},
       "refusing entry 'etc/out': the package holds it twice"},
      {{dir("etc"), hardlink("etc/h", "../../etc/passwd")}, "refusing hard link 'etc/h' to '../../etc/passwd'"},
      {{dir("etc"), hardlink("etc/h", "etc/base")}, "no hard link target ('etc/base') in archive"},
  };
  for (const auto& c : cases) {
    Built evil = build(Spec{.name = "evil", .entries = c.entries});
    std::string error = error_of([&] { install(root, {&evil}); });
    EXPECT_NE(error.find(c.error), std::string::npos) << error;
    EXPECT_EQ(snapshot(root), before) << c.error;
  }
  EXPECT_TRUE(std::filesystem::is_empty(outside));
  EXPECT_FALSE(std::filesystem::exists(temp.path() / "x"));
}

TEST(Installer, RootSymlinksResolveInsideTheRoot) {
  TempDir temp("lupine-installer");
  auto root = temp.path() / "root";
  auto host = temp.path() / "host";
  std::filesystem::create_directories(host);
  // A usr-merged layout with absolute symlinks, as baselayout packages ship them.
  Spec layout{.name = "layout",
              .entries = {dir("usr"), dir("usr/bin"), symlink("bin", "/usr/bin"), dir("run"), dir("var"),
                          symlink("var/run", "/run"), symlink("escape", "/"), symlink("hostdir", host.string())}};
  Spec user{.name = "user",
            .entries = {dir("bin"), file("bin/foo", "foo\n", 0755), dir("var"), dir("var/run"),
                        file("var/run/pid", "1\n"), dir("escape"), file("escape/top", "top\n")}};
  Built built_layout = build(layout), built_user = build(user);
  install(root, {&built_layout, &built_user});
  EXPECT_EQ(read_file(root / "usr/bin/foo"), "foo\n");
  EXPECT_EQ(read_file(root / "run/pid"), "1\n");
  EXPECT_EQ(read_file(root / "top"), "top\n");
  EXPECT_TRUE(std::filesystem::is_symlink(root / "bin"));
  auto packages = parse_installed_db(installed_db(root), "installed");
  ASSERT_EQ(packages.size(), 2u);
  auto paths = packages[1].file_paths();
  EXPECT_NE(std::find(paths.begin(), paths.end(), "bin/foo"), paths.end());

  // hostdir -> <an absolute host path> resolves inside the root, where nothing is: no directory
  // can be made through it, and the link belongs to another package, so it is not replaced.
  auto before = snapshot(root);
  Spec intruder{.name = "intruder", .entries = {dir("hostdir"), file("hostdir/x", "x\n")}};
  Built built_intruder = build(intruder);
  std::string error = error_of([&] { install(root, {&built_intruder}); });
  EXPECT_NE(error.find("cannot create directory"), std::string::npos) << error;
  EXPECT_TRUE(std::filesystem::is_empty(host));
  EXPECT_EQ(snapshot(root), before);
}

TEST(Installer, NoDirentInArchiveAsApkTools) {
  TempDir temp("lupine-installer");
  auto root = temp.path() / "root";
  Spec base{.name = "base", .entries = {dir("etc"), file("etc/base", "base\n")}};
  Built built_base = build(base);
  install(root, {&built_base});
  auto before = snapshot(root);
  // etc exists in the root, but apk-tools 3 wants the directory entry in the same package.
  Spec orphan{.name = "orphan", .entries = {file("top", "top\n"), file("etc/orphan", "x\n")}};
  Built built_orphan = build(orphan);
  EXPECT_EQ(error_of([&] { install(root, {&built_orphan}); }),
            "orphan-1.0-r0: refusing entry 'etc/orphan': no dirent in archive (its directory 'etc' is not an earlier "
            "entry of the package)");
  EXPECT_EQ(snapshot(root), before);

  std::string apk = apk_binary();
  if (apk.empty()) return note_no_apk_tools();
  // apk-tools 3 refuses it too, with etc already in its root as well.
  auto base_file = temp.path() / "base.apk";
  auto file = temp.path() / "orphan.apk";
  write_file_atomic(base_file, built_base.package->bytes());
  write_file_atomic(file, built_orphan.package->bytes());
  std::vector<std::string> common = {"--root", (temp.path() / "apk").string(), "--no-scripts", "--allow-untrusted",
                                     "--arch", "x86_64", "--no-network", "--no-logfile"};
  std::vector<std::string> first = {apk, "add", "--initdb"};
  first.insert(first.end(), common.begin(), common.end());
  first.push_back(base_file.string());
  ASSERT_EQ(lupine::testing::run(first).exit_code, 0);
  std::vector<std::string> second = {apk, "add"};
  second.insert(second.end(), common.begin(), common.end());
  second.push_back(file.string());
  auto result = lupine::testing::run(second);
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE((result.out + result.err).find("etc/orphan: no dirent in archive"), std::string::npos)
      << result.out << result.err;
}

TEST(Installer, UpgradeReplacesFilesAndRemovesStaleOnes) {
  TempDir temp("lupine-installer");
  auto root = temp.path() / "root";
  Spec v1{.name = "app", .version = "1.0-r0",
          .entries = {dir("usr"), dir("usr/share"), dir("usr/share/app"), file("usr/share/app/kept", "v1\n"),
                      file("usr/share/app/gone", "old\n"), dir("usr/share/old"), file("usr/share/old/x", "x\n")}};
  Spec v2{.name = "app", .version = "2.0-r0",
          .entries = {dir("usr"), dir("usr/share"), dir("usr/share/app"), file("usr/share/app/kept", "v2\n"),
                      file("usr/share/app/new", "new\n")}};
  Built built_v1 = build(v1), built_v2 = build(v2);
  install(root, {&built_v1});
  std::filesystem::create_directories(root / "usr/share/unowned");
  auto report = install(root, {&built_v2});
  EXPECT_EQ(report.upgraded, std::vector<std::string>{"app-1.0-r0 -> 2.0-r0"});
  EXPECT_EQ(report.files_removed, 2u);
  EXPECT_EQ(read_file(root / "usr/share/app/kept"), "v2\n");
  EXPECT_EQ(read_file(root / "usr/share/app/new"), "new\n");
  EXPECT_FALSE(std::filesystem::exists(root / "usr/share/app/gone"));
  EXPECT_FALSE(std::filesystem::exists(root / "usr/share/old"));
  EXPECT_TRUE(std::filesystem::exists(root / "usr/share/unowned"));
  auto packages = parse_installed_db(installed_db(root), "installed");
  ASSERT_EQ(packages.size(), 1u);
  EXPECT_EQ(packages[0].record.version, "2.0-r0");
  EXPECT_EQ(packages[0].file_paths(), (std::vector<std::string>{"usr/share/app/kept", "usr/share/app/new"}));
  for (const auto& [path, what] : snapshot(root)) EXPECT_EQ(path.find(".lupine-"), std::string::npos) << path;
}

TEST(Installer, RemovesPackagesAndTheirEmptyDirectories) {
  TempDir temp("lupine-installer");
  auto root = temp.path() / "root";
  Spec a{.name = "aaa", .entries = {dir("opt"), dir("opt/a"), file("opt/a/f", "a\n"), dir("etc"), file("etc/a", "a\n")}};
  Spec b{.name = "bbb", .entries = {dir("etc"), file("etc/b", "b\n")}};
  Built built_a = build(a), built_b = build(b);
  install(root, {&built_a, &built_b});
  auto report = install(root, {}, {}, {"aaa"});
  EXPECT_EQ(report.removed, std::vector<std::string>{"aaa-1.0-r0"});
  EXPECT_FALSE(std::filesystem::exists(root / "opt"));
  EXPECT_FALSE(std::filesystem::exists(root / "etc/a"));
  EXPECT_TRUE(std::filesystem::exists(root / "etc/b"));
  EXPECT_EQ(parse_installed_db(installed_db(root), "installed").size(), 1u);
  EXPECT_NE(error_of([&] { install(root, {}, {}, {"aaa"}); }).find("cannot remove aaa: it is not installed"),
            std::string::npos);
}

TEST(Installer, FailureMidwayRollsBackEverything) {
  TempDir temp("lupine-installer");
  auto root = temp.path() / "root";
  Spec v1{.name = "app", .version = "1.0-r0",
          .entries = {dir("etc"), file("etc/conf", "v1\n", 0640), dir("usr"), file("usr/gone", "old\n")}};
  Built built_v1 = build(v1);
  install(root, {&built_v1});
  // Something no package owns is in the way of a later entry: found only when writing it.
  std::filesystem::create_directories(root / "usr/blocker/inside");
  auto before = snapshot(root);
  Spec v2{.name = "app", .version = "2.0-r0",
          .entries = {dir("etc"), file("etc/conf", "v2\n"), dir("etc/new", 0700), file("etc/new/x", "x\n"), dir("usr"),
                      file("usr/blocker", "file\n")}};
  Spec other{.name = "other", .entries = {dir("opt"), file("opt/o", "o\n")}};
  Built built_v2 = build(v2), built_other = build(other);
  std::string error = error_of([&] { install(root, {&built_other, &built_v2}); });
  EXPECT_NE(error.find("cannot replace directory"), std::string::npos) << error;
  EXPECT_EQ(snapshot(root), before);
  EXPECT_EQ(read_file(root / "etc/conf"), "v1\n");
}

// Into a root with nothing installed yet, files on free paths are written in place; a path that is
// taken still goes through a temporary name; a failure removes what was written either way.
TEST(Installer, NewRootWritesInPlaceAndRollsBackToWhatWasThere) {
  TempDir temp("lupine-installer");
  auto root = temp.path() / "root";
  install(root, {});  // the database files, with nothing installed
  std::filesystem::create_directories(root / "etc");
  write_file_atomic(root / "etc/taken", "was here\n");
  std::filesystem::create_directories(root / "usr/blocker/inside");
  auto before = snapshot(root);
  Spec app{.name = "app",
           .entries = {dir("etc"), file("etc/conf", "conf\n", 0640), file("etc/taken", "packaged\n"), dir("usr"),
                       file("usr/blocker", "file\n")}};
  Built built = build(app);
  std::string error = error_of([&] { install(root, {&built}); });
  EXPECT_NE(error.find("cannot replace directory"), std::string::npos) << error;
  EXPECT_EQ(snapshot(root), before);

  std::filesystem::remove_all(root / "usr/blocker");
  install(root, {&built});
  EXPECT_EQ(read_file(root / "etc/conf"), "conf\n");
  EXPECT_EQ(node_info(root / "etc/conf").mode & 07777, 0640u);
  EXPECT_EQ(read_file(root / "etc/taken"), "packaged\n");
  EXPECT_EQ(read_file(root / "usr/blocker"), "file\n");
  for (const auto& entry : std::filesystem::directory_iterator(root / "etc"))
    EXPECT_EQ(entry.path().filename().string().find(".lupine-"), std::string::npos) << entry.path();
}

// An interrupt during an install (here raised when the first of two packages starts) stops it at
// the next package and rolls back: the root is as it was, and not marked interrupted.
TEST(Installer, AnInterruptRollsBackToWhatWasThere) {
  TempDir temp("lupine-installer");
  auto root = temp.path() / "root";
  Spec base{.name = "base", .entries = {dir("etc"), file("etc/base", "b\n")}};
  Built built_base = build(base);
  install(root, {&built_base});
  auto before = snapshot(root);
  Spec one{.name = "one", .entries = {dir("opt"), file("opt/one", "1\n")}};
  Spec two{.name = "two", .entries = {dir("srv"), file("srv/two", "2\n")}};
  Built built_one = build(one), built_two = build(two);
  auto child = lupine::testing::run_and_interrupt(
      [&] {
        InstallOptions options;
        options.on_progress = [](const std::string& line) {
          if (line.find("Installing one") != std::string::npos) ::raise(SIGINT);
        };
        try {
          install(root, {&built_one, &built_two}, options);
          return 2;
        } catch (const Interrupted& interrupted) {
          return interrupted.signal() == SIGINT ? 42 : 3;
        }
      },
      std::chrono::milliseconds(0), 0, /*guarded=*/false);  // install_packages holds its own guard
  ASSERT_TRUE(WIFEXITED(child.status)) << "signal " << WTERMSIG(child.status);
  EXPECT_EQ(WEXITSTATUS(child.status), 42);
  EXPECT_EQ(snapshot(root), before);
  install(root, {&built_one, &built_two});  // not refused as an interrupted root
  EXPECT_EQ(read_file(root / "srv/two"), "2\n");
}

TEST(Installer, FailureWhileWritingTheDatabaseRollsBackEverything) {
  TempDir temp("lupine-installer");
  auto root = temp.path() / "root";
  Spec v1{.name = "app", .version = "1.0-r0", .entries = {dir("etc"), file("etc/conf", "v1\n"), file("etc/old", "o\n")}};
  Spec v2{.name = "app", .version = "2.0-r0", .entries = {dir("etc"), file("etc/conf", "v2\n"), file("etc/new", "n\n")}};
  Built built_v1 = build(v1), built_v2 = build(v2);
  install(root, {&built_v1});
  // The key cannot be written: a directory is in its place. Files are all extracted by then.
  std::filesystem::create_directories(root / "etc/apk/keys/k.rsa.pub/inside");
  auto key = temp.path() / "k.rsa.pub";
  write_file_atomic(key, "key\n");
  auto before = snapshot(root);
  InstallPlan plan;
  plan.install.push_back(built_v2.planned());
  plan.world = {"app"};
  InstallOptions options;
  options.keys = {key};
  options.arch = "riscv64";
  EXPECT_NE(error_of([&] { install_packages(root, plan, options); }).find("k.rsa.pub"), std::string::npos);
  EXPECT_EQ(snapshot(root), before);
  EXPECT_EQ(read_file(root / "etc/old"), "o\n");
}

TEST(Installer, RecordsScriptsWithoutRunningThem) {
  TempDir temp("lupine-installer");
  auto root = temp.path() / "root";
  Built built = build(interop_spec());
  install(root, {&built});
  EXPECT_FALSE(std::filesystem::exists(root / "script-ran"));
  auto entries = parse_scripts_tar(read_file(root / "lib/apk/db/scripts.tar"), false, "scripts.tar");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].package, "simple-1.0-r0");
  EXPECT_EQ(entries[0].identity, built.package->identity());
  EXPECT_EQ(entries[0].action, "post-install");
  EXPECT_EQ(entries[0].contents, "#!/bin/sh\ntouch /script-ran\n");
  EXPECT_EQ(read_file(root / "lib/apk/db/triggers"), built.package->identity() + " /usr/bin /usr/lib/*\n");

  // Reading the root back attaches them again; a second install keeps them.
  Spec other{.name = "other", .entries = {file("o", "o\n")}};
  Built built_other = build(other);
  install(root, {&built_other});
  RootDir dir(root);
  auto state = load_installed_state(dir);
  auto simple = std::find_if(state.packages.begin(), state.packages.end(), [](auto& p) { return p.record.name == "simple"; });
  ASSERT_NE(simple, state.packages.end());
  EXPECT_EQ(simple->scripts.size(), 1u);
  EXPECT_EQ(simple->triggers.size(), 2u);
}

TEST(Installer, KeepsScriptsTarGzWhereTheRootUsesIt) {
  TempDir temp("lupine-installer");
  auto root = temp.path();
  init_root_layout(root);
  std::filesystem::remove(root / "lib/apk/db/scripts.tar");
  write_file_atomic(root / "lib/apk/db/scripts.tar.gz", apk::gzip_member(std::string(apk::tar_end_of_archive())));
  Built built = build(interop_spec());
  install(root, {&built});
  EXPECT_FALSE(std::filesystem::exists(root / "lib/apk/db/scripts.tar"));
  auto entries = parse_scripts_tar(read_file(root / "lib/apk/db/scripts.tar.gz"), true, "scripts.tar.gz");
  EXPECT_EQ(entries.size(), 1u);
}

TEST(Installer, WritesWorldArchRepositoriesAndKeys) {
  TempDir temp("lupine-installer");
  auto root = temp.path() / "root";
  auto key = temp.path() / "test.rsa.pub";
  write_file_atomic(key, "-----BEGIN PUBLIC KEY-----\n...\n");
  Spec a{.name = "aaa", .entries = {file("a", "a\n")}};
  Built built = build(a);
  InstallPlan plan;
  plan.install.push_back(built.planned());
  plan.world = {"aaa", "Zed", "busybox>=1"};
  InstallOptions options;
  options.arch = "aarch64";
  options.repositories = std::vector<std::string>{"https://packages.wolfi.dev/os", "/srv/local"};
  options.keys = {key};
  install_packages(root, plan, options);
  EXPECT_EQ(read_file(root / "etc/apk/world"), "aaa\nbusybox>=1\nZed\n");
  EXPECT_EQ(read_file(root / "etc/apk/arch"), "aarch64\n");
  EXPECT_EQ(read_file(root / "etc/apk/repositories"), "https://packages.wolfi.dev/os\n/srv/local\n");
  EXPECT_EQ(read_file(root / "etc/apk/keys/test.rsa.pub"), "-----BEGIN PUBLIC KEY-----\n...\n");

  // Without them, the next install keeps world, arch and repositories as they are.
  Spec b{.name = "bbb", .entries = {file("b", "b\n")}};
  Built built_b = build(b);
  install(root, {&built_b});
  EXPECT_EQ(read_file(root / "etc/apk/world"), "aaa\nbusybox>=1\nZed\n");
  EXPECT_EQ(read_file(root / "etc/apk/arch"), "aarch64\n");

  // A new root without --arch gets the host's.
  TempDir fresh("lupine-installer");
  install(fresh.path(), {&built});
  EXPECT_EQ(read_file(fresh.path() / "etc/apk/arch"), apk::host_apk_arch() + "\n");
  EXPECT_EQ(read_file(fresh.path() / "etc/apk/world"), "\n");
  EXPECT_EQ(read_file(fresh.path() / "etc/apk/repositories"), "");
}

TEST(Installer, LockedOrInterruptedRootIsRefused) {
  TempDir temp("lupine-installer");
  auto root = temp.path();
  init_root_layout(root);
  Spec a{.name = "aaa", .entries = {file("a", "a\n")}};
  Built built = build(a);
  {
    int fd = ::open((root / "lib/apk/db/lock").c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::flock(fd, LOCK_EX), 0);
    EXPECT_NE(error_of([&] { install(root, {&built}); }).find("is locked"), std::string::npos);
    ::close(fd);
  }
  write_file_atomic(root / "lib/apk/db/lupine-transaction", "killed while installing\n");
  EXPECT_NE(error_of([&] { install(root, {&built}); }).find("did not finish"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(root / "a"));
  std::filesystem::remove(root / "lib/apk/db/lupine-transaction");
  install(root, {&built});
  EXPECT_TRUE(std::filesystem::exists(root / "a"));
}

TEST(Installer, DeviceNodesNeedPrivileges) {
  TempDir temp("lupine-installer");
  Spec spec{.name = "devs", .entries = {dir("dev"), node("dev/null", apk::TarType::chardev, 1, 3, 0666),
                                        node("dev/fifo", apk::TarType::fifo, 0, 0, 0600), file("dev/readme", "r\n")}};
  Built built = build(spec);
  InstallOptions unprivileged;
  unprivileged.privileged = false;
  auto root = temp.path() / "refused";
  init_root_layout(root);
  auto before = snapshot(root);
  EXPECT_EQ(error_of([&] { install(root, {&built}, unprivileged); }),
            "devs-1.0-r0: cannot create device node 'dev/null' without privileges (run as root, or skip device nodes)");
  EXPECT_EQ(snapshot(root), before);

  unprivileged.skip_device_nodes = true;
  auto skipped = temp.path() / "skipped";
  auto report = install(skipped, {&built}, unprivileged);
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_EQ(report.warnings[0], "devs-1.0-r0: skipped device node dev/null: creating it needs privileges");
  EXPECT_FALSE(std::filesystem::exists(skipped / "dev/null"));
  EXPECT_TRUE(S_ISFIFO(node_info(skipped / "dev/fifo").mode));
  auto packages = parse_installed_db(installed_db(skipped), "installed");
  EXPECT_TRUE(packages[0].broken_files);  // f:f, as apk-tools marks a failed extraction
}

TEST(Installer, UnprivilegedInstallRecordsOwnersOnly) {
  TempDir temp("lupine-installer");
  Spec spec{.name = "owned", .entries = {dir("srv", 0555, 70, 70), file("srv/data", "d\n", 0640, 501, 20)}};
  Built built = build(spec);
  InstallOptions options;
  options.privileged = false;
  install(temp.path(), {&built}, options);
  auto data = node_info(temp.path() / "srv/data");
  EXPECT_EQ(data.uid, ::geteuid());
  EXPECT_EQ(data.mode & 07777, 0640u);
  EXPECT_EQ(node_info(temp.path() / "srv").mode & 07777, 0755u);  // kept writable for us: 0555 | 0300
  auto packages = parse_installed_db(installed_db(temp.path()), "installed");
  EXPECT_EQ(packages[0].dirs[0].acl, (FileAcl{70, 70, 0555, {}}));
  EXPECT_EQ(packages[0].dirs[0].files[0].acl, (FileAcl{501, 20, 0640, {}}));
}

TEST(Installer, PlanErrors) {
  TempDir temp("lupine-installer");
  Spec a{.name = "aaa", .entries = {file("a", "a\n")}};
  Built built = build(a);
  InstallPlan plan;
  plan.install.push_back(built.planned());
  plan.install.back().record.identity = "Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  EXPECT_NE(error_of([&] { install_packages(temp.path(), plan, {}); }).find("does not match the record's C:"),
            std::string::npos);
  plan.install = {built.planned(), built.planned()};
  EXPECT_NE(error_of([&] { install_packages(temp.path(), plan, {}); }).find("aaa is listed twice"), std::string::npos);
  plan.install = {built.planned()};
  plan.remove = {"aaa"};
  EXPECT_NE(error_of([&] { install_packages(temp.path(), plan, {}); }).find("cannot remove aaa"), std::string::npos);
}

}  // namespace lupine::index
