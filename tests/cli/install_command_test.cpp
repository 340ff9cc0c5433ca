// lupine pack → lupine index → lupine install, from a directory and over HTTP (nginx on 127.0.0.1),
// and what install refuses — all through the real binary.
#include "common/fs.h"
#include "support/fixtures.h"
#include "support/nginx.h"
#include "support/run.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <thread>

namespace lupine::cli {
namespace {

using lupine::testing::run_lupine;
using lupine::testing::RunResult;
using ::testing::HasSubstr;

class InstallCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(path("keys"));
    ASSERT_EQ(run_lupine({"keygen", "--key-size", "2048", path("keys/repo").string()}).exit_code, 0);
    std::filesystem::create_directories(repo());
    // lib: a library owned by uid 123; app: depends on lib, ships an executable.
    write(path("trees/lib/usr/lib/libdemo.so.1"), "library", 0755);
    write(path("trees/app/usr/bin/app"), "#!/bin/sh\necho app\n", 0750);
    pack("lib", {"--provides", "so:libdemo.so.1=1"});
    pack("app", {"--depends", "so:libdemo.so.1"});
    index_repo();
  }
  std::filesystem::path path(const std::string& name) const { return dir.path() / name; }
  std::filesystem::path repo() const { return dir.path() / "repo/x86_64"; }
  static void write(const std::filesystem::path& file, const std::string& contents, unsigned mode) {
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << contents;
    ::chmod(file.c_str(), mode);
  }
  void pack(const std::string& name, std::vector<std::string> extra, const std::string& version = "1.0-r0") {
    std::vector<std::string> args{"pack", path("trees/" + name).string(), "-o",
                                  (repo() / (name + "-" + version + ".apk")).string(), "--name", name, "--version",
                                  version, "--arch", "x86_64", "--signing-key", path("keys/repo.rsa").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    auto result = run_lupine(args);
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }
  void index_repo() {
    std::vector<std::string> args{"index", "-o", (repo() / "APKINDEX.tar.gz").string(), "--signing-key",
                                  path("keys/repo.rsa").string(), "--keyring", path("keys/repo.rsa.pub").string()};
    for (const auto& entry : std::filesystem::directory_iterator(repo()))
      if (entry.path().extension() == ".apk") args.push_back(entry.path().string());
    auto result = run_lupine(args);
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }
  RunResult install(const std::string& repository, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"install",      "--root",          path("root").string(),
                                  "--initdb",     "--repository",    repository,
                                  "--keyring",    path("keys/repo.rsa.pub").string(),
                                  "--arch",       "x86_64",          "--cache-dir",
                                  path("cache").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back("app");
    return run_lupine(args);
  }
  void expect_installed() {
    EXPECT_EQ(read_file(path("root/usr/bin/app")), "#!/bin/sh\necho app\n");
    struct stat st {};
    ASSERT_EQ(::stat(path("root/usr/bin/app").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0750u);
    std::string db = read_file(path("root/lib/apk/db/installed"));
    EXPECT_NE(db.find("P:app\nV:1.0-r0\n"), std::string::npos) << db;
    EXPECT_NE(db.find("P:lib\nV:1.0-r0\n"), std::string::npos) << db;
    EXPECT_NE(db.find("R:app\na:0:0:750\n"), std::string::npos) << db;
    EXPECT_EQ(read_file(path("root/etc/apk/world")), "app\n");
    EXPECT_TRUE(std::filesystem::exists(path("root/etc/apk/keys/repo.rsa.pub")));
  }
  bool root_has_no_packages() const {
    std::error_code ignored;
    return !std::filesystem::exists(path("root/usr/bin/app"), ignored);
  }
  TempDir dir;
};

TEST_F(InstallCommand, FromDirectory) {
  auto simulated = install(path("repo").string(), {"--simulate"});
  ASSERT_EQ(simulated.exit_code, 0) << simulated.err;
  EXPECT_EQ(simulated.out, "(1/2) Installing lib (1.0-r0)\n(2/2) Installing app (1.0-r0)\nOK: 26 B in 2 packages\n");
  EXPECT_TRUE(root_has_no_packages());
  auto result = install(path("repo").string());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  expect_installed();
}

// apk's convention: an option takes one value and is repeated for more; the atoms may come anywhere.
TEST_F(InstallCommand, AtomsAfterAnOptionOrFirstInstallTheSame) {
  auto install_into = [&](const std::string& root, bool atom_first) {
    std::vector<std::string> args{"install", "--root", path(root).string(), "--initdb", "--arch", "x86_64",
                                  "--keyring", path("keys/repo.rsa.pub").string(), "--repository",
                                  path("repo").string()};
    if (atom_first)
      args.insert(args.begin() + 1, "app");
    else
      args.push_back("app");  // right after --repository's one value
    return run_lupine(args);
  };
  auto after = install_into("after", false);
  ASSERT_EQ(after.exit_code, 0) << after.err;
  auto first = install_into("first", true);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(read_file(path("after/etc/apk/world")), "app\n");
  EXPECT_EQ(read_file(path("after/lib/apk/db/installed")), read_file(path("first/lib/apk/db/installed")));
  EXPECT_EQ(read_file(path("after/usr/bin/app")), read_file(path("first/usr/bin/app")));
}

// melange's `index --signing-key K.rsa *.apk`: K's own packages need no --keyring; another signer's do.
TEST_F(InstallCommand, IndexTrustsItsOwnSigningKeyOnly) {
  std::filesystem::create_directories(path("index"));
  std::filesystem::create_directories(path("other"));
  std::vector<std::string> args{"index", "-o", path("index/APKINDEX.tar.gz").string(), "--signing-key",
                                path("keys/repo.rsa").string(), (repo() / "app-1.0-r0.apk").string(),
                                (repo() / "lib-1.0-r0.apk").string()};
  auto own = run_lupine(args);
  ASSERT_EQ(own.exit_code, 0) << own.err;
  EXPECT_EQ(own.out, path("index/APKINDEX.tar.gz").string() + ": 2 packages (2 read, 0 unchanged), signed by repo.rsa.pub\n");

  ASSERT_EQ(run_lupine({"keygen", "--key-size", "2048", path("keys/other").string()}).exit_code, 0);
  auto other_args = args;
  other_args[2] = path("other/APKINDEX.tar.gz").string();
  other_args[4] = path("keys/other.rsa").string();
  auto other = run_lupine(other_args);
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.err.find("signed by repo.rsa.pub, which is not in the keyring"), std::string::npos) << other.err;
  EXPECT_FALSE(std::filesystem::exists(path("other/APKINDEX.tar.gz")));
}

TEST_F(InstallCommand, OverHttpFromNginx) {
  LUPINE_NGINX_OR_SKIP();
  lupine::testing::NginxServer server(path("repo"));
  auto result = install(server.url());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  expect_installed();
  EXPECT_NE(server.access_log().find("GET /x86_64/APKINDEX.tar.gz"), std::string::npos);
  EXPECT_NE(server.access_log().find("GET /x86_64/app-1.0-r0.apk"), std::string::npos);
}

TEST_F(InstallCommand, RefusesUnsignedIndexAndUnknownKey) {
  // An index signed by a key the keyring does not hold.
  ASSERT_EQ(run_lupine({"keygen", "--key-size", "2048", path("keys/other").string()}).exit_code, 0);
  ASSERT_EQ(run_lupine({"sign-index", "--signing-key", path("keys/other.rsa").string(),
                        (repo() / "APKINDEX.tar.gz").string()})
                .exit_code,
            0);
  auto untrusted = install(path("repo").string());
  EXPECT_EQ(untrusted.exit_code, 1);
  EXPECT_NE(untrusted.err.find("UNTRUSTED signature"), std::string::npos) << untrusted.err;
  EXPECT_TRUE(root_has_no_packages());
}

TEST_F(InstallCommand, RefusesPackageThatDisagreesWithIndex) {
  // Rebuild app with other contents after indexing: its C: no longer matches the index.
  write(path("trees/app/usr/bin/app"), "#!/bin/sh\necho tampered\n", 0750);
  pack("app", {"--depends", "so:libdemo.so.1"});
  auto result = install(path("repo").string());
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("app"), std::string::npos) << result.err;
  EXPECT_TRUE(root_has_no_packages());
}

