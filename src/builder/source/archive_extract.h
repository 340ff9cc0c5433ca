// Extracting source archives (tar, compressed with gzip/xz/bzip2/zstd or not, and zip) through
// libarchive, with tar's --strip-components, never writing outside a confinement directory.
//
// The whole archive is judged before anything is written: an absolute entry, a `..` component, an
// entry written through a symlink of the archive, a hard link to a name the archive does not hold,
// or a symlink whose target leaves the confinement directory (absolute targets always do) makes
// extract_archive throw UnsafeArchiveError and leaves the destination untouched. The entries are
// then written into a fresh staging directory inside the destination and moved into place only when
// all of them were written, so a damaged archive leaves nothing behind either.
//
// Owners are not restored (tar --no-same-owner); permissions and modification times are.
// Device nodes, FIFOs and sockets are skipped and counted.
#pragma once

#include "common/error.h"

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace lupine::builder {

struct ExtractOptions {
  // Leading path components removed from each entry (GNU tar counts a leading "./" as one).
  // Entries with no more components than this are skipped.
  int strip_components = 0;
  // Symlink targets must stay inside this directory; empty: the destination. The destination must
  // be inside it.
  std::filesystem::path confine_to;
};

struct ExtractStats {
  size_t files = 0;
  size_t directories = 0;
  size_t symlinks = 0;
  size_t hardlinks = 0;
  size_t skipped = 0;  // special files, and entries removed entirely by strip_components
};

// An archive refused for its content: what() names the archive and the offending entry.
class UnsafeArchiveError : public Error {
 public:
  using Error::Error;
};

// Judges every entry as described above without writing anything; returns what extraction would do.
// Throws UnsafeArchiveError, or Error when the file is not a readable archive.
ExtractStats check_archive(const std::filesystem::path& archive, const std::filesystem::path& destination,
                           const ExtractOptions& options);

// Extracts `archive` into `destination` (created when missing), merging with what is there as tar
// does: files are replaced, directories merged, an existing symlink is replaced rather than followed.
ExtractStats extract_archive(const std::filesystem::path& archive, const std::filesystem::path& destination,
                             const ExtractOptions& options);

// Moves everything under `staged` into `destination` (which exists) as extraction does: files and
// symlinks replace what is there, directories merge, an existing symlink is replaced by a directory
// rather than followed. Checks first that no file would replace a directory, so it either fails
// before moving anything or moves everything. `staged` is left empty or partly empty.
void merge_directory_into(const std::filesystem::path& staged, const std::filesystem::path& destination);

// An entry name after strip-components and normalisation ("." components dropped): nullopt-like
// empty vector when nothing remains. Throws UnsafeArchiveError for absolute names and `..`.
std::vector<std::string> normalized_entry_path(const std::string& archive_name, const std::string& entry_name,
                                               int strip_components);

}  // namespace lupine::builder
