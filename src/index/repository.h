// Package repositories (reference/apk.md §2.4): a base location that is a directory, a file://
// URL or an http(s):// URL, optionally tagged (`@edge https://...`, as a line of
// /etc/apk/repositories). For an architecture A:
//   index    <base>/A/APKINDEX.tar.gz
//   package  <base>/A/<name>-<version>.apk
// A package is fetched from the directory of the index that listed it (apko's rule; apk-tools
// uses the package's own A:, which is the same directory except for noarch packages, whose files
// repositories keep beside each arch's index).
//
// Typical use (the installer):
//   auto repo = Repository::parse("@local /srv/repo");
//   LoadedIndex index = load_index(repo, "x86_64", keyring, false, fetch_options);
//   std::string bytes = fetch_package(repo, index.arch, index.records[0], fetch_options);
//   apk::Package package = apk::Package::parse(std::move(bytes), repo.package_location(...));
//   check_package_matches(package, index.records[0]);   // C: identity
#pragma once

#include "apk/keyring.h"
#include "apk/signature.h"
#include "index/http_fetch.h"
#include "index/index_record.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lupine::apk {
class Package;
}

namespace lupine::index {

class Repository {
 public:
  enum class Kind { local, http };

  // One repositories line: `[v2] [@tag] LOCATION`. LOCATION is an http:// or https:// URL, a
  // file:// URL or a directory path. Refused with an Error: an empty line, a tag without a
  // location, the `v3`/`ndx` formats, other URL schemes, and trailing components.
  static Repository parse(std::string_view line);
  // Every repository of an /etc/apk/repositories text; blank lines and `#` comments are skipped.
  // Errors name `origin` and the line number.
  static std::vector<Repository> parse_list(std::string_view text, const std::string& origin);

  Kind kind() const { return kind_; }
  const std::string& tag() const { return tag_; }            // "" when untagged
  const std::string& location() const { return location_; }  // as written, without trailing '/'
  // The location of the index / of a record's package for `arch`: a URL for http repositories,
  // a filesystem path for local ones (file:// URLs resolved to paths).
  std::string index_location(std::string_view arch) const;
  std::string package_location(std::string_view arch, const IndexRecord& record) const;
  std::string to_line() const;  // back to a repositories line

 private:
  std::string join(std::string_view arch, std::string_view file) const;
  Kind kind_ = Kind::local;
  std::string tag_;
  std::string location_;
  std::string base_;  // the URL, or the directory path
};

struct LoadedIndex {
  Repository repository;
  std::string arch;
  std::string description;
  std::vector<IndexRecord> records;  // as in the index (apk-tools order)
  apk::SignatureCheck signature;     // verified, or (with allow_untrusted) untrusted / unsigned_
  FetchSource source = FetchSource::local;
  std::string warning;  // set when a stale cached copy was used (server unreachable)
};

// Fetches (HTTP through the cache in `options`, local files directly), parses and verifies the
// index of `repository` for `arch`. Throws FetchError when it cannot be had (a missing local or
// remote index is FetchErrorKind::not_found) and Error for a malformed or untrusted index
// (messages as verify_index_signature's).
LoadedIndex load_index(const Repository& repository, std::string_view arch, const apk::Keyring& keyring,
                       bool allow_untrusted, const FetchOptions& options);

// The bytes of the package `record` (listed in the index of `arch`), checked against its S:
// (size). Parse them with apk::Package::parse and call check_package_matches before trusting them.
std::string fetch_package(const Repository& repository, std::string_view arch, const IndexRecord& record,
                          const FetchOptions& options);

// The signed provenance published beside the package `record` (its location + ".intoto.jsonl",
// apk/provenance.h), nullopt when the repository has none. Verify it before trusting it.
std::optional<std::string> fetch_provenance(const Repository& repository, std::string_view arch,
                                            const IndexRecord& record, const FetchOptions& options);

// Throws unless `package` is the one `record` describes (same C: identity, name and version):
// the index signature vouches for the package through that identity.
void check_package_matches(const apk::Package& package, const IndexRecord& record);

}  // namespace lupine::index
