#include "index/installed_db.h"

#include "apk/gzip.h"
#include "apk/tar.h"
#include "common/error.h"
#include "common/fs.h"
#include "index/installed_files_builder.h"
#include "index/installed_scripts.h"
#include "index/root_layout.h"
#include "support/fixtures.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace lupine::index {

namespace {

std::filesystem::path fixture_db(const std::filesystem::path& fixtures) {
  return fixtures / "apk/apko-apk/root/usr/lib/apk/db";
}

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(InstalledDb, FixtureRoundTripsByteForByte) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  std::string text = read_file(fixture_db(fixtures) / "installed");
  auto packages = parse_installed_db(text, "installed");
  ASSERT_EQ(packages.size(), 14u);
  EXPECT_EQ(format_installed_db(packages), text);

  const InstalledDbPackage& data = packages[0];
  EXPECT_EQ(data.record.name, "alpine-baselayout-data");
  EXPECT_EQ(data.record.replaces, std::vector<std::string>{"alpine-baselayout"});
  ASSERT_EQ(data.dirs[0].path, "etc");
  auto shadow = std::find_if(data.dirs[0].files.begin(), data.dirs[0].files.end(),
                             [](const InstalledFile& f) { return f.name == "shadow"; });
  ASSERT_NE(shadow, data.dirs[0].files.end());
  EXPECT_EQ(shadow->acl, (FileAcl{0, 42, 0640, {}}));
  EXPECT_EQ(shadow->digest, "Q1ltrPIAW2zHeDiajsex2Bdmq3uqA=");

  // busybox's tmp is M:0:0:1777.
  auto busybox = std::find_if(packages.begin(), packages.end(), [](auto& p) { return p.record.name == "busybox"; });
  ASSERT_NE(busybox, packages.end());
  auto tmp = std::find_if(busybox->dirs.begin(), busybox->dirs.end(), [](auto& d) { return d.path == "tmp"; });
  ASSERT_NE(tmp, busybox->dirs.end());
  EXPECT_EQ(tmp->acl.mode, 01777u);
}

TEST(InstalledDb, SortedAsApkToolsRewritesIt) {
  // apk-tools 3.0.6, adding a package to this root, rewrote the fixture with the same stanzas
  // sorted by name (checked with the real binary): sorting must only reorder whole stanzas.
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  std::string text = read_file(fixture_db(fixtures) / "installed");
  auto packages = parse_installed_db(text, "installed");
  sort_installed_packages(packages);
  std::vector<std::string> names;
  for (const auto& p : packages) names.push_back(p.record.name);
  EXPECT_EQ(names, (std::vector<std::string>{"alpine-baselayout", "alpine-baselayout-data", "alpine-keys",
                                             "apk-tools", "busybox", "ca-certificates-bundle", "libc-utils",
                                             "libcrypto1.1", "libssl1.1", "musl", "musl-utils", "scanelf",
                                             "ssl_client", "zlib"}));
  std::string sorted = format_installed_db(packages);
  EXPECT_EQ(sorted.size(), text.size());
  for (const auto& package : packages) {
    std::string stanza;
    append_installed_package(stanza, package);
    EXPECT_NE(text.find(stanza), std::string::npos) << package.record.name;
  }
}

