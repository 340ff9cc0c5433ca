// Building a repository index from package files (`lupine index`), incrementally and safely:
//
// * Incremental: records of an old index are reused for files that have not changed, with
//   apk-tools' rule (app_index.c): the file is named `<P>-<V>.apk` after an old record, its size is
//   that record's S:, and it is not newer than the old index file. Every other package is read
//   and verified: signature against the keyring, and datahash (SHA-256 of the compressed data
//   member). The data member is not inflated — as apk-tools' `apk index`, which reads only the
//   control member; per-file checksums are checked when a package is installed or extracted.
// * Atomic: the new index is written to a temporary file beside the output and renamed over it,
//   so a reader (or a crash, or kill -9) only ever sees the old or the new index. It is not
//   fsync'd (see build_index): after a power cut a rerun makes it again.
// * Serialised: the whole read-old/read-packages/write cycle holds an exclusive flock on
//   `<output>.lock`, so two concurrent runs on one output do not interleave; the second then sees
//   the first's index as its old index. The lock file is left in place (removing it would race).
#pragma once

#include "apk/keyring.h"
#include "apk/package_writer.h"
#include "index/index_record.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lupine::index {

struct IndexBuildOptions {
  std::filesystem::path output;  // the APKINDEX.tar.gz to write
  // The old index to reuse records from. When unset, the output itself is used if it exists.
  // A missing file means "no old index" (a first run), as for apk-tools and melange.
  std::optional<std::filesystem::path> source_index;
  bool merge = false;           // keep old records for packages not given (replaced by name-version)
  std::string description;      // DESCRIPTION (at most 160 bytes), none when empty
  std::string arch;             // when set, a package of another arch (not noarch) is an error
  const apk::Keyring* keyring = nullptr;  // package signatures are checked against it
  bool allow_untrusted = false;           // unsigned or unknown-key packages pass (integrity still checked)
  apk::PackageSigner signer;              // the index is signed when signer.key is set
  int64_t mtime = 0;                      // SOURCE_DATE_EPOCH: the timestamp inside the index
  unsigned threads = 0;                   // packages read in parallel; 0 = one per core
  // With a value, the index carries its freshness (index_freshness.h) in DESCRIPTION: the old
  // index's version + 1 (1 when it has none) and an expiry this many seconds after `now`.
  std::optional<int64_t> expires_in;
  int64_t now = 0;  // the clock for expires_in, Unix seconds; 0 = the real one
};

struct IndexBuildStats {
  size_t records = 0;  // stanzas written
  size_t read = 0;     // package files read and verified
  size_t reused = 0;   // records taken unchanged from the old index
  size_t merged = 0;   // old records kept by --merge without a file given
  std::vector<std::string> warnings;  // e.g. an unreadable old index that was ignored
};

// Indexes `packages` into options.output as described above. Errors name the offending file;
// when several packages fail, all are reported in one Error and nothing is written.
IndexBuildStats build_index(const std::vector<std::filesystem::path>& packages, const IndexBuildOptions& options);
// The same for file names as given on a command line (no std::filesystem::path made for each).
IndexBuildStats build_index_of_files(const std::vector<std::string>& packages, const IndexBuildOptions& options);

// The record for one package file after verifying it (what build_index does for a new file):
// signature and datahash, without inflating the data member.
IndexRecord index_package_file(const std::filesystem::path& path, const apk::Keyring& keyring, bool allow_untrusted);

// `<name>-<version>.apk`: the file name apk-tools expects for a record (and looks packages up by).
std::string package_file_name(const IndexRecord& record);

}  // namespace lupine::index
