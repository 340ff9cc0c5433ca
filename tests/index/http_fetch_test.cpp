// HTTP against a real nginx on 127.0.0.1 (tests/support/nginx.h): 200, 304 from the cache,
// the cache with the server stopped, 404, retries on 5xx, connection refused, timeouts, TLS
// failures; then a whole repository served over HTTP.
#include "index/http_fetch.h"

#include "apk/package.h"
#include "common/fs.h"
#include "common/process.h"
#include "index/index_builder.h"
#include "index/repository.h"
#include "support/interrupted_child.h"
#include "support/nginx.h"
#include "test_packages.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <regex>
#include <thread>

namespace lupine::index {
namespace {

using ::testing::HasSubstr;
using lupine::testing::NginxServer;

// How many `GET path` nginx logged with `status`. nginx logs a request just after answering it, so
// the count is polled (up to 2 s) until it reaches `expected`; more than expected shows too.
size_t count_requests(const NginxServer& server, const std::string& path, int status, size_t expected) {
  std::regex line("\"GET " + path + " HTTP/1\\.1\" " + std::to_string(status) + " ");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  for (;;) {
    std::string log = server.access_log();
    auto count = static_cast<size_t>(
        std::distance(std::sregex_iterator(log.begin(), log.end(), line), std::sregex_iterator()));
    if (count >= expected || std::chrono::steady_clock::now() > deadline) return count;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

FetchError fetch_error(const std::string& url, const FetchOptions& options) {
  try {
    http_get(url, options);
  } catch (const FetchError& e) {
    return e;
  }
  return FetchError(FetchErrorKind::other, 0, "(no error)");
}

class HttpFetch : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(www());
    write_file_atomic(www() / "hello.txt", "hello over http\n");
    options.cache_dir = dir.path() / "cache";
    options.backoff_ms = 10;
    options.stall_timeout_s = 2;
    options.connect_timeout_ms = 2000;
  }
  std::filesystem::path www() const { return dir.path() / "www"; }

  TempDir dir;
  FetchOptions options;
};

TEST_F(HttpFetch, GetThenNotModifiedFromTheCache) {
  LUPINE_NGINX_OR_SKIP();
  NginxServer server(www());
  std::string url = server.url() + "/hello.txt";
  FetchResult first = http_get(url, options);
  EXPECT_EQ(first.body, "hello over http\n");
  EXPECT_EQ(first.source, FetchSource::network);
  EXPECT_TRUE(std::filesystem::exists(cache_entry_path(options.cache_dir, url)));

  FetchResult second = http_get(url, options);
  EXPECT_EQ(second.body, "hello over http\n");
  EXPECT_EQ(second.source, FetchSource::not_modified);
  EXPECT_EQ(count_requests(server, "/hello.txt", 200, 1), 1u) << server.access_log();
  EXPECT_EQ(count_requests(server, "/hello.txt", 304, 1), 1u) << server.access_log();

  // A changed file (new ETag): fetched again and the cache updated.
  write_file_atomic(www() / "hello.txt", "changed, and longer than before\n");
  EXPECT_EQ(http_get(url, options).body, "changed, and longer than before\n");
  EXPECT_EQ(http_get(url, options).source, FetchSource::not_modified);

  // Without a cache directory every request is a plain GET.
  FetchOptions no_cache = options;
  no_cache.cache_dir.clear();
  EXPECT_EQ(http_get(url, no_cache).source, FetchSource::network);
}

TEST_F(HttpFetch, CachedCopyWhenTheServerIsStopped) {
  LUPINE_NGINX_OR_SKIP();
  NginxServer server(www());
  std::string url = server.url() + "/hello.txt";
  http_get(url, options);
  server.stop();
  FetchResult stale = http_get(url, options);
  EXPECT_EQ(stale.source, FetchSource::stale_cache);
  EXPECT_EQ(stale.body, "hello over http\n");
  EXPECT_EQ(stale.warning, url + ": connection refused; using the cached copy");
  FetchOptions strict = options;
  strict.use_stale_cache = false;
  EXPECT_EQ(fetch_error(url, strict).kind(), FetchErrorKind::connection);
}

TEST_F(HttpFetch, NotFoundIsNotRetriedNorServedFromCache) {
  LUPINE_NGINX_OR_SKIP();
  NginxServer server(www());
  std::string url = server.url() + "/missing.apk";
  FetchError error = fetch_error(url, options);
  EXPECT_EQ(error.kind(), FetchErrorKind::not_found);
  EXPECT_EQ(error.http_status(), 404);
  EXPECT_EQ(std::string(error.what()), url + ": not found (HTTP 404)");
  EXPECT_EQ(count_requests(server, "/missing.apk", 404, 1), 1u);
  // Gone after being cached: a definite answer, the stale copy is not used.
  std::string hello = server.url() + "/hello.txt";
  http_get(hello, options);
  std::filesystem::remove(www() / "hello.txt");
  EXPECT_EQ(fetch_error(hello, options).kind(), FetchErrorKind::not_found);
}

TEST_F(HttpFetch, ServerErrorsAreRetriedWithBackoff) {
  LUPINE_NGINX_OR_SKIP();
  lupine::testing::NginxOptions nginx;
  nginx.extra_server = "    location = /broken { return 503; }\n";
  NginxServer server(www(), nginx);
  std::string url = server.url() + "/broken";
  options.attempts = 3;
  FetchError error = fetch_error(url, options);
  EXPECT_EQ(error.kind(), FetchErrorKind::http_status);
  EXPECT_EQ(error.http_status(), 503);
  EXPECT_EQ(std::string(error.what()), url + ": HTTP 503 (after 3 attempts)");
  EXPECT_EQ(count_requests(server, "/broken", 503, 3), 3u);
}

TEST_F(HttpFetch, ConnectionRefused) {
  std::string url = "http://127.0.0.1:" + std::to_string(lupine::testing::free_local_port()) + "/x";
  options.attempts = 3;
  options.backoff_ms = 30000;  // a retry would wait 30 s
  auto start = std::chrono::steady_clock::now();
  FetchError error = fetch_error(url, options);
  EXPECT_EQ(error.kind(), FetchErrorKind::connection);
  EXPECT_EQ(std::string(error.what()), url + ": connection refused");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20)) << "refused is not retried";
}