TEST(InstalledDb, WritesApkToolsFieldOrderAndDefaults) {
  InstalledDbPackage package;
  package.record.identity = "Q1HtWrOcP6YDUImtVBL6P3YDTD9w4=";
  package.record.name = "simple";
  package.record.version = "1.0-r0";
  package.record.arch = "x86_64";
  package.record.file_size = 1536;
  package.record.installed_size = 11;
  package.record.description = "a test";
  package.record.origin = "simple";
  package.record.provides = {"cmd:tool=1.0"};
  package.record.replaces = {"other"};
  package.record.replaces_priority = 3;
  package.tags = {"a", "b"};
  package.repository_tag = "edge";
  package.broken_files = true;
  package.broken_xattr = true;
  package.dirs.push_back(InstalledDir{"etc/priv", FileAcl{0, 0, 0700, {}}, {InstalledFile{"secret", FileAcl{12, 34, 0600, {}}, "Q13tW6QkgP513Ou6HOBoSJ/3viGGo="}}});
  package.dirs.push_back(InstalledDir{"", default_dir_acl(), {InstalledFile{"topfile", default_file_acl(), "Q1VcpihuPk9Pul0ESDM/qZ/FpASnM="}}});
  package.dirs.push_back(InstalledDir{"usr/lib", FileAcl{5, 6, 0755, "Q1YVoicWpOg64lRcO+OC457lOeplw="}, {InstalledFile{"dev", FileAcl{0, 0, 0600, {}}, ""}}});
  std::string expected =
      "C:Q1HtWrOcP6YDUImtVBL6P3YDTD9w4=\nP:simple\nV:1.0-r0\nA:x86_64\nS:1536\nI:11\nT:a test\nU:\nL:\no:simple\n"
      "p:cmd:tool=1.0\ng:a b\nr:other\nq:3\ns:edge\nf:fx\n"
      "F:etc/priv\nM:0:0:700\nR:secret\na:12:34:600\nZ:Q13tW6QkgP513Ou6HOBoSJ/3viGGo=\n"
      "F:\nR:topfile\nZ:Q1VcpihuPk9Pul0ESDM/qZ/FpASnM=\n"
      "F:usr/lib\nM:5:6:755:Q1YVoicWpOg64lRcO+OC457lOeplw=\nR:dev\na:0:0:600\n\n";
  EXPECT_EQ(format_installed_db({package}), expected);
  auto parsed = parse_installed_db(expected, "installed");
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_EQ(format_installed_db(parsed), expected);
  EXPECT_EQ(parsed[0].dirs[2].acl.xattr_digest, "Q1YVoicWpOg64lRcO+OC457lOeplw=");
  EXPECT_EQ(parsed[0].file_paths(), (std::vector<std::string>{"etc/priv/secret", "topfile", "usr/lib/dev"}));
}

TEST(InstalledDb, RefusesWhatApkToolsRefusesNamingTheLine) {
  const std::string head = "C:Q1HtWrOcP6YDUImtVBL6P3YDTD9w4=\nP:a\nV:1\n";
  EXPECT_EQ(error_of([&] { parse_installed_db(head + "x:new\n", "db/installed"); }),
            "db/installed:4: unknown field 'x:' in an installed database (apk-tools: \"This apk-tools is too old "
            "to handle installed packages\")");
  EXPECT_NE(error_of([&] { parse_installed_db(head + "Y:new\n", "db"); }).find("db:4: unknown field 'Y:'"),
            std::string::npos);
  EXPECT_NE(error_of([&] { parse_installed_db(head + "f:fz\n", "db"); }).find("db:4: unknown package flag 'z'"),
            std::string::npos);
  EXPECT_NE(error_of([&] { parse_installed_db(head + "R:x\n", "db"); }).find("db:4: R: (file) before any F:"),
            std::string::npos);
  EXPECT_NE(error_of([&] { parse_installed_db(head + "F:etc\nZ:Q1VcpihuPk9Pul0ESDM/qZ/FpASnM=\n", "db"); })
                .find("db:5: Z: (file digest) before any R:"),
            std::string::npos);
  EXPECT_NE(error_of([&] { parse_installed_db(head + "F:etc\na:0:0:644\n", "db"); }).find("db:5: a: (file acl)"),
            std::string::npos);
  EXPECT_NE(error_of([&] { parse_installed_db(head + "M:0:0:755\n", "db"); }).find("db:4: M:"), std::string::npos);
  EXPECT_NE(error_of([&] { parse_installed_db(head + "F:etc\nM:0:0:789\n", "db"); }).find("db:5: field M: expected"),
            std::string::npos);
  EXPECT_NE(error_of([&] { parse_installed_db(head + "F:etc\nR:f\na:0:x:644\n", "db"); }).find("db:6: field a:"),
            std::string::npos);
  EXPECT_NE(error_of([&] { parse_installed_db(head + "F:etc\nR:f\nZ:nonsense\n", "db"); }).find("db:6: Z: expects"),
            std::string::npos);
  EXPECT_NE(error_of([&] { parse_installed_db(head + "F:etc\nR:a/b\n", "db"); }).find("db:5: R: expects"),
            std::string::npos);
  EXPECT_NE(error_of([&] { parse_installed_db(head + "S:big\n", "db"); }).find("db:4: field S: expected a number"),
            std::string::npos);
  EXPECT_NE(error_of([&] { parse_installed_db("P:a\nV:1\n", "db"); }).find("db:1: package a has no C:"),
            std::string::npos);
  EXPECT_NE(error_of([&] { parse_installed_db(head + "\n" + head, "db"); }).find("db:5: package a is listed twice"),
            std::string::npos);
  EXPECT_NE(error_of([&] { parse_installed_db(head + "garbage\n", "db"); }).find("db:4: expected 'X:value'"),
            std::string::npos);
}

