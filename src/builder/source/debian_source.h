// Sources from Debian's source packages, for when a recipe's upstream URL cannot be reached
// (machines with only a Debian mirror, CI). Debian's files are never trusted as such: a file is
// taken into the source cache only when its own bytes hash to the checksum the recipe expects,
// which holds where Debian's .orig tarball is the upstream release file byte for byte.
//
//   host /etc/apt/sources.list{,.d/*.list,.d/*.sources}  ──► deb-src entries (Types: deb → deb-src)
//        written to a private apt configuration under <cache>/debian-apt/ (the host's apt
//        configuration is only read, never changed)
//   apt-get update (once per DebianSourceFetcher), apt-cache showsrc <package>
//        ──► the version whose files list the expected sha256 (else the candidate)
//   apt-get source --download-only <package>=<version> in a scratch directory
//        ──► every file hashed; the one matching every expected checksum is copied into the cache
#pragma once

#include "builder/source/fetch.h"
#include "builder/source/source_cache.h"

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace lupine::builder {

// ── Deriving deb-src entries from the host's apt sources ──────────────────────────────────────

// One deb822 stanza of a .sources file turned into its deb-src counterpart: `Types` becomes
// `deb-src` when it listed deb or deb-src; URIs, Suites, Components, Signed-By (also an inline key
// block) and the trust options are kept; fields that only concern binary indexes (Architectures,
// Languages, Targets) are dropped. Stanzas with `Enabled: no`, or without deb types, give nothing.
// Returns the deb-src stanzas of `text` (a whole .sources file), separated by blank lines.
std::string deb_src_from_deb822(std::string_view text);

// The same for the one-line format (sources.list, *.list): `deb [options] uri suite components`
// lines become `deb-src [options] uri suite components`, without the arch=/lang=/target= options.
std::string deb_src_from_one_line(std::string_view text);

// The private configuration's two files, derived from the host's apt directory (normally
// /etc/apt): sources.list and sources.list.d/*.list give `one_line`, sources.list.d/*.sources give
// `deb822`. Files apt itself ignores (other extensions, e.g. `.disabled`) are skipped.
struct DebSrcConfig {
  std::string one_line;
  std::string deb822;
  bool empty() const { return one_line.empty() && deb822.empty(); }
};
DebSrcConfig derive_deb_src_config(const std::filesystem::path& etc_apt);

// ── Matching downloaded files against the recipe's checksums ──────────────────────────────────

struct DownloadedFile {
  std::string name;
  std::string sha256_hex;
  std::string sha512_hex;
};

// Hashes every regular file directly in `dir` (symlinks and subdirectories are ignored). When one
// matches every checksum in `expected`, it is copied into `cache` under expected[0]'s key (hashed
// again while copied: only the bytes that were checked land in the cache) and its name is
// returned. Otherwise throws SourceError (checksum_mismatch) naming `what`, the expected checksum
// and every file seen with its digests; nothing is cached then.
std::string cache_matching_file(const std::filesystem::path& dir, const std::vector<Checksum>& expected,
                                const SourceCache& cache, std::string_view what);

// ── Package names ─────────────────────────────────────────────────────────────────────────────

// Reads an override map (recipe package name → Debian source package name), a YAML mapping such
// as melange-recipes/.debian-sources.yaml (`xz: xz-utils`). Throws Error on malformed content.
std::map<std::string, std::string> read_debian_source_map(const std::filesystem::path& file);

// The Debian source package name for `package` (a recipe's main package): its entry in
// `map_file`, by default `.debian-sources.yaml` beside `recipe` when that exists (a dotfile, so
// that `melange-recipes/*.yaml` stays a list of recipes), else the package name itself. Throws
// Error when the map file is malformed (or, given explicitly, missing).
std::string debian_source_package(const std::filesystem::path& recipe, const std::string& package,
                                  const std::filesystem::path& map_file = {});

// `apt-cache showsrc` output: one entry per stanza (a version may appear once per suite).
struct DebianSourceVersion {
  std::string package;  // the source package's name
  std::string version;
  std::vector<std::pair<std::string, std::string>> sha256_files;  // (sha256 hex, file name)
};
std::vector<DebianSourceVersion> parse_showsrc(std::string_view text);

// ── Running apt ───────────────────────────────────────────────────────────────────────────────

struct DebianSourceOptions {
  std::filesystem::path apt_dir;                // private apt state; empty: <cache dir>/debian-apt
  std::filesystem::path etc_apt = "/etc/apt";   // whose sources are turned into deb-src entries
  std::string apt_get = "apt-get";              // programs (looked up in PATH)
  std::string apt_cache = "apt-cache";
  std::chrono::seconds timeout{900};            // per apt invocation
  std::function<void(const std::string&)> log;  // progress (apt's output included); nullptr: quiet
};

class DebianSourceFetcher {
 public:
  using Log = std::function<void(const std::string&)>;

  explicit DebianSourceFetcher(DebianSourceOptions options = {});

  // Writes the private configuration under apt_dir and runs `apt-get update` the first time it
  // is called for that directory (later calls do nothing). Throws SourceError (network) when apt
  // is missing, the host lists no Debian sources, or the update failed with no lists to use.
  // `log`, when set, replaces options().log for this call.
  void prepare(const std::filesystem::path& apt_dir, const Log& log = nullptr);

  // Fetches Debian's source package `source_package` and caches the file matching `expected`
  // (cache_matching_file); returns a description ("hello 2.10-3: hello_2.10.orig.tar.gz").
  // Throws SourceError.
  std::string fetch(const std::string& source_package, const std::vector<Checksum>& expected,
                    const SourceCache& cache, const Log& log = nullptr);

  const DebianSourceOptions& options() const { return options_; }

 private:
  std::filesystem::path apt_dir_for(const SourceCache& cache) const;
  std::vector<std::string> apt_options(const std::filesystem::path& apt_dir) const;

  DebianSourceOptions options_;
  std::mutex mutex_;
  std::vector<std::filesystem::path> prepared_;  // apt dirs updated by this fetcher
};

// A FetchOptions::fallback that gets `source_package` from Debian through `fetcher`, logging
// through the FetchOptions' log.
SourceFallback debian_source_fallback(std::shared_ptr<DebianSourceFetcher> fetcher, std::string source_package);

}  // namespace lupine::builder
