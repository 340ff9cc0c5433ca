#include "builder/source/fetch.h"

#include "common/encoding.h"
#include "common/fs.h"
#include "common/process.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <mutex>
#include <system_error>

namespace fs = std::filesystem;

namespace lupine::builder {

namespace {

constexpr std::string_view kWorkspaceMount = "/home/build";

[[noreturn]] void invalid(const std::string& message) { throw SourceError(SourceErrorKind::invalid_request, message); }

bool parse_bool(const std::string& value, const std::string& what, const std::string& input) {
  if (value == "true") return true;
  if (value == "false" || value.empty()) return false;
  invalid(fmt::format("{}: {} must be true or false, not '{}'", what, input, value));
}

long parse_number(const std::string& value, long fallback, const std::string& what, const std::string& input) {
  if (value.empty()) return fallback;
  long result = 0;
  for (char c : value) {
    if (c < '0' || c > '9' || result > 1'000'000'000L)
      invalid(fmt::format("{}: {} must be a non-negative integer, not '{}'", what, input, value));
    result = result * 10 + (c - '0');
  }
  return result;
}

std::string trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

void say(const FetchOptions& options, const std::string& line) {
  if (options.log) options.log(line);
}

void curl_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct WriteState {
  int fd = -1;
  Hasher sha256{HashAlgorithm::sha256};
  Hasher sha512{HashAlgorithm::sha512};
  uint64_t size = 0;
  bool write_failed = false;
  int write_errno = 0;
};

size_t on_data(char* data, size_t size, size_t count, void* user) {
  auto* state = static_cast<WriteState*>(user);
  size_t length = size * count;
  size_t done = 0;
  while (done < length) {
    ssize_t n = ::write(state->fd, data + done, length - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      state->write_failed = true;
      state->write_errno = errno;
      return 0;  // aborts the transfer
    }
    done += static_cast<size_t>(n);
  }
  state->sha256.update(data, length);
  state->sha512.update(data, length);
  state->size += length;
  return length;
}

// libcurl calls this about once a second and on every chunk: a non-zero return aborts the
// transfer, so an interrupt (noted, not acted on, under an InterruptGuard) stops a long download.
int stop_on_interrupt(void*, curl_off_t, curl_off_t, curl_off_t, curl_off_t) { return interrupt_requested() ? 1 : 0; }

struct AttemptFailure {
  SourceErrorKind kind;
  bool transient;
  std::string message;
};

bool is_http(std::string_view uri) { return uri.starts_with("http://") || uri.starts_with("https://"); }

// One transfer into `fd` (truncated first); nullopt on success, with `digests` set.
std::optional<AttemptFailure> attempt(const std::string& uri, int fd, const FetchRequest& request, DownloadDigests& digests) {
  if (::ftruncate(fd, 0) != 0 || ::lseek(fd, 0, SEEK_SET) != 0) fail_errno("cannot reset the download file");
  WriteState state;
  state.fd = fd;

  CURL* curl = curl_easy_init();
  if (!curl) fail("cannot initialise libcurl");
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, uri.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https,file");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "lupine-fetch");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &state);
  long connect_s = std::max(1L, request.timeout_s) + std::max(0L, request.dns_timeout_s);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, connect_s);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, std::max(1L, request.timeout_s));
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, stop_on_interrupt);
  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_off_t connected_after_us = 0;  // 0: no connection was ever made
  curl_easy_getinfo(curl, CURLINFO_CONNECT_TIME_T, &connected_after_us);
  curl_easy_cleanup(curl);

  throw_if_interrupted();  // the transfer was aborted for it (a build holds an InterruptGuard)
  std::string detail = error_buffer[0] ? error_buffer : curl_easy_strerror(rc);
  if (state.write_failed)
    fail("{}: cannot write the download: {}", uri, std::strerror(state.write_errno));
  if (rc == CURLE_OK) {
    if (!is_http(uri) || (status >= 200 && status < 300)) {
      digests.sha256_hex = hex_encode(state.sha256.finish());
      digests.sha512_hex = hex_encode(state.sha512.finish());
      digests.size = state.size;
      return std::nullopt;
    }
    if (status == 404 || status == 410)
      return AttemptFailure{SourceErrorKind::not_found, false, fmt::format("{}: not found (HTTP {})", uri, status)};
    bool transient = status >= 500 || status == 408 || status == 429;
    return AttemptFailure{SourceErrorKind::http_status, transient, fmt::format("{}: HTTP {}", uri, status)};
  }
  switch (rc) {
    case CURLE_FILE_COULDNT_READ_FILE:
    case CURLE_REMOTE_FILE_NOT_FOUND:
      return AttemptFailure{SourceErrorKind::not_found, false, fmt::format("{}: not found ({})", uri, detail)};
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return AttemptFailure{SourceErrorKind::invalid_request, false, fmt::format("{}: {}", uri, detail)};
    // The host is unreachable: a name that does not resolve, a refused or timed-out connection.
    // Trying again a few seconds later does not change that, and the caller may have somewhere
    // else to go (FetchOptions::fallback), so these fail at once instead of burning the backoff.
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
      return AttemptFailure{SourceErrorKind::network, false, fmt::format("{}: {}", uri, detail)};
    case CURLE_OPERATION_TIMEDOUT:
      // A connect timeout is unreachability as above; a transfer that stalled is worth a retry.
      return AttemptFailure{SourceErrorKind::network, connected_after_us > 0, fmt::format("{}: {}", uri, detail)};
    default:
      // Resets, truncated transfers, receive errors: worth another try.
      return AttemptFailure{SourceErrorKind::network, true, fmt::format("{}: {}", uri, detail)};
  }
}

