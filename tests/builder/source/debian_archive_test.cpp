// Sources found by checksum in Debian's Sources indexes: the index parser, xz, and the fallback
// against a small mirror served by nginx on 127.0.0.1 (the bytes verified, never the index trusted).
#include "builder/source/debian_archive.h"

#include "common/error.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/process.h"
#include "support/nginx.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

namespace lupine::builder {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string stanza(const std::string& package, const std::string& version, const std::string& directory,
                   const std::vector<std::pair<std::string, std::string>>& files) {
  std::string text = "Package: " + package + "\nBinary: " + package + "\nVersion: " + version +
                     "\nChecksums-Sha1:\n 0000000000000000000000000000000000000000 1 ignored.dsc\n"
                     "Checksums-Sha256:\n";
  for (const auto& [name, content] : files)
    text += " " + sha256_hex(content) + " " + std::to_string(content.size()) + " " + name + "\n";
  return text + "Directory: " + directory + "\nPriority: optional\n";
}

std::string xz(const fs::path& dir, const std::string& text) {
  write_file_atomic(dir / "plain", text);
  ProcessOptions options;
  options.argv = {"xz", "-c", (dir / "plain").string()};
  auto compressed = run_process(options);
  if (!compressed.success()) throw Error("xz failed: " + compressed.err);
  return compressed.out;
}

TEST(DebianSourcesIndex, EveryFileOfEveryStanza) {
  std::string text = stanza("hello", "2.10-3", "pool/main/h/hello", {{"hello_2.10-3.dsc", "d"}, {"hello_2.10.orig.tar.gz", "o"}}) +
                     "\n" + stanza("zlib", "1:1.3.dfsg+really1.3.1-1", "pool/main/z/zlib", {{"zlib_1.3.orig.tar.gz", "z"}});
  auto files = parse_sources_index(text, "trixie", "Sources");
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[1].package, "hello");
  EXPECT_EQ(files[1].version, "2.10-3");
  EXPECT_EQ(files[1].path, "pool/main/h/hello/hello_2.10.orig.tar.gz");
  EXPECT_EQ(files[1].sha256_hex, sha256_hex("o"));
  EXPECT_EQ(files[1].size, 1u);
  EXPECT_EQ(files[1].suite, "trixie");
  EXPECT_EQ(files[2].version, "1:1.3.dfsg+really1.3.1-1");
  // Field names are case-insensitive (deb822); a broken checksum line is named by its line.
  EXPECT_EQ(parse_sources_index("package: a\ndirectory: pool/a\nchecksums-sha256:\n " + std::string(64, 'a') + " 3 a.tar\n",
                                "sid", "S")
                .size(),
            1u);
  try {
    parse_sources_index("Package: a\nDirectory: pool/a\nChecksums-Sha256:\n abc 3 a.tar\n", "sid", "Sources");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "Sources:4: expected \"<sha256> <size> <file name>\" in Checksums-Sha256");
  }
}

TEST(DebianSourcesIndex, XzRoundTripAndGarbage) {
  TempDir dir("lupine-xz");
  EXPECT_EQ(decompress_xz(xz(dir.path(), "hello\nworld\n"), "x"), "hello\nworld\n");
  EXPECT_THROW(decompress_xz("plain text, not xz\n", "plain.xz"), Error);
  std::string truncated = xz(dir.path(), std::string(100000, 'a') + "tail\n");
  truncated.resize(truncated.size() / 2);
  EXPECT_THROW(decompress_xz(truncated, "truncated.xz"), Error);
}

// A mirror with a Sources index for trixie only (bookworm's is missing: the lookup goes on).
class DebianArchiveFallback : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(mirror() / "dists/trixie/main/source");
    fs::create_directories(mirror() / "pool/main/h/hello");
    write_file_atomic(mirror() / "pool/main/h/hello/hello_2.10.orig.tar.gz", content_);
    write_file_atomic(mirror() / "pool/main/h/hello/tampered_2.10.orig.tar.gz", "other bytes");
    std::string index = stanza("hello", "2.10-3", "pool/main/h/hello", {{"hello_2.10.orig.tar.gz", content_}}) + "\n" +
                        // lists the sha256 of content_ for a file that holds other bytes
                        stanza("tampered", "1", "pool/main/h/hello", {{"tampered_2.10.orig.tar.gz", tampered_listed_}});
    write_file_atomic(mirror() / "dists/trixie/main/source/Sources.xz", xz(dir_.path(), index));
  }
  fs::path mirror() const { return dir_.path() / "mirror"; }
  std::shared_ptr<DebianArchive> archive(const std::string& url) {
    DebianArchiveOptions options;
    options.mirror = url;
    options.suites = {"bookworm", "trixie"};
    options.http.cache_dir = dir_.path() / "index-cache";
    options.http.backoff_ms = 10;
    return std::make_shared<DebianArchive>(options);
  }
  FetchRequest unreachable(const std::string& content) {
    FetchRequest request;
    request.uri = "http://127.0.0.1:9/hello-2.10.tar.gz";  // discard port: nothing listens
    request.expected_sha256 = sha256_hex(content);
    request.retry_limit = 1;
    return request;
  }
  FetchOptions options(std::shared_ptr<DebianArchive> archive) {
    FetchOptions options;
    options.cache_dir = dir_.path() / "cache";
    options.backoff_ms = 10;
    options.log = [this](const std::string& line) { log_ += line + "\n"; };
    options.fallback = debian_archive_fallback(std::move(archive));
    return options;
  }
  TempDir dir_{"lupine-debian-archive"};
  std::string content_ = "hello, upstream's own tarball\n";
  std::string tampered_listed_ = "what the index claims\n";
  std::string log_;
};

TEST_F(DebianArchiveFallback, UnreachableUpstreamComesFromTheSuiteListingItsChecksum) {
  LUPINE_NGINX_OR_SKIP();
  lupine::testing::NginxServer server(mirror());
  CachedSource source = fetch_to_cache(unreachable(content_), options(archive(server.url())));
  EXPECT_EQ(read_file(source.file), content_);
  EXPECT_EQ(source.origin, "Debian trixie (hello 2.10-3): pool/main/h/hello/hello_2.10.orig.tar.gz");
  EXPECT_THAT(log_, HasSubstr("found in Debian trixie (hello 2.10-3): pool/main/h/hello/hello_2.10.orig.tar.gz"));
  EXPECT_THAT(server.access_log(), HasSubstr("GET /dists/bookworm/main/source/Sources.xz"));  // tried first, 404
  EXPECT_THAT(server.access_log(), HasSubstr("GET /pool/main/h/hello/hello_2.10.orig.tar.gz"));
}

TEST_F(DebianArchiveFallback, BytesThatDoNotMatchAreRefusedAndNotCached) {
  LUPINE_NGINX_OR_SKIP();
  lupine::testing::NginxServer server(mirror());
  try {
    fetch_to_cache(unreachable(tampered_listed_), options(archive(server.url())));
    FAIL() << "the tampered file was accepted";
  } catch (const SourceError& error) {
    EXPECT_THAT(error.what(), HasSubstr(sha256_hex(tampered_listed_)));
  }
  EXPECT_FALSE(fs::exists(dir_.path() / "cache" / ("sha256:" + sha256_hex(tampered_listed_))));
}

TEST_F(DebianArchiveFallback, AChecksumNoSuiteListsIsNotFound) {
  LUPINE_NGINX_OR_SKIP();
  lupine::testing::NginxServer server(mirror());
  EXPECT_THROW(fetch_to_cache(unreachable("nobody has this\n"), options(archive(server.url()))), SourceError);
}

}  // namespace
}  // namespace lupine::builder
