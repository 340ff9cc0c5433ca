// `lupine fetch`: a recipe's fetch and git-checkout sources go into the cache, after which the
// sources are served from it with the origins gone (--offline), and laid out with --source-dir.
#include "common/fs.h"
#include "common/hash.h"
#include "support/fixtures.h"
#include "support/run.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

namespace fs = std::filesystem;
using lupine::testing::run;
using lupine::testing::run_lupine;
using ::testing::HasSubstr;

namespace {

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) text.replace(at, from.size(), to);
  return text;
}

constexpr const char* kRecipe = R"(package:
  name: hello
  version: "1.0"
  epoch: 0
  description: fetch test
  copyright:
    - license: MIT
environment:
  contents:
    packages:
      - busybox
pipeline:
  - uses: fetch
    with:
      uri: file://SERVED/hello-${{package.version}}.tar.gz
      expected-sha256: SHA
  - if: ${{build.arch}} == 'no-such-arch'
    uses: fetch
    with:
      uri: file://SERVED/never.tar.gz
      expected-sha256: SHA
  - uses: git-checkout
    with:
      repository: file://ORIGIN
      tag: v${{package.version}}
      expected-commit: COMMIT
      destination: git-src
  - runs: echo built
)";

class FetchCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (run({"git", "--version"}).exit_code != 0) return;
    fs::create_directories(served_ / "hello-1.0");
    lupine::write_file_atomic(served_ / "hello-1.0" / "hello.c", "int main() { return 0; }\n");
    ASSERT_EQ(run({"tar", "-C", served_.string(), "-czf", (served_ / "hello-1.0.tar.gz").string(), "hello-1.0"}).exit_code, 0);
    fs::create_directories(origin_);
    auto git = [&](std::vector<std::string> args) {
      std::vector<std::string> argv{"git", "-C", origin_.string(), "-c", "user.name=t", "-c", "user.email=t@example.org"};
      argv.insert(argv.end(), args.begin(), args.end());
      auto result = run(argv);
      EXPECT_EQ(result.exit_code, 0) << result.err;
      return result.out.substr(0, result.out.find('\n'));
    };
    git({"init", "--quiet"});
    lupine::write_file_atomic(origin_ / "README", "from git\n");
    git({"add", "README"});
    git({"commit", "--quiet", "-m", "one"});
    git({"tag", "v1.0"});
    commit_ = git({"rev-parse", "HEAD"});
    sha_ = lupine::sha256_hex(lupine::read_file(served_ / "hello-1.0.tar.gz"));
  }

  fs::path write_recipe(const std::string& sha) {
    std::string text = replace_all(kRecipe, "SERVED", served_.string());
    text = replace_all(text, "ORIGIN", origin_.string());
    text = replace_all(text, "SHA", sha);
    text = replace_all(text, "COMMIT", commit_);
    fs::path path = dir_.path() / "hello.yaml";
    lupine::write_file_atomic(path, text);
    return path;
  }

  lupine::TempDir dir_{"lupine-fetch-cli"};
  fs::path served_ = dir_.path() / "served";
  fs::path origin_ = dir_.path() / "origin";
  fs::path cache_ = dir_.path() / "cache";
  std::string commit_, sha_;
};

#define LUPINE_GIT_OR_SKIP()                                                        \
  if (run({"git", "--version"}).exit_code != 0) {                                   \
    if (::lupine::testing::fixtures_required()) FAIL() << "git not found";          \
    GTEST_SKIP() << "git not found";                                                \
  }

TEST_F(FetchCommandTest, FillsTheCacheThenServesOfflineIntoASourceDir) {
  LUPINE_GIT_OR_SKIP();
  fs::path recipe = write_recipe(sha_);
  auto first = run_lupine({"fetch", recipe.string(), "--cache-dir", cache_.string()});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_THAT(first.out, HasSubstr("sha256:" + sha_ + " (downloaded from upstream)"));
  EXPECT_THAT(first.out, HasSubstr("tag v1.0 " + commit_ + " (fetched)"));
  EXPECT_THAT(first.out, ::testing::Not(HasSubstr("never.tar.gz")));  // its if: is false
  EXPECT_TRUE(fs::exists(cache_ / ("sha256:" + sha_)));
  EXPECT_TRUE(fs::exists(cache_ / "git"));

  fs::remove_all(served_);
  fs::remove_all(origin_);
  fs::path workspace = dir_.path() / "workspace";
  auto second = run_lupine({"fetch", recipe.string(), "--cache-dir", cache_.string(), "--offline", "--source-dir", workspace.string()});
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_THAT(second.out, HasSubstr("(cached)"));
  EXPECT_EQ(lupine::read_file(workspace / "hello.c"), "int main() { return 0; }\n");
  EXPECT_TRUE(fs::exists(workspace / "hello-1.0.tar.gz"));
  EXPECT_EQ(lupine::read_file(workspace / "git-src" / "README"), "from git\n");
  EXPECT_TRUE(fs::exists(workspace / "git-src" / ".git"));
}

