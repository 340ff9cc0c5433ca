// Comparing two APK packages, as `lupine rebuild` compares a rebuild with the original: identical
// when the control and data members are the same bytes (the signatures may differ: another key
// signs the same content differently); otherwise the entries that differ, in each member, with
// what each side has (type, mode, owner, size, sha256, link target, mtime, xattrs) and, for
// contents of the same length or not, the offset of the first differing byte.
#pragma once

#include "apk/package.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lupine::apk {

struct EntryDifference {
  std::string member;  // "control" or "data"
  std::string path;
  std::string original;  // what the original has, "" when it has no such entry
  std::string rebuilt;   // what the rebuild has, "" when it has no such entry
  std::optional<uint64_t> first_differing_byte;  // both regular files, contents differ
};

struct PackageDifference {
  bool identical = false;          // control and data members byte for byte
  bool same_signature = false;     // the signature members too (the whole file)
  std::vector<EntryDifference> entries;  // in each member's order, original's entries first
  // Set when the members differ but no entry does (entry order, or compression).
  std::string note;
};

PackageDifference diff_packages(const Package& original, const Package& rebuilt);

// One line per difference, indented by two spaces:
//   data usr/bin/hello: regular 0755 0:0 size 20 sha256 ab… | regular 0755 0:0 size 21 sha256 cd… (first differing byte at 14)
std::string render_package_difference(const PackageDifference& difference);

}  // namespace lupine::apk