DownloadDigests download_to_fd(const std::string& uri, int fd, const FetchRequest& request, const FetchOptions& options) {
  if (!is_http(uri) && !uri.starts_with("file://"))
    invalid(fmt::format("{}: only http://, https:// and file:// sources can be fetched", uri));
  if (options.offline) throw SourceError(SourceErrorKind::not_cached, fmt::format("{}: not in the cache, and fetching is offline", uri));
  curl_init_once();
  int tries = std::max(1, request.retry_limit);
  long backoff = std::max(0L, options.backoff_ms);
  DownloadDigests digests;
  for (int attempt_number = 1;; ++attempt_number) {
    say(options, attempt_number == 1 ? fmt::format("fetch: downloading {}", uri)
                                     : fmt::format("fetch: downloading {} (try {} of {})", uri, attempt_number, tries));
    auto failure = attempt(uri, fd, request, digests);
    if (!failure) break;
    if (!failure->transient || attempt_number >= tries) {
      std::string message = failure->message;
      if (attempt_number > 1) message += fmt::format(" (after {} tries)", attempt_number);
      throw SourceError(failure->kind, message);
    }
    say(options, fmt::format("fetch: {}; retrying in {} ms", failure->message, backoff));
    if (wait_for_interrupt(std::chrono::milliseconds(backoff))) throw_if_interrupted();
    backoff *= 2;
  }
  return digests;
}

void verify(const FetchRequest& request, const Checksum& expected, const DownloadDigests& digests) {
  const std::string& actual = expected.algorithm == HashAlgorithm::sha512 ? digests.sha512_hex : digests.sha256_hex;
  if (actual != expected.hex)
    throw SourceError(SourceErrorKind::checksum_mismatch,
                      fmt::format("{}: checksum mismatch: expected {} {}, got {} ({} bytes downloaded)", request.uri,
                                  expected.algorithm_name(), expected.hex, actual, digests.size));
}

// The upstream download failed with `upstream` (a network error): asks options.fallback for the
// source. The fallback itself only caches matching content; the entry is checked again here
// (cache.lookup re-hashes it), so nothing unverified is ever returned.
CachedSource from_fallback(const FetchRequest& request, const Checksum& expected, const SourceCache& cache,
                           const FetchOptions& options, const SourceError& upstream) {
  const SourceFallback& fallback = *options.fallback;
  say(options, fmt::format("fetch: upstream unreachable: {}; trying {}", upstream.what(), fallback.name));
  std::vector<Checksum> all{expected};
  if (!request.expected_sha256.empty() && !request.expected_sha512.empty())
    all.push_back(make_checksum(HashAlgorithm::sha512, request.expected_sha512, request.uri));
  std::string origin;
  try {
    origin = fallback.fetch(request, all, cache, options);
  } catch (const Error& error) {
    throw SourceError(SourceErrorKind::network,
                      fmt::format("{}; {}: {}", upstream.what(), fallback.name, error.what()));
  }
  auto entry = cache.lookup(expected);
  if (!entry)
    throw SourceError(SourceErrorKind::network,
                      fmt::format("{}; and {} left no cache entry {}", upstream.what(), fallback.name, expected.key()));
  say(options, fmt::format("fetch: {} verified ({} {}) from {}, cached", request.uri, expected.algorithm_name(),
                           expected.hex, fallback.name));
  CachedSource result;
  result.file = *entry;
  result.sha256_hex = expected.algorithm == HashAlgorithm::sha256 ? expected.hex : file_digest_hex(HashAlgorithm::sha256, *entry);
  result.origin = origin.empty() ? fallback.name : origin;
  cache.set_origin(expected, result.origin);
  return result;
}

}  // namespace

