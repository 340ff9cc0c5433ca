// HTTP(S) GET through libcurl with a local cache, for repository indexes and packages.
//
// Cache: one file per URL, `<cache_dir>/<sha256 hex of the URL>`, holding the validators
// (ETag, Last-Modified) and the body; written atomically (temp file + rename), so concurrent
// fetches and crashes never leave a torn entry. With an entry present the request is conditional
// (If-None-Match / If-Modified-Since) and a 304 answer is served from the cache.
//
// Failures: 5xx, 408, 429 and transport errors (reset, partial transfer, timeout) are retried
// with exponential backoff; 404 and other 4xx, connection refused, unknown host and TLS failures
// are not. When the server cannot be reached or keeps failing (no HTTP answer, or 5xx after the
// retries) and the cache holds the URL, the cached copy is returned as `stale` with a warning — callers verify what they get (index
// signatures, package checksums), so a stale copy is never less safe, only older.
#pragma once

#include "common/error.h"

#include <cstdint>
#include <filesystem>
#include <string>

namespace lupine::index {

struct FetchOptions {
  std::filesystem::path cache_dir;   // empty: no cache (no conditional requests, no stale fallback)
  long connect_timeout_ms = 15000;   // TCP + TLS connection
  long stall_timeout_s = 30;         // give up when under 1 byte/s arrives for this long (>= 1)
  int attempts = 3;                  // tries in all, for transient failures
  long backoff_ms = 500;             // wait before the second try, doubled each further try
  bool use_stale_cache = true;       // serve the cached copy when the server cannot be reached
  uint64_t max_size = uint64_t{1} << 32;  // refuse bodies larger than this
  // Index freshness (index_freshness.h), checked by RepositorySet against what this cache has seen:
  // with allow_stale_index a rolled-back or expired index is a warning instead of an error.
  bool allow_stale_index = false;
  int64_t now = 0;  // the clock expiries are checked against, Unix seconds; 0 = the real one
};

// Where lupine caches downloads by default: $LUPINE_CACHE_DIR, else $XDG_CACHE_HOME/lupine,
// else ~/.cache/lupine (then /tmp/lupine-cache when HOME is unset).
std::filesystem::path default_cache_dir();

enum class FetchSource {
  network,       // 200 from the server
  not_modified,  // 304 from the server: the cached copy is current
  stale_cache,   // the server could not be reached; the cached copy was used (see warning)
  local,         // a local file (file:// or directory repositories; not from http_get)
};

struct FetchResult {
  std::string body;
  FetchSource source = FetchSource::network;
  std::string warning;  // set for stale_cache: why the server was not asked
};

enum class FetchErrorKind { not_found, http_status, timeout, connection, tls, other };

// A failed fetch. what() is a complete message starting with the URL, e.g.
// "<url>: not found (HTTP 404)", "<url>: connection refused", "<url>: timed out (...)",
// "<url>: TLS error: ...".
class FetchError : public Error {
 public:
  FetchError(FetchErrorKind kind, long http_status, const std::string& message)
      : Error(message), kind_(kind), http_status_(http_status) {}
  FetchErrorKind kind() const { return kind_; }
  long http_status() const { return http_status_; }  // 0 when there was no HTTP answer

 private:
  FetchErrorKind kind_;
  long http_status_;
};

// GETs an http:// or https:// URL as described above. Throws FetchError.
FetchResult http_get(const std::string& url, const FetchOptions& options);

// The cache file http_get uses for `url` (it may not exist).
std::filesystem::path cache_entry_path(const std::filesystem::path& cache_dir, const std::string& url);

}  // namespace lupine::index
