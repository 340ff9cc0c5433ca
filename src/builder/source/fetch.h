// Source fetching for `uses: fetch` steps, done by lupine outside the sandbox before a build (the
// build itself has no network), and by `lupine fetch` ahead of builds.
//
//   uri ──► cache hit (sha256:<hex> / sha512:<hex>, re-verified)  ─┐
//      └──► libcurl download (http, https, file) to a temp file,   ├─► workspace: extracted into
//           hashed while written, renamed into the cache only       │   `directory` (strip-components),
//           when the checksum matches                              ─┘   and kept as <basename> unless
//                                                                       `delete`
//
// A checksum mismatch keeps nothing (neither in the cache nor in the workspace) and names the
// expected and the actual digest. An archive with unsafe entries is refused before anything is
// written (archive_extract.h).
#pragma once

#include "builder/source/archive_extract.h"
#include "builder/source/source_cache.h"
#include "common/error.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lupine::builder {

// The inputs of a `uses: fetch` step (reference/melange.md §3), already substituted.
struct FetchRequest {
  std::string uri;                 // http://, https:// or file://
  std::string expected_sha256;     // hex; one of the three must be given
  std::string expected_sha512;
  bool expected_none = false;      // accept without checksum (not cached)
  int strip_components = 1;
  bool extract = true;
  std::string working_directory;   // the step's, as compiled: relative to /home/build, or absolute
  std::string directory = ".";     // extraction directory, relative to working_directory (or absolute)
  bool delete_download = false;    // `delete`: do not keep the downloaded file in the workspace
  long timeout_s = 5;              // connect, and stall (no byte for this long)
  long dns_timeout_s = 20;
  int retry_limit = 5;             // tries for transient failures
};

// Reads a step's `with:` map (input name -> substituted value; absent inputs take melange's
// defaults) into a request, validating numbers, booleans and checksum lengths. `what` names the step
// in errors.
FetchRequest fetch_request_from_inputs(const std::map<std::string, std::string>& with,
                                       const std::string& working_directory = "", const std::string& what = "fetch");

// The checksum the request is verified (and cached) by: sha256 when given, else sha512; nullopt
// with expected-none.
std::optional<Checksum> expected_checksum(const FetchRequest& request);

// The file name the download keeps in the workspace: the URI's last path segment without query or
// fragment ("download" when empty), as the fetch pipeline's check computes it.
std::string download_name(std::string_view uri);

// A workspace-relative path from a step path: "/home/build/x" and "x" give "x"; "", "." and
// "/home/build" give ""; other absolute paths and paths leaving the workspace through ".." throw.
std::string workspace_relative(std::string_view path, std::string_view what);

// Where a step's path lands outside the sandbox. Paths in /home/build land in the workspace; other
// absolute guest paths (Wolfi has `working-directory: /home/docker-library`) land under `guest_root`,
// the directory standing for the guest's root, and are refused when it is empty. A path that goes
// through an existing symlink is refused.
struct PlacedPath {
  std::filesystem::path path;     // on the host
  std::filesystem::path confine;  // the workspace or guest_root: what the content must stay inside
  std::string guest_path;         // as the sandbox sees it ("/home/build/src")
};
PlacedPath place_path(const std::filesystem::path& workspace, const std::filesystem::path& guest_root,
                      std::string_view working_directory, std::string_view sub, std::string_view what);

enum class SourceErrorKind {
  invalid_request,    // bad inputs (no checksum, malformed hex, unsupported scheme)
  checksum_mismatch,  // what() names expected and actual
  not_found,          // HTTP 404/410, or a missing file:// path
  http_status,        // another HTTP error status
  network,            // DNS, connection, TLS, timeout, transfer errors
  not_cached,         // offline and not in the cache
  unsafe_archive,     // refused by archive_extract
  git,                // git-checkout failures (git_checkout.h)
};

class SourceError : public Error {
 public:
  SourceError(SourceErrorKind kind, const std::string& message) : Error(message), kind_(kind) {}
  SourceErrorKind kind() const { return kind_; }

 private:
  SourceErrorKind kind_;
};

struct FetchOptions;

// Another place to get a source from when its upstream cannot be reached (a `network` error: the
// host does not resolve, the connection is refused or times out) — e.g. Debian's source packages
// (debian_source.h). It must put into `cache` only content matching `expected` (every checksum
// listed), and returns the cache entry; it throws SourceError when it has nothing that matches.
struct SourceFallback {
  std::string name;  // for messages: "Debian source package hello"
  // Returns where the bytes came from, as exactly as it knows ("Debian bookworm (hello 2.10-3):
  // pool/main/h/hello/hello_2.10.orig.tar.gz"); "" says no more than `name`.
  std::function<std::string(const FetchRequest& request, const std::vector<Checksum>& expected,
                            const SourceCache& cache, const FetchOptions& options)>
      fetch;
};

struct FetchOptions {
  std::filesystem::path cache_dir;  // empty: a temporary cache for this call only
  std::filesystem::path guest_root; // for paths outside /home/build (place_path); empty: refused
  bool offline = false;             // never download: the cache must hold the source
  long backoff_ms = 1000;           // wait before the second try, doubled for each further try
  std::function<void(const std::string&)> log;  // progress lines (nullptr: quiet)
  std::optional<SourceFallback> fallback;       // tried when the upstream is unreachable
};

struct CachedSource {
  std::filesystem::path file;  // in the cache (or a temp dir for expected-none / no cache dir)
  std::string sha256_hex;      // of the content, always known
  bool cache_hit = false;
  // Where the bytes came from when not from the request's URL: what the fallback said when it
  // supplied them, now or (for a cache hit) when they were cached; else empty.
  std::string origin;
};

// Finds the source in the cache or downloads and verifies it into the cache; needs a cache_dir
// unless the request is expected-none (then the file lands in `scratch_dir`). When the download
// fails with a `network` error and options.fallback is set, the fallback is tried (logging
// "fetch: upstream unreachable: ...; trying <name>"); if it fails too, the SourceError (kind
// `network`) names both failures. Throws SourceError.
CachedSource fetch_to_cache(const FetchRequest& request, const FetchOptions& options,
                            const std::filesystem::path& scratch_dir = {});

struct FetchResult {
  CachedSource source;  // source.file is gone on return when options.cache_dir was empty
  std::optional<ExtractStats> extracted;    // when extract
  std::optional<std::filesystem::path> kept;  // the download's copy in the workspace, unless delete
};

// fetch_to_cache, then lays the source out in `workspace` as the fetch pipeline would.
FetchResult fetch_into_workspace(const FetchRequest& request, const std::filesystem::path& workspace,
                                 const FetchOptions& options);

// Streams `uri` into `output` (created or truncated), retrying transient failures as `request`
// says; returns the sha256 and sha512 hex digests of what was written. Throws SourceError.
struct DownloadDigests {
  std::string sha256_hex;
  std::string sha512_hex;
  uint64_t size = 0;
};
DownloadDigests download_file(const std::string& uri, const std::filesystem::path& output, const FetchRequest& request,
                              const FetchOptions& options);

}  // namespace lupine::builder
