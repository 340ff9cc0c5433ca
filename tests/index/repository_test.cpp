// Repository lines, locations, and loading from local directories and file:// URLs.
#include "index/repository.h"

#include "apk/package.h"
#include "common/error.h"
#include "common/fs.h"
#include "index/index_builder.h"
#include "test_packages.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lupine::index {
namespace {

using ::testing::HasSubstr;

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

IndexRecord named(const std::string& name, const std::string& version) {
  IndexRecord record;
  record.name = name;
  record.version = version;
  return record;
}

TEST(Repository, ParsesRepositoryLines) {
  auto http = Repository::parse("https://packages.wolfi.dev/os/");
  EXPECT_EQ(http.kind(), Repository::Kind::http);
  EXPECT_EQ(http.tag(), "");
  EXPECT_EQ(http.location(), "https://packages.wolfi.dev/os");
  EXPECT_EQ(http.index_location("x86_64"), "https://packages.wolfi.dev/os/x86_64/APKINDEX.tar.gz");
  EXPECT_EQ(http.package_location("aarch64", named("glibc", "2.38-r1")),
            "https://packages.wolfi.dev/os/aarch64/glibc-2.38-r1.apk");

  auto tagged = Repository::parse("  @edge   http://dl-cdn.alpinelinux.org/alpine/edge/main ");
  EXPECT_EQ(tagged.tag(), "edge");
  EXPECT_EQ(tagged.to_line(), "@edge http://dl-cdn.alpinelinux.org/alpine/edge/main");

  auto dir = Repository::parse("v2 /srv/repo");
  EXPECT_EQ(dir.kind(), Repository::Kind::local);
  EXPECT_EQ(dir.index_location("x86_64"), "/srv/repo/x86_64/APKINDEX.tar.gz");
  auto file = Repository::parse("@local file:///srv/my%20repo/");
  EXPECT_EQ(file.kind(), Repository::Kind::local);
  EXPECT_EQ(file.location(), "file:///srv/my%20repo");
  EXPECT_EQ(file.index_location("x86_64"), "/srv/my repo/x86_64/APKINDEX.tar.gz");
  EXPECT_EQ(Repository::parse("file://localhost/r").index_location("a"), "/r/a/APKINDEX.tar.gz");
  EXPECT_EQ(Repository::parse("relative/repo").index_location("noarch"), "relative/repo/noarch/APKINDEX.tar.gz");
}

TEST(Repository, RefusesWhatItCannotServe) {
  EXPECT_THAT(error_of([] { Repository::parse("   "); }), HasSubstr("no location"));
  EXPECT_THAT(error_of([] { Repository::parse("@tag"); }), HasSubstr("tag @tag without a location"));
  EXPECT_THAT(error_of([] { Repository::parse("@ http://x"); }), HasSubstr("empty tag"));
  EXPECT_THAT(error_of([] { Repository::parse("v3 http://x"); }), HasSubstr("v3 repository format is not supported"));
  EXPECT_THAT(error_of([] { Repository::parse("ftp://x/y"); }), HasSubstr("unsupported URL scheme 'ftp'"));
  EXPECT_THAT(error_of([] { Repository::parse("http://x main community"); }), HasSubstr("components are not supported"));
  EXPECT_THAT(error_of([] { Repository::parse("file://relative"); }), HasSubstr("absolute path"));
  auto repo = Repository::parse("/srv/repo");
  EXPECT_THAT(error_of([&] { repo.index_location("../etc"); }), HasSubstr("invalid architecture"));
  EXPECT_THAT(error_of([&] { repo.package_location("x86_64", named("../../etc/passwd", "1")); }),
              HasSubstr("cannot be a file name"));
}

TEST(Repository, ParsesARepositoriesFile) {
  auto list = Repository::parse_list(
      "# main repositories\n/srv/main\n\n  # indented comment\n@testing https://example.org/testing\n",
      "/etc/apk/repositories");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].location(), "/srv/main");
  EXPECT_EQ(list[1].tag(), "testing");
  EXPECT_EQ(error_of([] { Repository::parse_list("/ok\nv3 /bad\n", "repos"); }),
            "repos:2: repository line 'v3 /bad': the v3 repository format is not supported (only v2 APKINDEX.tar.gz)");
}