PlacedPath place_path(const fs::path& workspace, const fs::path& guest_root, std::string_view working_directory,
                      std::string_view sub, std::string_view what) {
  std::string joined;
  if (sub.starts_with('/')) {
    joined = sub;
  } else {
    std::string base = working_directory.empty()          ? std::string(kWorkspaceMount)
                       : working_directory.starts_with('/') ? std::string(working_directory)
                                                          : std::string(kWorkspaceMount) + "/" + std::string(working_directory);
    joined = base + "/" + std::string(sub.empty() ? "." : sub);
  }
  fs::path guest = fs::path(joined).lexically_normal();
  std::string guest_text = guest.string();
  while (guest_text.size() > 1 && guest_text.back() == '/') guest_text.pop_back();
  PlacedPath placed;
  placed.guest_path = guest_text;
  fs::path relative;
  if (guest_text == kWorkspaceMount || guest_text.starts_with(std::string(kWorkspaceMount) + "/")) {
    placed.confine = fs::absolute(workspace).lexically_normal();
    relative = guest_text.substr(kWorkspaceMount.size());
  } else {
    if (guest_root.empty())
      invalid(fmt::format("{}: {} is outside the workspace ({}), and no guest root is set", what, guest_text, kWorkspaceMount));
    placed.confine = fs::absolute(guest_root).lexically_normal();
    relative = guest_text;
  }
  placed.path = placed.confine;
  for (const auto& part : relative.relative_path()) {
    if (part.empty() || part == ".") continue;
    placed.path /= part;
    std::error_code error;
    if (fs::is_symlink(fs::symlink_status(placed.path, error)))
      invalid(fmt::format("{}: {} goes through the symlink {}: refused", what, guest_text, placed.path.string()));
  }
  return placed;
}

std::string workspace_relative(std::string_view path, std::string_view what) {
  std::string_view rest = path;
  if (rest.starts_with('/')) {
    if (rest == kWorkspaceMount) return "";
    if (!rest.starts_with(std::string(kWorkspaceMount) + "/"))
      invalid(fmt::format("{}: {} is outside the workspace ({})", what, path, kWorkspaceMount));
    rest.remove_prefix(kWorkspaceMount.size() + 1);
  }
  fs::path normal = fs::path(std::string(rest)).lexically_normal();
  std::string out = normal.string();
  while (!out.empty() && out.back() == '/') out.pop_back();
  if (out == ".") out.clear();
  if (out == ".." || out.starts_with("../")) invalid(fmt::format("{}: {} leaves the workspace", what, path));
  return out;
}

FetchRequest fetch_request_from_inputs(const std::map<std::string, std::string>& with, const std::string& working_directory,
                                       const std::string& what) {
  auto get = [&](const std::string& key) {
    auto found = with.find(key);
    return found == with.end() ? std::string() : trim(found->second);
  };
  FetchRequest request;
  request.uri = get("uri");
  if (request.uri.empty()) invalid(what + ": the uri input is required");
  request.expected_sha256 = get("expected-sha256");
  request.expected_sha512 = get("expected-sha512");
  request.expected_none = !get("expected-none").empty();
  if (request.expected_sha256.empty() && request.expected_sha512.empty() && !request.expected_none)
    invalid(fmt::format("{}: {}: one of expected-sha256, expected-sha512 or expected-none is required", what, request.uri));
  if (!request.expected_sha256.empty()) make_checksum(HashAlgorithm::sha256, request.expected_sha256, what);
  if (!request.expected_sha512.empty()) make_checksum(HashAlgorithm::sha512, request.expected_sha512, what);
  request.strip_components = static_cast<int>(parse_number(get("strip-components"), 1, what, "strip-components"));
  request.extract = with.count("extract") ? parse_bool(get("extract"), what, "extract") : true;
  request.delete_download = parse_bool(get("delete"), what, "delete");
  request.working_directory = working_directory;
  std::string directory = get("directory");
  request.directory = directory.empty() ? "." : directory;
  request.timeout_s = parse_number(get("timeout"), 5, what, "timeout");
  request.dns_timeout_s = parse_number(get("dns-timeout"), 20, what, "dns-timeout");
  request.retry_limit = static_cast<int>(parse_number(get("retry-limit"), 5, what, "retry-limit"));
  return request;
}

std::optional<Checksum> expected_checksum(const FetchRequest& request) {
  if (!request.expected_sha256.empty()) return make_checksum(HashAlgorithm::sha256, request.expected_sha256, request.uri);
  if (!request.expected_sha512.empty()) return make_checksum(HashAlgorithm::sha512, request.expected_sha512, request.uri);
  if (request.expected_none) return std::nullopt;
  invalid(fmt::format("{}: one of expected-sha256, expected-sha512 or expected-none is required", request.uri));
}