TEST_F(InstallCommand, UnsatisfiableNamesTheAtom) {
  std::vector<std::string> args{"install", "--root", path("root").string(), "--initdb", "--repository",
                                path("repo").string(), "--keyring", path("keys/repo.rsa.pub").string(),
                                "--arch", "x86_64", "--simulate", "nonexistent-package"};
  auto result = run_lupine(args);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("nonexistent-package"), std::string::npos) << result.err;
}

TEST(InstallCommandFixtures, AlpineSimulationMatchesApkTools) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "repo/x86_64");
  std::filesystem::create_symlink(fixtures / "apk/apko-apk/alpine-316/APKINDEX.tar.gz",
                                  dir.path() / "repo/x86_64/APKINDEX.tar.gz");
  auto result = run_lupine({"install", "--root", (dir.path() / "root").string(), "--initdb", "--repository",
                            (dir.path() / "repo").string(), "--allow-untrusted", "--arch", "x86_64", "--simulate",
                            "busybox", "curl", "python3"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // apk-tools 3.0.6 on the same index prints exactly these lines (captured with the real apk).
  const char* expected =
      "( 1/24) Installing musl (1.2.3-r2)\n( 2/24) Installing busybox (1.35.0-r17)\n"
      "( 3/24) Installing libcrypto1.1 (1.1.1s-r0)\n( 4/24) Installing ca-certificates (20220614-r0)\n"
      "( 5/24) Installing brotli-libs (1.0.9-r6)\n( 6/24) Installing nghttp2-libs (1.47.0-r0)\n"
      "( 7/24) Installing libssl1.1 (1.1.1s-r0)\n( 8/24) Installing ssl_client (1.35.0-r17)\n"
      "( 9/24) Installing zlib (1.2.12-r3)\n(10/24) Installing libcurl (7.83.1-r4)\n"
      "(11/24) Installing curl (7.83.1-r4)\n(12/24) Installing libbz2 (1.0.8-r1)\n"
      "(13/24) Installing expat (2.5.0-r0)\n(14/24) Installing libffi (3.4.2-r1)\n"
      "(15/24) Installing gdbm (1.23-r0)\n(16/24) Installing xz-libs (5.2.5-r1)\n"
      "(17/24) Installing libgcc (11.2.1_git20220219-r2)\n(18/24) Installing libstdc++ (11.2.1_git20220219-r2)\n"
      "(19/24) Installing mpdecimal (2.5.1-r1)\n(20/24) Installing ncurses-terminfo-base (6.3_p20220521-r0)\n"
      "(21/24) Installing ncurses-libs (6.3_p20220521-r0)\n(22/24) Installing readline (8.1.2-r0)\n"
      "(23/24) Installing sqlite-libs (3.38.5-r0)\n(24/24) Installing python3 (3.10.8-r0)\n"
      "OK: 59.3 MiB in 24 packages\n";
  EXPECT_EQ(result.out, expected);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "root/lib/apk/db/installed"));
}

