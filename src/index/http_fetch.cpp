#include "index/http_fetch.h"

#include "common/fs.h"
#include "common/process.h"
#include "common/hash.h"

#include <curl/curl.h>
#include <strings.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>

namespace lupine::index {

namespace {

// ---- cache entries ------------------------------------------------------------------------------
// "lupine-http-cache 1\nurl U\n[etag E\n][last-modified L\n]size N\n\n" followed by N body bytes.

constexpr std::string_view kCacheMagic = "lupine-http-cache 1\n";

struct CacheEntry {
  std::string etag;
  std::string last_modified;
  std::string body;
};

std::optional<CacheEntry> read_cache_entry(const std::filesystem::path& path, const std::string& url) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) return std::nullopt;
  std::string data;
  try {
    data = read_file(path);
  } catch (const Error&) {
    return std::nullopt;
  }
  if (!data.starts_with(kCacheMagic)) return std::nullopt;
  size_t end = data.find("\n\n");
  if (end == std::string::npos) return std::nullopt;
  std::string_view header = std::string_view(data).substr(kCacheMagic.size(), end + 1 - kCacheMagic.size());
  CacheEntry entry;
  std::optional<uint64_t> size;
  bool url_matches = false;
  while (!header.empty()) {
    size_t newline = header.find('\n');
    std::string_view line = header.substr(0, newline);
    header.remove_prefix(newline + 1);
    size_t space = line.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    std::string_view key = line.substr(0, space), value = line.substr(space + 1);
    if (key == "url") url_matches = value == url;
    else if (key == "etag") entry.etag = value;
    else if (key == "last-modified") entry.last_modified = value;
    else if (key == "size") size = std::strtoull(std::string(value).c_str(), nullptr, 10);
  }
  // A different URL means a hash collision (or a foreign file): not ours to use.
  if (!url_matches || !size || *size != data.size() - end - 2) return std::nullopt;
  entry.body = data.substr(end + 2);
  return entry;
}

void write_cache_entry(const std::filesystem::path& path, const std::string& url, const CacheEntry& entry) {
  std::filesystem::create_directories(path.parent_path());
  std::string data(kCacheMagic);
  data += "url " + url + "\n";
  if (!entry.etag.empty()) data += "etag " + entry.etag + "\n";
  if (!entry.last_modified.empty()) data += "last-modified " + entry.last_modified + "\n";
  data += fmt::format("size {}\n\n", entry.body.size());
  data += entry.body;
  write_file_atomic(path, data, 0644);
}

// ---- one request --------------------------------------------------------------------------------

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct EasyDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

struct Response {
  CURLcode code = CURLE_OK;
  long status = 0;
  long os_errno = 0;
  std::string error_text;
  std::string body;
  std::string etag;
  std::string last_modified;
  uint64_t max_size = 0;
  bool too_large = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<Response*>(user);
  size_t bytes = size * count;
  if (response->body.size() + bytes > response->max_size) {
    response->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  response->body.append(data, bytes);
  return bytes;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == '\r' || text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  return text;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<Response*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {  // a new response (after a redirect or 100 Continue)
    response->etag.clear();
    response->last_modified.clear();
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));
    if (::strcasecmp(name.c_str(), "ETag") == 0) response->etag = value;
    if (::strcasecmp(name.c_str(), "Last-Modified") == 0) response->last_modified = value;
  }
  return size * count;
}

// libcurl calls this about once a second and on every chunk: a non-zero return aborts the
// transfer, so an interrupt (noted, not acted on, under an InterruptGuard) stops a long download.
int stop_on_interrupt(void*, curl_off_t, curl_off_t, curl_off_t, curl_off_t) { return interrupt_requested() ? 1 : 0; }

Response perform(const std::string& url, const FetchOptions& options, const CacheEntry* cached) {
  global_init();
  std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
  if (!curl) throw FetchError(FetchErrorKind::other, 0, url + ": cannot initialise libcurl");
  Response response;
  response.max_size = options.max_size;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  auto add_header = [&headers](const std::string& header) {
    curl_slist* list = curl_slist_append(headers.get(), header.c_str());
    if (list) {
      headers.release();
      headers.reset(list);
    }
  };
  if (cached && !cached->etag.empty()) add_header("If-None-Match: " + cached->etag);
  if (cached && !cached->last_modified.empty()) add_header("If-Modified-Since: " + cached->last_modified);

  CURL* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(handle, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_USERAGENT, "lupine");
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, options.connect_timeout_ms);
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME, std::max(1L, options.stall_timeout_s));
  curl_easy_setopt(handle, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_size));
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &response);
  if (headers) curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, stop_on_interrupt);

  response.code = curl_easy_perform(handle);
  throw_if_interrupted();  // the transfer was aborted for it (under an InterruptGuard)
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response.status);
  curl_easy_getinfo(handle, CURLINFO_OS_ERRNO, &response.os_errno);
  response.error_text = error_buffer[0] ? error_buffer : curl_easy_strerror(response.code);
  return response;
}

