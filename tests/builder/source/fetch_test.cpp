#include "builder/source/fetch.h"

#include "builder/source/archive_maker.h"
#include "common/encoding.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/process.h"
#include "support/interrupted_child.h"
#include "support/nginx.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <csignal>

namespace fs = std::filesystem;
using namespace lupine::builder;
using lupine::testing::ArchiveEntrySpec;
using lupine::testing::list_tree;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

namespace {

std::string sha512_hex(std::string_view data) { return lupine::hex_encode(lupine::digest(lupine::HashAlgorithm::sha512, data)); }

class FetchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(served_);
    fs::create_directories(workspace_);
    lupine::testing::write_archive(served_ / "pkg-1.0.tar.gz",
                                   {ArchiveEntrySpec::dir("pkg-1.0/"), ArchiveEntrySpec::file("pkg-1.0/README", "hello\n"),
                                    ArchiveEntrySpec::file("pkg-1.0/src/a.c", "int a;\n")});
    archive_bytes_ = lupine::read_file(served_ / "pkg-1.0.tar.gz");
    options_.cache_dir = cache_;
    options_.backoff_ms = 10;
  }

  FetchRequest request(const std::string& uri) {
    FetchRequest request;
    request.uri = uri;
    request.expected_sha256 = lupine::sha256_hex(archive_bytes_);
    request.retry_limit = 2;
    return request;
  }
  std::string file_uri(const std::string& name) { return "file://" + (served_ / name).string(); }
  // Entries in the cache other than finished `sha256:`/`sha512:` files (temp files, leftovers).
  std::vector<std::string> cache_leftovers() {
    std::vector<std::string> out;
    for (const auto& name : list_tree(cache_))
      if (!name.starts_with("sha256:") && !name.starts_with("sha512:")) out.push_back(name);
    return out;
  }

  lupine::TempDir dir_{"lupine-fetch-test"};
  fs::path served_ = dir_.path() / "served";
  fs::path workspace_ = dir_.path() / "ws";
  fs::path cache_ = dir_.path() / "cache";
  std::string archive_bytes_;
  FetchOptions options_;
};

TEST_F(FetchTest, FileUriGoodChecksumExtractsKeepsAndCaches) {
  auto result = fetch_into_workspace(request(file_uri("pkg-1.0.tar.gz")), workspace_, options_);
  EXPECT_FALSE(result.source.cache_hit);
  EXPECT_THAT(list_tree(workspace_), ElementsAre("README", "pkg-1.0.tar.gz", "src/", "src/a.c"));
  EXPECT_EQ(lupine::read_file(workspace_ / "README"), "hello\n");
  EXPECT_EQ(lupine::read_file(workspace_ / "pkg-1.0.tar.gz"), archive_bytes_);
  EXPECT_EQ(lupine::read_file(cache_ / ("sha256:" + lupine::sha256_hex(archive_bytes_))), archive_bytes_);
  EXPECT_THAT(cache_leftovers(), IsEmpty());
}

TEST_F(FetchTest, BadChecksumLeavesNothingAndNamesBothDigests) {
  FetchRequest bad = request(file_uri("pkg-1.0.tar.gz"));
  bad.expected_sha256 = std::string(64, 'a');
  try {
    fetch_into_workspace(bad, workspace_, options_);
    FAIL() << "no error";
  } catch (const SourceError& error) {
    EXPECT_EQ(error.kind(), SourceErrorKind::checksum_mismatch);
    EXPECT_THAT(error.what(), HasSubstr("expected sha256 " + std::string(64, 'a')));
    EXPECT_THAT(error.what(), HasSubstr("got " + lupine::sha256_hex(archive_bytes_)));
  }
  EXPECT_THAT(list_tree(workspace_), IsEmpty());
  EXPECT_THAT(list_tree(cache_), IsEmpty());
}

TEST_F(FetchTest, Sha512IsVerifiedAndKeysTheCache) {
  FetchRequest req = request(file_uri("pkg-1.0.tar.gz"));
  req.expected_sha256.clear();
  req.expected_sha512 = sha512_hex(archive_bytes_);
  fetch_into_workspace(req, workspace_, options_);
  EXPECT_TRUE(fs::exists(cache_ / ("sha512:" + req.expected_sha512)));
  req.expected_sha512[0] = req.expected_sha512[0] == '0' ? '1' : '0';
  try {
    fetch_to_cache(req, options_);
    FAIL() << "no error";
  } catch (const SourceError& error) {
    EXPECT_EQ(error.kind(), SourceErrorKind::checksum_mismatch);
    EXPECT_THAT(error.what(), HasSubstr("expected sha512"));
  }
}