TEST(InstalledDb, XattrDigestAsApkTools) {
  // Values from `apk add` of a package with these xattrs (apk-tools 3.0.6 installed db).
  EXPECT_EQ(xattr_digest({{"user.foo", "bar"}}), "Q1PRtF90e/MH8X0tNudu5SuM6PFR4=");
  EXPECT_EQ(xattr_digest({{"user.d", "v"}}), "Q1YVoicWpOg64lRcO+OC457lOeplw=");
  EXPECT_EQ(xattr_digest({}), "");
  EXPECT_EQ(xattr_digest({{"user.b", "2"}, {"user.a", "1"}}), xattr_digest({{"user.a", "1"}, {"user.b", "2"}}));
}

TEST(InstalledScripts, FixtureScriptsAndTriggers) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  auto packages = parse_installed_db(read_file(fixture_db(fixtures) / "installed"), "installed");
  auto entries = parse_scripts_tar(read_file(fixture_db(fixtures) / "scripts.tar"), false, "scripts.tar");
  ASSERT_EQ(entries.size(), 7u);
  EXPECT_EQ(entries[0].package, "busybox-1.35.0-r17");
  EXPECT_EQ(entries[0].identity, "Q1Meo+LHGPSi3uY9gIouEVb9z8Fbo=");
  EXPECT_EQ(entries[0].action, "post-install");
  EXPECT_EQ(entries[0].contents.size(), 131u);
  attach_scripts(packages, entries);
  std::string triggers_text = read_file(fixture_db(fixtures) / "triggers");
  attach_triggers(packages, parse_triggers(triggers_text, "triggers"));
  auto busybox = std::find_if(packages.begin(), packages.end(), [](auto& p) { return p.record.name == "busybox"; });
  ASSERT_NE(busybox, packages.end());
  EXPECT_EQ(busybox->scripts.size(), 3u);
  EXPECT_EQ(busybox->triggers, (std::vector<std::string>{"/bin", "/usr/bin", "/sbin", "/usr/sbin", "/lib/modules/*"}));
  EXPECT_EQ(format_triggers(packages), triggers_text);

  // Written back and read again: the same scripts, in apk_script_types order.
  std::string tar = format_scripts_tar(packages);
  auto again = parse_scripts_tar(tar, false, "written");
  ASSERT_EQ(again.size(), 7u);
  std::vector<std::string> names;
  for (const auto& e : again) names.push_back(e.package + "." + e.action);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "busybox-1.35.0-r17.post-install", "busybox-1.35.0-r17.post-upgrade", "busybox-1.35.0-r17.trigger",
                       "alpine-baselayout-3.2.0-r22.pre-install", "alpine-baselayout-3.2.0-r22.post-install",
                       "alpine-baselayout-3.2.0-r22.pre-upgrade", "alpine-baselayout-3.2.0-r22.post-upgrade"}));
  auto parsed_tar = apk::parse_tar(tar, "written");
  EXPECT_TRUE(parsed_tar.end_of_archive);
  const auto& first = parsed_tar.items[0].entry;
  EXPECT_EQ(first.path, "busybox-1.35.0-r17.Q1Meo+LHGPSi3uY9gIouEVb9z8Fbo=.post-install");
  EXPECT_EQ(first.mode, 0755u);
  EXPECT_EQ(first.mtime, busybox->record.build_time);
  EXPECT_EQ(first.uname, "root");

  // scripts.tar.gz with apk-tools 3's X1<hex> names is read too.
  apk::TarEntry entry;
  entry.path = "busybox-1.35.0-r17.X131ea3e2c718f4a2dee63d808a2e1156fdcfc15ba.post-install";
  entry.size = 3;
  std::string apk3 = apk::tar_header(entry) + "abc" + std::string(apk::tar_padding(3)) + std::string(apk::tar_end_of_archive());
  auto gz = parse_scripts_tar(apk::gzip_member(apk3), true, "scripts.tar.gz");
  ASSERT_EQ(gz.size(), 1u);
  EXPECT_EQ(gz[0].identity, "Q1Meo+LHGPSi3uY9gIouEVb9z8Fbo=");
}