TEST(InstallCommandFixtures, Aarch64PackagesOnThisMachine) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  TempDir dir;
  auto result = run_lupine({"install", "--root", (dir.path() / "root").string(), "--initdb", "--repository",
                            (fixtures / "apk/apko-cli/packages").string(), "--keyring",
                            (fixtures / "apk/apko-cli/packages/melange.rsa.pub").string(), "--arch", "aarch64",
                            "replayout"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() / "root/etc/os-release").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 501u);  // replayout's file, which replaces pretend-baselayout's
  std::string db = read_file(dir.path() / "root/lib/apk/db/installed");
  EXPECT_NE(db.find("P:replayout"), std::string::npos);
  EXPECT_NE(db.find("P:pretend-baselayout"), std::string::npos);
  EXPECT_EQ(read_file(dir.path() / "root/etc/apk/arch"), "aarch64\n");
}

// Index freshness over real HTTP: a client that has seen version 2 of a repository refuses the
// version 1 the same URL serves later (a rollback) and an index past its expiry (a freeze),
// installing nothing; --allow-stale-index proceeds with a warning.
TEST_F(InstallCommand, RollbackAndFreezeOfAnIndexAreRefused) {
  LUPINE_NGINX_OR_SKIP();
  const std::filesystem::path index = repo() / "APKINDEX.tar.gz";
  auto reindex = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"index", "--refresh", "-o", index.string(), "--signing-key",
                                  path("keys/repo.rsa").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    auto result = run_lupine(args);
    ASSERT_EQ(result.exit_code, 0) << result.err;
  };
  // Each served index gets its own mtime, so nginx's ETag and Last-Modified tell them apart.
  int64_t stamp = 0;
  auto serve = [&](const std::string& bytes) {
    write_file_atomic(index, bytes);
    std::filesystem::last_write_time(index, std::filesystem::file_time_type::clock::now() + std::chrono::seconds(++stamp * 10));
  };
  reindex({});  // version 1
  const std::string version1 = read_file(index);
  reindex({"--expires-in", "30d"});  // version 2
  const std::string version2 = read_file(index);
  serve(version2);
  auto verified = run_lupine({"verify", "--keyring", path("keys/repo.rsa.pub").string(), index.string()});
  EXPECT_EQ(verified.exit_code, 0) << verified.err;

  lupine::testing::NginxServer server(path("repo"));
  auto fresh = install(server.url());
  ASSERT_EQ(fresh.exit_code, 0) << fresh.err;
  EXPECT_THAT(fresh.err, HasSubstr("/x86_64: first contact: trusting index version 2 as it is (trust on first use)"));
  expect_installed();

  std::filesystem::remove_all(path("root"));
  serve(version1);
  auto rollback = install(server.url());
  EXPECT_EQ(rollback.exit_code, 1);
  EXPECT_THAT(rollback.err, HasSubstr(server.url() + "/x86_64: the index is version 1, but version 2"));
  EXPECT_THAT(rollback.err, HasSubstr("a rollback to an older index"));
  EXPECT_TRUE(root_has_no_packages());
  auto allowed = install(server.url(), {"--allow-stale-index"});
  EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
  EXPECT_THAT(allowed.err, HasSubstr("a rollback to an older index (allowed by --allow-stale-index)"));

  // Version 3, expiring in a second, served after it has expired.
  std::filesystem::remove_all(path("root"));
  serve(version2);
  reindex({"--expires-in", "1s"});
  serve(read_file(index));
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  auto frozen = install(server.url());
  EXPECT_EQ(frozen.exit_code, 1);
  EXPECT_THAT(frozen.err, HasSubstr(server.url() + "/x86_64: the index (version 3) expired on "));
  EXPECT_THAT(frozen.err, HasSubstr("the repository may be frozen"));
  EXPECT_TRUE(root_has_no_packages());
  auto stale = install(server.url(), {"--allow-stale-index"});
  EXPECT_EQ(stale.exit_code, 0) << stale.err;
}

}  // namespace
}  // namespace lupine::cli
