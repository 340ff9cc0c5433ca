// Debian source fallback (builder/debian_source.h): deriving the private deb-src configuration,
// taking only a checksum-matching file into the cache, the fallback's wiring into fetch_to_cache,
// and a real fetch of GNU hello 2.10 from Debian's archive with its upstream unreachable.
#include "builder/source/debian_source.h"

#include "builder/source/fetch.h"
#include "common/encoding.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/process.h"
#include "support/fixtures.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

namespace fs = std::filesystem;
using namespace lupine::builder;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::MatchesRegex;

namespace {

constexpr const char* kHostSources = R"(Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main contrib
Architectures: amd64
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb deb-src
URIs: http://example.org/both
Suites: stable
Components: main
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mQINBFake
 -----END PGP PUBLIC KEY BLOCK-----

Enabled: no
Types: deb
URIs: http://example.org/disabled
Suites: stable
Components: main

Types: deb-binary-only-typo
URIs: http://example.org/other
Suites: stable
Components: main
)";

TEST(DebianSourceConfig, Deb822StanzasBecomeDebSrcKeepingWhereAndWhoSigns) {
  std::string out = deb_src_from_deb822(kHostSources);
  EXPECT_EQ(out,
            "Types: deb-src\n"
            "URIs: http://deb.debian.org/debian\n"
            "Suites: bookworm bookworm-updates\n"
            "Components: main\n"
            "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
            "\n"
            "Types: deb-src\n"
            "URIs: http://deb.debian.org/debian-security\n"
            "Suites: bookworm-security\n"
            "Components: main contrib\n"
            "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
            "\n"
            "Types: deb-src\n"
            "URIs: http://example.org/both\n"
            "Suites: stable\n"
            "Components: main\n"
            "Signed-By:\n"
            " -----BEGIN PGP PUBLIC KEY BLOCK-----\n"
            " .\n"
            " mQINBFake\n"
            " -----END PGP PUBLIC KEY BLOCK-----\n");
}

TEST(DebianSourceConfig, OneLineEntriesBecomeDebSrcWithoutBinaryOptions) {
  std::string out = deb_src_from_one_line(
      "# comment\n"
      "deb http://deb.debian.org/debian bookworm main contrib\n"
      "deb-src http://deb.debian.org/debian bookworm main contrib\n"  // same as the converted line
      "deb [arch=amd64 signed-by=/usr/share/keyrings/x.gpg] http://example.org/x stable main # trailing\n"
      "deb [ arch=amd64 ] http://example.org/y stable main\n"
      "deb http://example.org/flat ./\n"
      "rpm http://example.org/z stable main\n"
      "deb http://example.org/incomplete\n");
  EXPECT_EQ(out,
            "deb-src http://deb.debian.org/debian bookworm main contrib\n"
            "deb-src [signed-by=/usr/share/keyrings/x.gpg] http://example.org/x stable main\n"
            "deb-src http://example.org/y stable main\n"
            "deb-src http://example.org/flat ./\n");
}

TEST(DebianSourceConfig, DerivedFromAnAptDirectorySkippingFilesAptIgnores) {
  lupine::TempDir dir("lupine-debsrc-test");
  fs::create_directories(dir.path() / "sources.list.d");
  lupine::write_file_atomic(dir.path() / "sources.list", "deb http://deb.debian.org/debian bookworm main\n");
  lupine::write_file_atomic(dir.path() / "sources.list.d" / "debian.sources", kHostSources);
  lupine::write_file_atomic(dir.path() / "sources.list.d" / "extra.list", "deb http://deb.debian.org/debian bookworm main\n");
  lupine::write_file_atomic(dir.path() / "sources.list.d" / "google.list.disabled-by-farm", "deb http://google/ x main\n");
  lupine::write_file_atomic(dir.path() / "sources.list.d" / "node.sources.disabled", "Types: deb\nURIs: http://node/\n");
  DebSrcConfig config = derive_deb_src_config(dir.path());
  EXPECT_EQ(config.one_line, "deb-src http://deb.debian.org/debian bookworm main\n");  // once, though listed twice
  EXPECT_THAT(config.deb822, AllOf(HasSubstr("URIs: http://deb.debian.org/debian\n"), HasSubstr("example.org/both"),
                                   Not(HasSubstr("Types: deb\n")), Not(HasSubstr("node")), Not(HasSubstr("disabled"))));

  lupine::TempDir empty("lupine-debsrc-empty");
  EXPECT_TRUE(derive_deb_src_config(empty.path()).empty());
}