TEST_F(FetchTest, MissingFileIsNotFound) {
  try {
    fetch_to_cache(request(file_uri("nope.tar.gz")), options_);
    FAIL() << "no error";
  } catch (const SourceError& error) {
    EXPECT_EQ(error.kind(), SourceErrorKind::not_found);
  }
  EXPECT_THAT(cache_leftovers(), IsEmpty());
}

TEST_F(FetchTest, ExtractFalseDeleteTrueDirectoryAndWorkingDirectory) {
  FetchRequest keep = request(file_uri("pkg-1.0.tar.gz"));
  keep.extract = false;
  keep.working_directory = "/home/build/sub";
  fetch_into_workspace(keep, workspace_, options_);
  EXPECT_THAT(list_tree(workspace_), ElementsAre("sub/", "sub/pkg-1.0.tar.gz"));

  FetchRequest drop = request(file_uri("pkg-1.0.tar.gz"));
  drop.delete_download = true;
  drop.working_directory = "sub";
  drop.directory = "src-dir";
  drop.strip_components = 0;
  auto result = fetch_into_workspace(drop, workspace_, options_);
  EXPECT_TRUE(result.source.cache_hit);
  EXPECT_FALSE(result.kept);
  EXPECT_TRUE(fs::exists(workspace_ / "sub/src-dir/pkg-1.0/README"));
}

TEST_F(FetchTest, PathsOutsideTheWorkspaceGoUnderTheGuestRootOrAreRefused) {
  FetchRequest req = request(file_uri("pkg-1.0.tar.gz"));
  req.working_directory = "/home/docker-library";
  try {
    fetch_into_workspace(req, workspace_, options_);
    FAIL() << "no error";
  } catch (const SourceError& error) {
    EXPECT_EQ(error.kind(), SourceErrorKind::invalid_request);
    EXPECT_THAT(error.what(), HasSubstr("/home/docker-library is outside the workspace"));
  }
  EXPECT_THAT(list_tree(cache_), IsEmpty());  // refused before downloading

  FetchOptions with_guest = options_;
  with_guest.guest_root = dir_.path() / "guest";
  fetch_into_workspace(req, workspace_, with_guest);
  EXPECT_EQ(lupine::read_file(dir_.path() / "guest/home/docker-library/README"), "hello\n");
  EXPECT_TRUE(fs::exists(dir_.path() / "guest/home/docker-library/pkg-1.0.tar.gz"));
  EXPECT_THAT(list_tree(workspace_), IsEmpty());

  auto placed = place_path(workspace_, {}, "sub", "../x/./y", "t");
  EXPECT_EQ(placed.guest_path, "/home/build/x/y");
  EXPECT_EQ(placed.path, workspace_ / "x/y");
  EXPECT_THROW(place_path(workspace_, {}, "", "../../etc", "t"), SourceError);
  fs::create_directory_symlink("/etc", workspace_ / "link");
  EXPECT_THROW(place_path(workspace_, {}, "link", ".", "t"), SourceError);
}

TEST_F(FetchTest, UnsafeArchiveIsRefusedWithNothingExtracted) {
  lupine::testing::write_archive(served_ / "evil.tar.gz", {ArchiveEntrySpec::file("pkg/ok", "ok\n"),
                                                           ArchiveEntrySpec::file("pkg/../../../../evil", "x\n")});
  FetchRequest req = request(file_uri("evil.tar.gz"));
  req.expected_sha256 = lupine::sha256_hex(lupine::read_file(served_ / "evil.tar.gz"));
  try {
    fetch_into_workspace(req, workspace_, options_);
    FAIL() << "no error";
  } catch (const SourceError& error) {
    EXPECT_EQ(error.kind(), SourceErrorKind::unsafe_archive);
    EXPECT_THAT(error.what(), HasSubstr("'..'"));
  }
  EXPECT_THAT(list_tree(workspace_), IsEmpty());

  lupine::testing::write_archive(served_ / "abs.tar.gz", {ArchiveEntrySpec::file("pkg/ok", "ok\n"),
                                                          ArchiveEntrySpec::file("/tmp/lupine-evil", "x\n")});
  req = request(file_uri("abs.tar.gz"));
  req.expected_sha256 = lupine::sha256_hex(lupine::read_file(served_ / "abs.tar.gz"));
  EXPECT_THROW(fetch_into_workspace(req, workspace_, options_), SourceError);
  EXPECT_THAT(list_tree(workspace_), IsEmpty());
  EXPECT_FALSE(fs::exists("/tmp/lupine-evil"));
}

