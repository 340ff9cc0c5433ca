// Sources found by their checksum in Debian's archive, in any suite: each suite's Sources index
// (dists/<suite>/<component>/source/Sources.xz) lists every file of every source package with its
// sha256 (the Checksums-Sha256 field). A recipe's expected-sha256 is looked up there, suites in
// order, and the file is fetched from the pool and verified like any download — the index is only a
// map, never trusted: the bytes are taken only when they hash to the recipe's checksum. No package
// name is needed, so a recipe named differently from Debian's source package is found as well.
//
// The indexes are downloaded with index::http_get: cached under the cache directory and refreshed
// with conditional requests, like a repository index; a mirror that cannot be reached leaves the
// cached copy in use.
#pragma once

#include "builder/source/fetch.h"
#include "index/http_fetch.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lupine::builder {

struct DebianArchiveOptions {
  std::string mirror = "http://deb.debian.org/debian";
  std::vector<std::string> suites = {"bookworm", "trixie", "sid"};  // looked up in this order
  std::vector<std::string> components = {"main"};
  index::FetchOptions http;  // http.cache_dir holds the downloaded indexes
};

// The defaults, with the indexes cached under <cache_dir>/debian-archive.
DebianArchiveOptions debian_archive_options(const std::filesystem::path& cache_dir);

// One file of a source package as a Sources index lists it.
struct DebianArchiveFile {
  std::string suite;
  std::string package;
  std::string version;
  std::string path;  // Directory/name, relative to the mirror: pool/main/h/hello/hello_2.10.orig.tar.gz
  std::string sha256_hex;
  uint64_t size = 0;
};

// Every file of every stanza of a Sources index (deb822: Package, Version, Directory and the
// Checksums-Sha256 lines "<sha256> <size> <name>"). Throws Error naming `origin` and the line of a
// malformed checksum line or a stanza without Package or Directory.
std::vector<DebianArchiveFile> parse_sources_index(std::string_view text, const std::string& suite,
                                                   const std::string& origin);

// The bytes of an xz-compressed file (libarchive). Throws Error naming `origin`.
std::string decompress_xz(std::string_view data, const std::string& origin);

class DebianArchive {
 public:
  using Log = std::function<void(const std::string&)>;
  explicit DebianArchive(DebianArchiveOptions options);

  // The file whose sha256 is `sha256_hex`, the first suite listing it first; nullopt when no suite
  // does. Reads the indexes on first use (once per DebianArchive). Throws Error when no index at
  // all can be read.
  std::optional<DebianArchiveFile> find(const std::string& sha256_hex, const Log& log = nullptr);
  std::string url(const DebianArchiveFile& file) const { return options_.mirror + "/" + file.path; }
  const std::vector<std::string>& suites() const { return options_.suites; }

 private:
  void load(const Log& log);
  DebianArchiveOptions options_;
  std::mutex mutex_;
  bool loaded_ = false;
  std::unordered_map<std::string, DebianArchiveFile> by_sha256_;
};

// A FetchOptions::fallback: the request's sha256 looked up in `archive`, the file downloaded from
// the mirror and verified; `next` (e.g. the apt-based debian_source_fallback) is tried when no suite
// lists it or the request has no sha256.
SourceFallback debian_archive_fallback(std::shared_ptr<DebianArchive> archive,
                                       std::optional<SourceFallback> next = std::nullopt);

}  // namespace lupine::builder