TEST(DebianSourceConfig, ShowsrcAndNameMapParse) {
  auto versions = parse_showsrc(
      "Package: hello\n"
      "Binary: hello\n"
      "Version: 2.10-3\n"
      "Files:\n"
      " 1a2b 1721 hello_2.10-3.dsc\n"
      "Checksums-Sha256:\n"
      " 75296F5EF618AE2F 1721 hello_2.10-3.dsc\n"
      " 31e066137a962676 725946 hello_2.10.orig.tar.gz\n"
      "\n"
      "Package: hello\n"
      "Version: 2.10-2\n");
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].version, "2.10-3");
  ASSERT_EQ(versions[0].sha256_files.size(), 2u);
  EXPECT_EQ(versions[0].sha256_files[0].first, "75296f5ef618ae2f");
  EXPECT_EQ(versions[0].sha256_files[1].second, "hello_2.10.orig.tar.gz");
  EXPECT_TRUE(versions[1].sha256_files.empty());

  lupine::TempDir dir("lupine-debsrc-map");
  lupine::write_file_atomic(dir.path() / "map.yaml", "# comment\nxz: xz-utils\nmake: make-dfsg\n");
  auto map = read_debian_source_map(dir.path() / "map.yaml");
  EXPECT_EQ(map.at("xz"), "xz-utils");
  EXPECT_EQ(map.size(), 2u);
  lupine::write_file_atomic(dir.path() / "bad.yaml", "- xz\n");
  EXPECT_THROW(read_debian_source_map(dir.path() / "bad.yaml"), lupine::Error);

  // Beside a recipe: .debian-sources.yaml when present, else the package's own name.
  fs::path recipe = dir.path() / "xz.yaml";
  EXPECT_EQ(debian_source_package(recipe, "xz"), "xz");
  lupine::write_file_atomic(dir.path() / ".debian-sources.yaml", "xz: xz-utils\n");
  EXPECT_EQ(debian_source_package(recipe, "xz"), "xz-utils");
  EXPECT_EQ(debian_source_package(recipe, "sed"), "sed");
  EXPECT_EQ(debian_source_package(recipe, "make", dir.path() / "map.yaml"), "make-dfsg");
  EXPECT_THROW(debian_source_package(recipe, "xz", dir.path() / "missing.yaml"), lupine::Error);
}

class DebianMatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(downloads_);
    fs::create_directories(cache_dir_);
  }
  void put(const std::string& name, const std::string& content) { lupine::write_file_atomic(downloads_ / name, content); }
  static Checksum sha256_of(std::string_view content) {
    return make_checksum(lupine::HashAlgorithm::sha256, lupine::sha256_hex(content), "test");
  }
  std::vector<std::string> cache_entries() {
    std::vector<std::string> out;
    for (const auto& entry : fs::directory_iterator(cache_dir_)) out.push_back(entry.path().filename().string());
    return out;
  }

  lupine::TempDir dir_{"lupine-debsrc-match"};
  fs::path downloads_ = dir_.path() / "downloads";
  fs::path cache_dir_ = dir_.path() / "cache";
  SourceCache cache_{cache_dir_};
};

TEST_F(DebianMatchTest, TheMatchingFileIsCached) {
  put("hello_2.10-3.dsc", "dsc\n");
  put("hello_2.10.orig.tar.gz", "upstream bytes\n");
  put("hello_2.10-3.debian.tar.xz", "debian bytes\n");
  Checksum expected = sha256_of("upstream bytes\n");
  std::string sha512 = lupine::hex_encode(lupine::digest(lupine::HashAlgorithm::sha512, "upstream bytes\n"));
  EXPECT_EQ(cache_matching_file(downloads_, {expected, make_checksum(lupine::HashAlgorithm::sha512, sha512, "t")}, cache_, "test"),
            "hello_2.10.orig.tar.gz");
  EXPECT_THAT(cache_entries(), ::testing::ElementsAre(expected.key()));
  EXPECT_EQ(lupine::read_file(cache_.entry_path(expected)), "upstream bytes\n");
}