TEST_F(FetchTest, DamagedCacheEntryIsFetchedAgain) {
  FetchRequest req = request(file_uri("pkg-1.0.tar.gz"));
  fs::create_directories(cache_);
  lupine::write_file_atomic(cache_ / ("sha256:" + req.expected_sha256), "corrupt");
  auto source = fetch_to_cache(req, options_);
  EXPECT_FALSE(source.cache_hit);
  EXPECT_EQ(lupine::read_file(source.file), archive_bytes_);
}

TEST_F(FetchTest, OfflineNeedsTheCache) {
  FetchOptions offline = options_;
  offline.offline = true;
  try {
    fetch_to_cache(request(file_uri("pkg-1.0.tar.gz")), offline);
    FAIL() << "no error";
  } catch (const SourceError& error) {
    EXPECT_EQ(error.kind(), SourceErrorKind::not_cached);
  }
  fetch_to_cache(request(file_uri("pkg-1.0.tar.gz")), options_);
  EXPECT_TRUE(fetch_to_cache(request(file_uri("pkg-1.0.tar.gz")), offline).cache_hit);
}

TEST_F(FetchTest, HttpGoodChecksumNotFoundAndCacheHitWithServerStopped) {
  LUPINE_NGINX_OR_SKIP();
  lupine::testing::NginxServer server(served_);
  FetchRequest req = request(server.url() + "/pkg-1.0.tar.gz");
  auto first = fetch_into_workspace(req, workspace_, options_);
  EXPECT_FALSE(first.source.cache_hit);
  EXPECT_EQ(lupine::read_file(workspace_ / "src/a.c"), "int a;\n");

  FetchRequest missing = request(server.url() + "/missing.tar.gz");
  missing.expected_sha256 = std::string(64, 'd');  // the archive's checksum would be a cache hit
  try {
    fetch_to_cache(missing, options_);
    FAIL() << "no error";
  } catch (const SourceError& error) {
    EXPECT_EQ(error.kind(), SourceErrorKind::not_found);
    EXPECT_THAT(error.what(), HasSubstr("404"));
  }

  server.stop();
  fs::path second_ws = dir_.path() / "ws2";
  fs::create_directories(second_ws);
  auto second = fetch_into_workspace(req, second_ws, options_);
  EXPECT_TRUE(second.source.cache_hit);
  EXPECT_EQ(lupine::read_file(second_ws / "README"), "hello\n");
  EXPECT_THAT(cache_leftovers(), IsEmpty());

  // Not cached and the server gone: a network error after the tries.
  FetchRequest other = request(req.uri);
  other.expected_sha256 = std::string(64, 'b');
  try {
    fetch_to_cache(other, options_);
    FAIL() << "no error";
  } catch (const SourceError& error) {
    EXPECT_EQ(error.kind(), SourceErrorKind::network);
  }
}

TEST_F(FetchTest, HttpBadChecksumAndServerErrorsAreRetried) {
  LUPINE_NGINX_OR_SKIP();
  lupine::testing::NginxOptions nginx_options;
  nginx_options.extra_server = "    location /broken { return 503; }\n";
  lupine::testing::NginxServer server(served_, nginx_options);
  FetchRequest bad = request(server.url() + "/pkg-1.0.tar.gz");
  bad.expected_sha256 = std::string(64, 'c');
  EXPECT_THROW(fetch_into_workspace(bad, workspace_, options_), SourceError);
  EXPECT_THAT(list_tree(workspace_), IsEmpty());
  EXPECT_THAT(list_tree(cache_), IsEmpty());

  FetchRequest broken = request(server.url() + "/broken/x.tar.gz");
  broken.retry_limit = 3;
  try {
    fetch_to_cache(broken, options_);
    FAIL() << "no error";
  } catch (const SourceError& error) {
    EXPECT_EQ(error.kind(), SourceErrorKind::http_status);
    EXPECT_THAT(error.what(), HasSubstr("503"));
    EXPECT_THAT(error.what(), HasSubstr("after 3 tries"));
  }
  std::string log = server.access_log();
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n') - 1, 3) << log;  // the bad-checksum download + 3 tries
}