TEST_F(FetchCommandTest, ChecksumMismatchFailsNamingBothDigests) {
  LUPINE_GIT_OR_SKIP();
  std::string wrong(64, 'e');
  fs::path recipe = write_recipe(wrong);
  auto result = run_lupine({"fetch", recipe.string(), "--cache-dir", cache_.string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("checksum mismatch: expected sha256 " + wrong + ", got " + sha_));
  EXPECT_FALSE(fs::exists(cache_ / ("sha256:" + wrong)));
}

// The upstream unreachable (nothing listens on the discard port): --no-debian-fallback fails at once
// naming it; by default the file comes from Debian's source package, named through
// .debian-sources.yaml beside the recipe. Needs apt and a Debian mirror (CI has both).
constexpr const char* kUnreachableHello = R"(package:
  name: gnu-hello
  version: "2.10"
  epoch: 0
  description: fetch fallback test
  copyright:
    - license: GPL-3.0-or-later
pipeline:
  - uses: fetch
    with:
      uri: http://127.0.0.1:9/hello-${{package.version}}.tar.gz
      expected-sha256: 31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b
)";

TEST(FetchCommandDebianFallback, UnreachableUpstreamComesFromDebianByChecksum) {
  lupine::TempDir dir("lupine-fetch-debian");
  fs::path recipe = dir.path() / "gnu-hello.yaml";
  lupine::write_file_atomic(recipe, kUnreachableHello);
  lupine::write_file_atomic(dir.path() / ".debian-sources.yaml", "gnu-hello: hello\n");
  fs::path cache = dir.path() / "cache";
  std::string sha = "31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b";

  auto off = run_lupine({"fetch", recipe.string(), "--cache-dir", cache.string(), "--no-debian-fallback"});
  EXPECT_EQ(off.exit_code, 1);
  EXPECT_THAT(off.err, HasSubstr("127.0.0.1:9"));
  EXPECT_THAT(off.err, ::testing::Not(HasSubstr(" tries)")));  // not retried: unreachable is not transient
  EXPECT_FALSE(fs::exists(cache / ("sha256:" + sha)));

  LUPINE_PROGRAM_OR_SKIP("apt-get");
  auto on = run_lupine({"fetch", recipe.string(), "--cache-dir", cache.string()});
  if (on.exit_code != 0 && on.err.find("apt-get update failed") != std::string::npos) {
    if (lupine::testing::fixtures_required()) FAIL() << "Debian's archive unreachable: " << on.err;
    GTEST_SKIP() << "Debian's archive unreachable: " << on.err;
  }
  ASSERT_EQ(on.exit_code, 0) << on.out << on.err;
  EXPECT_THAT(on.err, HasSubstr("fetch: upstream unreachable: http://127.0.0.1:9/hello-2.10.tar.gz"));
  // Found by its checksum in a suite's Sources index, whatever the package is called.
  EXPECT_THAT(on.err, HasSubstr("trying Debian (by checksum, else Debian source package hello)"));
  EXPECT_THAT(on.err, HasSubstr("fetch: found in Debian "));
  EXPECT_THAT(on.err, HasSubstr("(hello 2.10-"));
  EXPECT_THAT(on.err, HasSubstr("pool/main/h/hello/hello_2.10.orig.tar.gz"));
  // Where the bytes came from, exactly: the suite, the source package and the pool file.
  EXPECT_THAT(on.out, HasSubstr("sha256:" + sha + " (downloaded from Debian "));
  EXPECT_THAT(on.out, HasSubstr("(hello 2.10-"));
  EXPECT_THAT(on.out, HasSubstr("): pool/main/h/hello/hello_2.10.orig.tar.gz)"));
  auto again = run_lupine({"fetch", recipe.string(), "--cache-dir", cache.string()});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("sha256:" + sha + " (cached; from Debian "));
  EXPECT_EQ(lupine::sha256_hex(lupine::read_file(cache / ("sha256:" + sha))), sha);
}

// A checksum no Debian suite lists: the error names the source, the checksum and the suites searched
// (and what the search by package name said), and nothing is cached.
TEST(FetchCommandDebianFallback, ChecksumInNoSuiteIsAClearError) {
  LUPINE_PROGRAM_OR_SKIP("apt-get");
  lupine::TempDir dir("lupine-fetch-nosuite");
  fs::path recipe = dir.path() / "gnu-hello.yaml";
  std::string sha(64, '7');
  std::string text = kUnreachableHello;
  text.replace(text.find("31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b"), 64, sha);
  lupine::write_file_atomic(recipe, text);
  fs::path cache = dir.path() / "cache";
  auto result = run_lupine({"fetch", recipe.string(), "--cache-dir", cache.string()});
  if (result.err.find("no Debian Sources index could be read") != std::string::npos ||
      result.err.find("apt-get update failed") != std::string::npos) {
    if (lupine::testing::fixtures_required()) FAIL() << "Debian's archive unreachable: " << result.err;
    GTEST_SKIP() << "Debian's archive unreachable: " << result.err;
  }
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("http://127.0.0.1:9/hello-2.10.tar.gz"));
  EXPECT_THAT(result.err, HasSubstr("no file with sha256 " + sha + " in the Sources indexes of Debian bookworm, trixie, sid"));
  EXPECT_FALSE(fs::exists(cache / ("sha256:" + sha)));
}

}  // namespace