class LocalRepository : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"alpha", "beta"}) files.push_back(test::make_package(root() / "x86_64", test::PackageSpec(name)));
    IndexBuildOptions options;
    options.output = root() / "x86_64/APKINDEX.tar.gz";
    options.keyring = &keyring;
    options.signer = test::signer_for("test");
    options.description = "local test";
    build_index(files, options);
  }
  std::filesystem::path root() const { return dir.path() / "repo"; }

  TempDir dir;
  apk::Keyring keyring = test::test_keyring(dir.path() / "keys");
  std::vector<std::filesystem::path> files;
  FetchOptions fetch;
};

TEST_F(LocalRepository, LoadsVerifiesAndFetches) {
  for (const std::string& line : {root().string(), "@mine file://" + root().string()}) {
    SCOPED_TRACE(line);
    auto repo = Repository::parse(line);
    LoadedIndex index = load_index(repo, "x86_64", keyring, false, fetch);
    EXPECT_EQ(index.arch, "x86_64");
    EXPECT_EQ(index.description, "local test");
    EXPECT_EQ(index.source, FetchSource::local);
    EXPECT_EQ(index.signature.status, apk::SignatureStatus::verified);
    ASSERT_EQ(index.records.size(), 2u);
    std::string bytes = fetch_package(repo, index.arch, index.records[1], fetch);
    EXPECT_EQ(bytes, read_file(files[1]));
    apk::Package package = apk::Package::parse(bytes, "beta");
    EXPECT_NO_THROW(check_package_matches(package, index.records[1]));
    EXPECT_THAT(error_of([&] { check_package_matches(package, index.records[0]); }),
                HasSubstr("is beta-1.0-r0, but the index lists alpha-1.0-r0"));
  }
}

TEST_F(LocalRepository, RefusesMissingUntrustedAndChangedFiles) {
  auto repo = Repository::parse(root().string());
  try {
    load_index(repo, "aarch64", keyring, false, fetch);
    FAIL();
  } catch (const FetchError& e) {
    EXPECT_EQ(e.kind(), FetchErrorKind::not_found);
    EXPECT_EQ(std::string(e.what()), (root() / "aarch64/APKINDEX.tar.gz").string() + ": not found");
  }
  EXPECT_THAT(error_of([&] { load_index(repo, "x86_64", apk::Keyring(), false, fetch); }),
              HasSubstr("UNTRUSTED signature"));
  EXPECT_EQ(load_index(repo, "x86_64", apk::Keyring(), true, fetch).signature.status,
            apk::SignatureStatus::untrusted);

  LoadedIndex index = load_index(repo, "x86_64", keyring, false, fetch);
  // A package rebuilt after indexing: a different size is caught on fetch...
  test::make_package(root() / "x86_64", test::PackageSpec("alpha").with_content("rebuilt with more bytes\n"));
  EXPECT_THAT(error_of([&] { fetch_package(repo, "x86_64", index.records[0], fetch); }),
              HasSubstr("but the index says"));
  // ...and other contents of the same size by the identity check (simulated: the record of another build).
  std::string bytes = read_file(files[1]);
  apk::Package package = apk::Package::parse(bytes, "beta");
  IndexRecord other_build = index.records[1];
  other_build.identity = index.records[0].identity;
  EXPECT_THAT(error_of([&] { check_package_matches(package, other_build); }),
              HasSubstr("differs from the index's C:"));
  // A tampered index.
  std::string index_bytes = read_file(root() / "x86_64/APKINDEX.tar.gz");
  index_bytes[index_bytes.size() - 30] ^= 1;
  write_file_atomic(root() / "x86_64/APKINDEX.tar.gz", index_bytes);
  EXPECT_THROW(load_index(repo, "x86_64", keyring, false, fetch), Error);
}

}  // namespace
}  // namespace lupine::index