TEST_F(FetchTest, RequestFromInputsAppliesDefaultsAndValidates) {
  std::string sha = std::string(64, 'A');
  auto req = fetch_request_from_inputs({{"uri", "https://x.org/a-1.tar.xz"}, {"expected-sha256", sha}}, "/home/build/w");
  EXPECT_EQ(req.strip_components, 1);
  EXPECT_TRUE(req.extract);
  EXPECT_FALSE(req.delete_download);
  EXPECT_EQ(req.directory, ".");
  EXPECT_EQ(req.working_directory, "/home/build/w");
  EXPECT_EQ(req.timeout_s, 5);
  EXPECT_EQ(req.retry_limit, 5);
  EXPECT_EQ(expected_checksum(req)->hex, std::string(64, 'a'));

  EXPECT_THROW(fetch_request_from_inputs({{"uri", "https://x.org/a"}}), SourceError);
  EXPECT_THROW(fetch_request_from_inputs({{"uri", "https://x.org/a"}, {"expected-sha256", "abc"}}), lupine::Error);
  EXPECT_THROW(fetch_request_from_inputs({{"uri", "https://x.org/a"}, {"expected-sha512", sha}}), lupine::Error);
  EXPECT_THROW(fetch_request_from_inputs({{"uri", "u"}, {"expected-none", "y"}, {"extract", "yes"}}), SourceError);
  EXPECT_NO_THROW(fetch_request_from_inputs({{"uri", "u"}, {"expected-none", "y"}}, "/home/elsewhere"));  // placed later
  EXPECT_NO_THROW(fetch_request_from_inputs({{"uri", "u"}, {"expected-none", "y"}, {"strip-components", "0"}}));
}

TEST_F(FetchTest, DownloadNameAndWorkspacePaths) {
  EXPECT_EQ(download_name("https://x.org/dl/pkg-1.0.tar.gz?raw=1#top"), "pkg-1.0.tar.gz");
  EXPECT_EQ(download_name("https://x.org/"), "download");
  EXPECT_EQ(workspace_relative("/home/build", "t"), "");
  EXPECT_EQ(workspace_relative("/home/build/a/./b/", "t"), "a/b");
  EXPECT_EQ(workspace_relative(".", "t"), "");
  EXPECT_THROW(workspace_relative("../x", "t"), SourceError);
  EXPECT_THROW(workspace_relative("/home/builder", "t"), SourceError);
}

// An interrupt while a download waits on a server that never answers stops it at once (under an
// InterruptGuard, as in a build, the signal only sets a flag), leaving nothing in the cache.
TEST_F(FetchTest, AnInterruptStopsAStalledDownload) {
  lupine::testing::SilentListener silent;
  FetchRequest req = request("http://127.0.0.1:" + std::to_string(silent.port()) + "/pkg-1.0.tar.gz");
  req.timeout_s = 60;
  auto child = lupine::testing::run_and_interrupt(
      [&] {
        try {
          fetch_to_cache(req, options_);
          return 2;
        } catch (const lupine::Interrupted& interrupted) {
          return interrupted.signal() == SIGTERM ? 42 : 3;
        }
      },
      std::chrono::milliseconds(300));  // into the download
  ASSERT_TRUE(WIFEXITED(child.status)) << "signal " << WTERMSIG(child.status);
  EXPECT_EQ(WEXITSTATUS(child.status), 42);
  EXPECT_LT(child.after_signal, std::chrono::seconds(5));  // not the 60 s stall timeout
  EXPECT_THAT(cache_leftovers(), IsEmpty());
}

TEST_F(FetchTest, UnsupportedSchemeIsInvalid) {
  FetchRequest req = request("ftp://127.0.0.1/x.tar.gz");
  try {
    fetch_to_cache(req, options_);
    FAIL() << "no error";
  } catch (const SourceError& error) {
    EXPECT_EQ(error.kind(), SourceErrorKind::invalid_request);
  }
}

}  // namespace

// An unreachable host (nothing listens on the discard port) is not a transient failure: no retries,
// no backoff, so a caller's fallback (debian_source.h) starts at once.
TEST_F(FetchTest, RefusedConnectionFailsAtOnce) {
  FetchRequest req = request("http://127.0.0.1:9/pkg-1.0.tar.gz");
  req.retry_limit = 5;
  options_.backoff_ms = 5000;
  auto started = std::chrono::steady_clock::now();
  try {
    fetch_to_cache(req, options_);
    FAIL() << "no error";
  } catch (const SourceError& error) {
    EXPECT_EQ(error.kind(), SourceErrorKind::network);
    EXPECT_THAT(error.what(), ::testing::Not(HasSubstr(" tries)")));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));  // retries would wait 75 s
  EXPECT_THAT(list_tree(cache_), IsEmpty());
}