TEST_F(DebianMatchTest, Sha512AloneMatchesToo) {
  put("x.orig.tar.xz", "payload");
  Checksum expected = make_checksum(lupine::HashAlgorithm::sha512,
                                    lupine::hex_encode(lupine::digest(lupine::HashAlgorithm::sha512, "payload")), "t");
  EXPECT_EQ(cache_matching_file(downloads_, {expected}, cache_, "test"), "x.orig.tar.xz");
  EXPECT_TRUE(cache_.lookup(expected));
}

TEST_F(DebianMatchTest, NoMatchNamesEveryFileAndItsDigestAndCachesNothing) {
  // The expected upstream name, but Debian's (repacked) bytes: never cached.
  put("hello-2.10.tar.gz", "repacked by debian\n");
  put("hello_2.10-3.dsc", "dsc\n");
  fs::create_directories(downloads_ / "subdir");
  fs::create_symlink("/etc/hostname", downloads_ / "link");
  Checksum expected = sha256_of("the real upstream tarball\n");
  try {
    cache_matching_file(downloads_, {expected}, cache_, "Debian source package hello 2.10-3");
    FAIL() << "no error";
  } catch (const SourceError& error) {
    EXPECT_EQ(error.kind(), SourceErrorKind::checksum_mismatch);
    EXPECT_THAT(error.what(), AllOf(HasSubstr("Debian source package hello 2.10-3"), HasSubstr(expected.hex),
                                    HasSubstr("hello-2.10.tar.gz sha256 " + lupine::sha256_hex("repacked by debian\n")),
                                    HasSubstr("hello_2.10-3.dsc sha256 " + lupine::sha256_hex("dsc\n")),
                                    Not(HasSubstr("subdir")), Not(HasSubstr("link"))));
  }
  EXPECT_TRUE(cache_entries().empty());
}

TEST_F(DebianMatchTest, BothChecksumsMustHold) {
  put("a.tar.gz", "content");
  Checksum sha256 = sha256_of("content");
  Checksum wrong512 = make_checksum(lupine::HashAlgorithm::sha512, std::string(128, 'a'), "t");
  EXPECT_THROW(cache_matching_file(downloads_, {sha256, wrong512}, cache_, "test"), SourceError);
  EXPECT_TRUE(cache_entries().empty());
}

// fetch_to_cache's side: which failures reach the fallback, what it logs, what it may return.
class FallbackWiringTest : public ::testing::Test {
 protected:
  FetchRequest unreachable() {
    FetchRequest request;
    request.uri = "http://127.0.0.1:9/pkg-1.0.tar.gz";  // discard port: nothing listens
    request.expected_sha256 = lupine::sha256_hex(content_);
    request.retry_limit = 5;
    return request;
  }
  lupine::TempDir dir_{"lupine-debsrc-wiring"};
  std::string content_ = "archive bytes";
  std::string log_;
  FetchOptions options() {
    FetchOptions options;
    options.cache_dir = dir_.path() / "cache";
    options.backoff_ms = 20000;  // would take > 5 minutes if the refused connection were retried
    options.log = [this](const std::string& line) { log_ += line + "\n"; };
    return options;
  }
};

TEST_F(FallbackWiringTest, RefusedConnectionGoesStraightToTheFallback) {
  FetchOptions opts = options();
  int calls = 0;
  opts.fallback = SourceFallback{"test mirror", [&](const FetchRequest&, const std::vector<Checksum>& expected,
                                                    const SourceCache& cache, const FetchOptions&) {
                                   ++calls;
                                   fs::path entry = cache.entry_path(expected.front());
                                   lupine::write_file_atomic(entry, content_);
                                   return std::string("test mirror: pool/pkg-1.0.tar.gz");
                                 }};
  auto started = std::chrono::steady_clock::now();
  CachedSource result = fetch_to_cache(unreachable(), opts);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(15));  // a retry would wait 20 s first
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(result.origin, "test mirror: pool/pkg-1.0.tar.gz");  // what the fallback said
  EXPECT_FALSE(result.cache_hit);
  EXPECT_EQ(lupine::read_file(result.file), content_);
  EXPECT_THAT(log_, HasSubstr("fetch: upstream unreachable: http://127.0.0.1:9/pkg-1.0.tar.gz"));
  EXPECT_THAT(log_, HasSubstr("; trying test mirror"));
  EXPECT_THAT(log_, Not(HasSubstr("retrying")));
  // Now a cache hit: the fallback is not asked again, and the cache remembers where the bytes came from.
  CachedSource hit = fetch_to_cache(unreachable(), opts);
  EXPECT_TRUE(hit.cache_hit);
  EXPECT_EQ(hit.origin, "test mirror: pool/pkg-1.0.tar.gz");
  EXPECT_EQ(calls, 1);
}