std::string download_name(std::string_view uri) {
  std::string_view name = uri;
  if (auto cut = name.find_first_of("?#"); cut != std::string_view::npos) name = name.substr(0, cut);
  if (auto slash = name.rfind('/'); slash != std::string_view::npos) name.remove_prefix(slash + 1);
  if (name.empty() || name == "." || name == "..") return "download";
  return std::string(name);
}

DownloadDigests download_file(const std::string& uri, const fs::path& output, const FetchRequest& request,
                              const FetchOptions& options) {
  AtomicFile file(output);
  DownloadDigests digests = download_to_fd(uri, file.fd(), request, options);
  file.commit();
  return digests;
}

CachedSource fetch_to_cache(const FetchRequest& request, const FetchOptions& options, const fs::path& scratch_dir) {
  std::optional<Checksum> expected = expected_checksum(request);
  CachedSource result;
  if (!expected) {
    // expected-none: nothing to key a cache entry by.
    if (scratch_dir.empty()) fail("{}: expected-none needs a scratch directory", request.uri);
    say(options, fmt::format("fetch: {}: no checksum to verify (expected-none)", request.uri));
    fs::path file = scratch_dir / download_name(request.uri);
    result.sha256_hex = download_file(request.uri, file, request, options).sha256_hex;
    result.file = file;
    return result;
  }
  if (options.cache_dir.empty()) fail("{}: no cache directory", request.uri);
  SourceCache cache(options.cache_dir);
  if (auto hit = cache.lookup(*expected)) {
    say(options, fmt::format("fetch: {} found in the cache as {}", request.uri, expected->key()));
    result.file = *hit;
    result.cache_hit = true;
    result.origin = cache.origin(*expected);
    result.sha256_hex = expected->algorithm == HashAlgorithm::sha256 ? expected->hex : file_digest_hex(HashAlgorithm::sha256, *hit);
    return result;
  }
  // The temp file lives in the cache directory and is renamed only once its checksum matched;
  // on any failure AtomicFile removes it.
  DownloadDigests digests;
  {
    AtomicFile file(cache.entry_path(*expected));
    try {
      digests = download_to_fd(request.uri, file.fd(), request, options);
    } catch (const SourceError& error) {
      if (error.kind() != SourceErrorKind::network || !options.fallback || !options.fallback->fetch) throw;
      return from_fallback(request, *expected, cache, options, error);
    }
    verify(request, *expected, digests);
    if (!request.expected_sha256.empty() && !request.expected_sha512.empty())  // both given: both must hold
      verify(request, make_checksum(HashAlgorithm::sha512, request.expected_sha512, request.uri), digests);
    file.commit();
  }
  say(options, fmt::format("fetch: {} verified ({} {}), cached", request.uri, expected->algorithm_name(), expected->hex));
  result.file = cache.entry_path(*expected);
  result.sha256_hex = digests.sha256_hex;
  return result;
}

FetchResult fetch_into_workspace(const FetchRequest& request, const fs::path& workspace, const FetchOptions& options) {
  const std::string what = "fetch " + request.uri;
  // Where things go, checked before anything is downloaded.
  PlacedPath extract_to = place_path(workspace, options.guest_root, request.working_directory, request.directory, what);
  PlacedPath keep_in = place_path(workspace, options.guest_root, request.working_directory, ".", what);

  std::optional<TempDir> temp_cache;
  FetchOptions effective = options;
  if (effective.cache_dir.empty()) {
    temp_cache.emplace("lupine-fetch");
    effective.cache_dir = temp_cache->path();
  }
  TempDir scratch("lupine-fetch-none");
  FetchResult result;
  result.source = fetch_to_cache(request, effective, scratch.path());

  if (request.extract) {
    const fs::path& destination = extract_to.path;
    ExtractOptions extract_options;
    extract_options.strip_components = request.strip_components;
    extract_options.confine_to = extract_to.confine;
    try {
      result.extracted = extract_archive(result.source.file, destination, extract_options);
    } catch (const UnsafeArchiveError& error) {
      throw SourceError(SourceErrorKind::unsafe_archive, fmt::format("{}: {}", request.uri, error.what()));
    }
    say(options, fmt::format("fetch: {} extracted into {} ({} files)", request.uri, extract_to.guest_path,
                             result.extracted->files));
  }
  if (!request.delete_download) {
    const fs::path& dir = keep_in.path;
    fs::create_directories(dir);
    fs::path kept = dir / download_name(request.uri);
    std::error_code error;
    if (fs::is_symlink(fs::symlink_status(kept, error))) fs::remove(kept);
    fs::copy_file(result.source.file, kept, fs::copy_options::overwrite_existing);
    result.kept = kept;
  }
  return result;
}

}  // namespace lupine::builder