TEST(InstalledScripts, WorldSortedByNameOnePerLine) {
  EXPECT_EQ(format_world({}), "\n");
  EXPECT_EQ(format_world({"zlib", "Busybox", "alpine-baselayout>=3", "busybox", "zlib<2"}),
            "alpine-baselayout>=3\nBusybox\nbusybox\nzlib<2\n");
  EXPECT_EQ(parse_world("a b\nc>=1\n\n", "world"), (std::vector<std::string>{"a", "b", "c>=1"}));
  EXPECT_THROW(parse_world("a\n>=1\n", "world"), Error);
  EXPECT_THROW(parse_triggers("nonsense /bin\n", "triggers"), Error);
}

TEST(InstalledFilesBuilder, OrdersDirectoriesAsApkTools) {
  // Entries of the package apk-tools installed in the interop check: the top-level record ""
  // comes where the first top-level file needs it, not sorted first.
  InstalledFilesBuilder builder;
  for (const char* dir : {"empty", "empty/sub", "etc", "etc/priv"}) builder.add_dir(dir, default_dir_acl());
  builder.add_file("etc/priv", InstalledFile{"secret", default_file_acl(), {}});
  builder.add_file("", InstalledFile{"topfile", default_file_acl(), {}});
  builder.add_dir("usr", default_dir_acl());
  builder.add_file("usr", InstalledFile{"run", default_file_acl(), {}});
  builder.add_dir("usr/bin", default_dir_acl());
  for (const char* file : {"tool", "alias", "hard"}) builder.add_file("usr/bin", InstalledFile{file, default_file_acl(), {}});
  EXPECT_TRUE(builder.has_dir("etc"));
  EXPECT_FALSE(builder.has_dir("var"));
  ASSERT_NE(builder.find_file("usr/bin/tool"), nullptr);
  auto dirs = builder.finish();
  std::vector<std::string> order;
  for (const auto& d : dirs) order.push_back(d.path);
  EXPECT_EQ(order, (std::vector<std::string>{"empty", "empty/sub", "etc", "etc/priv", "", "usr", "usr/bin"}));
  ASSERT_EQ(dirs[6].files.size(), 3u);
  EXPECT_EQ(dirs[6].files[0].name, "alias");  // files sorted bytewise (apk_db_ipkg_commit_files)
  EXPECT_EQ(dirs[6].files[2].name, "tool");
}

TEST(InstalledFilesBuilder, SortsOnceMoreThan32DirectoriesCameOutOfOrder) {
  InstalledFilesBuilder builder;
  for (int i = 40; i >= 7; --i) builder.add_dir(fmt::format("d{:02}", i), default_dir_acl());
  // 33 came out of order, but no lookup happened since: insertion order.
  auto dirs = builder.finish();
  EXPECT_EQ(dirs.front().path, "d40");
  // The next lookup of another directory sorts the list (apk_db_diri_bsearch).
  builder.add_file("d40", InstalledFile{"f", default_file_acl(), {}});
  dirs = builder.finish();
  EXPECT_EQ(dirs.front().path, "d07");
  EXPECT_EQ(dirs.back().path, "d40");
  // Later out-of-order directories are appended again until the next sort.
  builder.add_dir("a", default_dir_acl());
  dirs = builder.finish();
  EXPECT_EQ(dirs.back().path, "a");
  EXPECT_EQ(dirs.size(), 35u);
}

TEST(RootLayout, LoadsApkoRootThroughLibApkSymlink) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  TempDir temp("lupine-installed-db");
  std::filesystem::path root = temp.path() / "root";
  std::filesystem::create_directories(root / "usr/lib/apk/db");
  std::filesystem::create_directories(root / "lib");
  std::filesystem::create_directory_symlink("../usr/lib/apk", root / "lib/apk");
  for (const char* name : {"installed", "scripts.tar", "triggers"})
    std::filesystem::copy_file(fixture_db(fixtures) / name, root / "usr/lib/apk/db" / name);
  init_root_layout(root);
  EXPECT_TRUE(std::filesystem::is_symlink(root / "lib/apk"));
  EXPECT_TRUE(std::filesystem::exists(root / "usr/lib/apk/db/lock"));
  RootDir dir(root);
  InstalledState state = load_installed_state(dir);
  EXPECT_EQ(state.packages.size(), 14u);
  EXPECT_FALSE(state.scripts_gzipped);
  EXPECT_EQ(state.world, std::vector<std::string>{});
  size_t scripts = 0;
  for (const auto& p : state.packages) scripts += p.scripts.size();
  EXPECT_EQ(scripts, 7u);
}

}  // namespace lupine::index