// ---- classifying failures -----------------------------------------------------------------------

struct Failure {
  FetchErrorKind kind;
  long status;
  bool transient;
  std::string message;
};

bool is_tls_error(CURLcode code) {
  switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CLIENTCERT:
      return true;
    default:
      return false;
  }
}

// nullopt when the response is usable (200, or 304 with a cached copy).
std::optional<Failure> classify(const std::string& url, const Response& response, bool have_cache) {
  if (response.code == CURLE_OK) {
    long status = response.status;
    if (status == 200 || (status == 304 && have_cache)) return std::nullopt;
    if (status == 404 || status == 410)
      return Failure{FetchErrorKind::not_found, status, false, fmt::format("{}: not found (HTTP {})", url, status)};
    bool transient = status >= 500 || status == 408 || status == 429;
    return Failure{FetchErrorKind::http_status, status, transient, fmt::format("{}: HTTP {}", url, status)};
  }
  const std::string& text = response.error_text;
  switch (response.code) {
    case CURLE_COULDNT_CONNECT:
      if (response.os_errno == ECONNREFUSED)
        return Failure{FetchErrorKind::connection, 0, false, fmt::format("{}: connection refused", url)};
      return Failure{FetchErrorKind::connection, 0, false, fmt::format("{}: cannot connect: {}", url, text)};
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return Failure{FetchErrorKind::connection, 0, false, fmt::format("{}: unknown host: {}", url, text)};
    case CURLE_OPERATION_TIMEDOUT:
      return Failure{FetchErrorKind::timeout, 0, true, fmt::format("{}: timed out: {}", url, text)};
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return Failure{FetchErrorKind::connection, 0, true, fmt::format("{}: connection lost: {}", url, text)};
    case CURLE_FILESIZE_EXCEEDED:
    case CURLE_WRITE_ERROR:
      if (response.too_large || response.code == CURLE_FILESIZE_EXCEEDED)
        return Failure{FetchErrorKind::other, 0, false, fmt::format("{}: larger than the limit", url)};
      break;
    default:
      break;
  }
  if (is_tls_error(response.code))
    return Failure{FetchErrorKind::tls, 0, false, fmt::format("{}: TLS error: {}", url, text)};
  return Failure{FetchErrorKind::other, 0, false, fmt::format("{}: {}", url, text)};
}

}  // namespace

std::filesystem::path default_cache_dir() {
  if (const char* dir = std::getenv("LUPINE_CACHE_DIR"); dir && *dir) return dir;
  if (const char* dir = std::getenv("XDG_CACHE_HOME"); dir && *dir) return std::filesystem::path(dir) / "lupine";
  if (const char* home = std::getenv("HOME"); home && *home) return std::filesystem::path(home) / ".cache" / "lupine";
  return "/tmp/lupine-cache";
}

std::filesystem::path cache_entry_path(const std::filesystem::path& cache_dir, const std::string& url) {
  return cache_dir / sha256_hex(url);
}

FetchResult http_get(const std::string& url, const FetchOptions& options) {
  if (!url.starts_with("http://") && !url.starts_with("https://"))
    throw FetchError(FetchErrorKind::other, 0, url + ": not an http:// or https:// URL");
  std::filesystem::path entry_path;
  std::optional<CacheEntry> cached;
  if (!options.cache_dir.empty()) {
    entry_path = cache_entry_path(options.cache_dir, url);
    cached = read_cache_entry(entry_path, url);
  }

  int attempts = std::max(1, options.attempts);
  std::optional<Failure> failure;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    if (attempt > 1) {
      long delay = options.backoff_ms << std::min(attempt - 2, 16);
      if (wait_for_interrupt(std::chrono::milliseconds(delay))) throw_if_interrupted();
    }
    Response response = perform(url, options, cached ? &*cached : nullptr);
    failure = classify(url, response, cached.has_value());
    if (!failure) {
      FetchResult result;
      if (response.status == 304) {
        result.source = FetchSource::not_modified;
        result.body = std::move(cached->body);
        return result;
      }
      result.source = FetchSource::network;
      if (!entry_path.empty()) {
        CacheEntry entry{response.etag, response.last_modified, std::move(response.body)};
        write_cache_entry(entry_path, url, entry);
        result.body = std::move(entry.body);
      } else {
        result.body = std::move(response.body);
      }
      return result;
    }
    if (!failure->transient) break;
  }
  if (attempts > 1 && failure->transient) failure->message += fmt::format(" (after {} attempts)", attempts);
  // No answer, or a failing server: an older verified-later copy beats no copy. A definite
  // answer (404, 403...) is not papered over.
  bool unreachable = failure->status == 0 || failure->status >= 500;
  if (cached && options.use_stale_cache && unreachable && failure->kind != FetchErrorKind::other) {
    FetchResult result;
    result.source = FetchSource::stale_cache;
    result.body = std::move(cached->body);
    result.warning = failure->message + "; using the cached copy";
    return result;
  }
  throw FetchError(failure->kind, failure->status, failure->message);
}

}  // namespace lupine::index