TEST_F(FallbackWiringTest, FallbackFailureOrWrongContentNamesBothAndCachesNothing) {
  FetchOptions opts = options();
  opts.fallback = SourceFallback{"test mirror", [&](const FetchRequest&, const std::vector<Checksum>&,
                                                    const SourceCache&, const FetchOptions&) -> std::string {
                                   throw SourceError(SourceErrorKind::checksum_mismatch, "no file matches");
                                 }};
  try {
    fetch_to_cache(unreachable(), opts);
    FAIL() << "no error";
  } catch (const SourceError& error) {
    EXPECT_EQ(error.kind(), SourceErrorKind::network);
    EXPECT_THAT(error.what(), AllOf(HasSubstr("127.0.0.1:9"), HasSubstr("test mirror: no file matches")));
  }
  // A fallback that (wrongly) writes other bytes under the key: refused by the re-check.
  opts.fallback->fetch = [&](const FetchRequest&, const std::vector<Checksum>& expected, const SourceCache& cache,
                             const FetchOptions&) {
    fs::path entry = cache.entry_path(expected.front());
    lupine::write_file_atomic(entry, "other bytes");
    return std::string();
  };
  EXPECT_THROW(fetch_to_cache(unreachable(), opts), SourceError);
  EXPECT_FALSE(fs::exists(SourceCache(opts.cache_dir).entry_path(*expected_checksum(unreachable()))));
}

TEST_F(FallbackWiringTest, NotFoundIsNoReasonForTheFallback) {
  FetchOptions opts = options();
  opts.fallback = SourceFallback{"test mirror", [&](const FetchRequest&, const std::vector<Checksum>&,
                                                    const SourceCache&, const FetchOptions&) -> std::string {
                                   ADD_FAILURE() << "fallback called";
                                   return {};
                                 }};
  FetchRequest request = unreachable();
  request.uri = "file://" + (dir_.path() / "missing.tar.gz").string();
  try {
    fetch_to_cache(request, opts);
    FAIL() << "no error";
  } catch (const SourceError& error) {
    EXPECT_EQ(error.kind(), SourceErrorKind::not_found);
  }
}

TEST(DebianSourceFetcher, WithoutAptThereIsNoFallbackAndTheErrorSaysSo) {
  lupine::TempDir dir("lupine-debsrc-noapt");
  DebianSourceOptions options;
  options.apt_get = "lupine-no-such-apt-get";
  auto fetcher = std::make_shared<DebianSourceFetcher>(options);
  FetchOptions fetch_options;
  fetch_options.cache_dir = dir.path() / "cache";
  fetch_options.fallback = debian_source_fallback(fetcher, "hello");
  FetchRequest request;
  request.uri = "http://127.0.0.1:9/hello-2.10.tar.gz";
  request.expected_sha256 = "31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b";
  try {
    fetch_to_cache(request, fetch_options);
    FAIL() << "no error";
  } catch (const SourceError& error) {
    EXPECT_EQ(error.kind(), SourceErrorKind::network);
    EXPECT_THAT(error.what(), AllOf(HasSubstr("127.0.0.1:9"), HasSubstr("Debian source package hello"),
                                    HasSubstr("not installed"), HasSubstr("no Debian fallback")));
  }
}