TEST_F(HttpFetch, TimeoutWhenTheServerNeverAnswers) {
  lupine::testing::SilentListener silent;
  std::string url = "http://127.0.0.1:" + std::to_string(silent.port()) + "/APKINDEX.tar.gz";
  options.stall_timeout_s = 1;
  options.attempts = 2;
  auto start = std::chrono::steady_clock::now();
  FetchError error = fetch_error(url, options);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(error.kind(), FetchErrorKind::timeout);
  EXPECT_THAT(error.what(), HasSubstr(url + ": timed out"));
  EXPECT_THAT(error.what(), HasSubstr("(after 2 attempts)"));
  EXPECT_GE(elapsed, std::chrono::seconds(2));   // two attempts, each waiting out the 1 s stall timeout
  EXPECT_LT(elapsed, std::chrono::seconds(30));  // and no more than that, with a wide margin
}

// An interrupt while a transfer waits on a server that never answers stops it at once (under an
// InterruptGuard, as in a build, the signal only sets a flag).
TEST_F(HttpFetch, AnInterruptStopsAStalledTransfer) {
  lupine::testing::SilentListener silent;
  std::string url = "http://127.0.0.1:" + std::to_string(silent.port()) + "/APKINDEX.tar.gz";
  options.stall_timeout_s = 60;
  options.attempts = 3;
  auto child = lupine::testing::run_and_interrupt(
      [&] {
        try {
          http_get(url, options);
          return 2;
        } catch (const Interrupted& interrupted) {
          return interrupted.signal() == SIGTERM ? 42 : 3;
        }
      },
      std::chrono::milliseconds(300));  // into the transfer
  ASSERT_TRUE(WIFEXITED(child.status)) << "signal " << WTERMSIG(child.status);
  EXPECT_EQ(WEXITSTATUS(child.status), 42);
  EXPECT_LT(child.after_signal, std::chrono::seconds(5));  // not the 60 s stall timeout
}

TEST_F(HttpFetch, TlsFailureIsReported) {
  LUPINE_NGINX_OR_SKIP();
  lupine::testing::NginxOptions nginx;
  nginx.tls = true;
  NginxServer server(www(), nginx);
  std::string url = server.url() + "/hello.txt";
  EXPECT_THAT(url, ::testing::StartsWith("https://"));
  FetchError error = fetch_error(url, options);
  EXPECT_EQ(error.kind(), FetchErrorKind::tls);
  EXPECT_THAT(error.what(), HasSubstr(url + ": TLS error: "));
}

TEST_F(HttpFetch, RefusesOtherSchemes) {
  EXPECT_EQ(fetch_error("ftp://example.org/x", options).kind(), FetchErrorKind::other);
}

// A signed repository published by `build_index` in nginx's root, used through Repository.
TEST_F(HttpFetch, RepositoryOverHttp) {
  LUPINE_NGINX_OR_SKIP();
  apk::Keyring keyring = test::test_keyring(dir.path() / "keys");
  std::vector<std::filesystem::path> files;
  for (const char* name : {"alpha", "beta"})
    files.push_back(test::make_package(www() / "os/x86_64", test::PackageSpec(name)));
  IndexBuildOptions build;
  build.output = www() / "os/x86_64/APKINDEX.tar.gz";
  build.keyring = &keyring;
  build.signer = test::signer_for("test");
  build_index(files, build);

  NginxServer server(www());
  auto repo = Repository::parse("@web " + server.url() + "/os/");
  EXPECT_EQ(repo.kind(), Repository::Kind::http);
  LoadedIndex index = load_index(repo, "x86_64", keyring, false, options);
  EXPECT_EQ(index.source, FetchSource::network);
  EXPECT_EQ(index.signature.status, apk::SignatureStatus::verified);
  ASSERT_EQ(index.records.size(), 2u);
  std::string bytes = fetch_package(repo, "x86_64", index.records[0], options);
  apk::Package package = apk::Package::parse(bytes, "alpha");
  EXPECT_NO_THROW(check_package_matches(package, index.records[0]));
  EXPECT_EQ(load_index(repo, "x86_64", keyring, false, options).source, FetchSource::not_modified);

  try {
    load_index(repo, "aarch64", keyring, false, options);
    FAIL();
  } catch (const FetchError& e) {
    EXPECT_EQ(std::string(e.what()), server.url() + "/os/aarch64/APKINDEX.tar.gz: not found (HTTP 404)");
  }
  server.stop();
  LoadedIndex stale = load_index(repo, "x86_64", keyring, false, options);
  EXPECT_EQ(stale.source, FetchSource::stale_cache);
  EXPECT_THAT(stale.warning, HasSubstr("connection refused"));
  EXPECT_EQ(stale.records.size(), 2u);
  EXPECT_EQ(fetch_package(repo, "x86_64", index.records[0], options), bytes);
}

}  // namespace
}  // namespace lupine::index
