// lupine's source cache, in melange's layout: a downloaded artifact is kept as
// `<cache>/sha256:<hex>` (or `sha512:<hex>` when only that is known), the name being its checksum,
// so the same directory can be mounted at /var/cache/melange for melange itself. Git repositories
// are mirrored as bare repositories under `<cache>/git/`.
//
// Entries appear atomically (a temp file in the cache directory, renamed only after its checksum
// matched), so concurrent fetches and crashes never leave a torn or unverified entry; an entry whose
// content no longer matches its name is removed when looked up.
#pragma once

#include "common/hash.h"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace lupine::builder {

// An expected checksum: algorithm (sha256 or sha512) and lower-case hex digits.
struct Checksum {
  HashAlgorithm algorithm = HashAlgorithm::sha256;
  std::string hex;

  // "sha256:<hex>" / "sha512:<hex>": the cache entry's name.
  std::string key() const;
  std::string_view algorithm_name() const;  // "sha256" / "sha512"
};

// Validates hex (64 digits for sha256, 128 for sha512; upper case accepted and lowered).
Checksum make_checksum(HashAlgorithm algorithm, std::string_view hex, std::string_view what);

// Hex digest of a whole file.
std::string file_digest_hex(HashAlgorithm algorithm, const std::filesystem::path& path);

class SourceCache {
 public:
  explicit SourceCache(std::filesystem::path dir);
  const std::filesystem::path& dir() const { return dir_; }

  std::filesystem::path entry_path(const Checksum& checksum) const;
  // The entry when present and still matching its checksum; a mismatching entry is removed.
  std::optional<std::filesystem::path> lookup(const Checksum& checksum) const;
  // Moves `verified` (a file in the cache directory whose checksum was checked) into place.
  std::filesystem::path insert(const std::filesystem::path& verified, const Checksum& checksum) const;
  // Where an entry's bytes came from when not from its URL (FetchResult::origin), kept in
  // <cache>/origins/<key>; "" when nothing was recorded.
  void set_origin(const Checksum& checksum, const std::string& origin) const;
  std::string origin(const Checksum& checksum) const;

  // Bare mirror of a git repository: `<cache>/git/<readable name>-<16 hex of sha256(url)>.git`.
  std::filesystem::path git_mirror_path(std::string_view repository) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace lupine::builder