TEST(DebianSourceFetcher, AnUnreachableArchiveFailsTheUpdateAndSaysSo) {
  LUPINE_PROGRAM_OR_SKIP("apt-get");
  lupine::TempDir dir("lupine-debsrc-noarchive");
  fs::create_directories(dir.path() / "etc-apt");
  lupine::write_file_atomic(dir.path() / "etc-apt" / "sources.list", "deb http://127.0.0.1:9/debian bookworm main\n");
  DebianSourceOptions options;
  options.etc_apt = dir.path() / "etc-apt";
  DebianSourceFetcher fetcher(options);
  try {
    fetcher.prepare(dir.path() / "apt");
    FAIL() << "no error";
  } catch (const SourceError& error) {
    EXPECT_EQ(error.kind(), SourceErrorKind::network);
    EXPECT_THAT(error.what(), HasSubstr("apt-get update failed"));
  }
  // The private configuration was written where it was asked for, from the given sources.
  EXPECT_EQ(lupine::read_file(dir.path() / "apt" / "sources.list"), "deb-src http://127.0.0.1:9/debian bookworm main\n");
}

// The real thing: Debian's archive through the host's apt sources, the upstream unreachable.
// Needs apt-get and a reachable Debian mirror (CI has both): skipped without them, but a failure
// under LUPINE_REQUIRE_FIXTURES=1.
TEST(DebianSourceIntegration, Hello210FromDebianWhenUpstreamIsUnreachable) {
  LUPINE_PROGRAM_OR_SKIP("apt-get");
  auto unavailable = [](const std::string& why) {
    if (lupine::testing::fixtures_required()) FAIL() << why << " (LUPINE_REQUIRE_FIXTURES=1)";
    GTEST_SKIP() << why;
  };
  lupine::TempDir dir("lupine-debsrc-hello");
  std::string log;
  DebianSourceOptions debian_options;
  auto fetcher = std::make_shared<DebianSourceFetcher>(debian_options);
  FetchOptions options;
  options.cache_dir = dir.path() / "cache";
  options.log = [&](const std::string& line) { log += line + "\n"; };
  try {
    fetcher->prepare(options.cache_dir / "debian-apt", options.log);
  } catch (const SourceError& error) {
    return unavailable(std::string("Debian's archive is not usable here: ") + error.what());
  }
  options.fallback = debian_source_fallback(fetcher, "hello");

  FetchRequest request;
  request.uri = "http://127.0.0.1:9/hello-2.10.tar.gz";
  request.expected_sha256 = "31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b";
  CachedSource source = fetch_to_cache(request, options);
  EXPECT_THAT(source.origin, MatchesRegex("Debian source package hello=2\\.10-[0-9]+: hello_2\\.10\\.orig\\.tar\\.gz"));
  EXPECT_EQ(source.file, options.cache_dir / ("sha256:" + request.expected_sha256));
  ASSERT_TRUE(fs::is_regular_file(source.file));
  EXPECT_EQ(lupine::sha256_hex(lupine::read_file(source.file)), request.expected_sha256);
  EXPECT_THAT(log, HasSubstr("fetch: upstream unreachable: http://127.0.0.1:9/hello-2.10.tar.gz"));
  EXPECT_THAT(log, HasSubstr("trying Debian source package hello"));
  EXPECT_THAT(log, HasSubstr("hello_2.10.orig.tar.gz"));
  // Only the matching file entered the cache (besides apt's private state and where it came from).
  for (const auto& entry : fs::directory_iterator(options.cache_dir)) {
    std::string name = entry.path().filename().string();
    EXPECT_TRUE(name == "debian-apt" || name == "origins" || name == "sha256:" + request.expected_sha256) << name;
  }
  // The host's apt configuration was only read: the private one lives under the cache.
  EXPECT_TRUE(fs::exists(options.cache_dir / "debian-apt" / "sources.list.d" / "lupine-deb-src.sources") ||
              fs::exists(options.cache_dir / "debian-apt" / "sources.list"));

  // A checksum no Debian file has: an error naming Debian's files, nothing cached.
  FetchRequest wrong = request;
  wrong.expected_sha256 = std::string(64, 'e');
  try {
    fetch_to_cache(wrong, options);
    FAIL() << "no error";
  } catch (const SourceError& error) {
    EXPECT_THAT(error.what(), AllOf(HasSubstr("hello_2.10.orig.tar.gz"), HasSubstr(request.expected_sha256),
                                    HasSubstr(wrong.expected_sha256)));
  }
  EXPECT_FALSE(fs::exists(options.cache_dir / ("sha256:" + wrong.expected_sha256)));
}

}  // namespace
