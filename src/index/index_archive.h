// APKINDEX.tar.gz (reference/apk.md §2.1): zero or more signature gzip members holding only
// `.SIGN.<ALG>.<key>` entries (no end-of-archive), then exactly one gzip member holding an optional
// DESCRIPTION (at most 160 bytes) and APKINDEX, ending with the tar end-of-archive blocks.
// Signatures cover the raw compressed bytes of that one index member.
#pragma once

#include "apk/keyring.h"
#include "apk/package_writer.h"
#include "apk/signature.h"
#include "index/index_record.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace lupine::index {

// apk-tools reads DESCRIPTION only up to this size; lupine refuses longer ones on read and write.
inline constexpr size_t max_description_size = 160;

struct IndexArchive {
  std::string origin;                      // file name or URL, for messages
  std::string description;                 // DESCRIPTION, empty when absent
  std::vector<IndexRecord> records;        // APKINDEX stanzas, in file order
  std::vector<apk::Signature> signatures;  // in archive order
  std::string index_member;                // the signed bytes: the raw compressed index member
};

// True when `bytes` are an index rather than a package: the first gzip member after the signature
// members holds an APKINDEX entry. Never throws (unreadable data is "not an index").
bool is_index_archive(std::string_view bytes);

// Reads the structure described above; each deviation is an Error naming `origin`: corrupt gzip
// data (naming the member), a signature member with other entries or end-of-archive blocks, more
// than one member after the signatures, an unknown, duplicate or non-regular entry, no APKINDEX,
// a DESCRIPTION over 160 bytes, no end-of-archive, or a malformed stanza. Signatures are only
// collected here; trust is verify_index_signature's call.
IndexArchive parse_index_archive(std::string_view bytes, const std::string& origin);
IndexArchive read_index_archive(const std::filesystem::path& path);

// The APKINDEX text of an index file, the archive checked as parse_index_archive checks it but the
// stanzas not parsed (`lupine index` reads an old index it wrote this way: canonical_stanzas).
struct IndexText {
  std::string content;  // the index member's tar
  size_t offset = 0;
  size_t size = 0;
  std::string_view apkindex() const { return std::string_view(content).substr(offset, size); }
};
IndexText read_index_text(const std::filesystem::path& path);

// Decides whether the index is trusted, and throws a distinct Error otherwise:
//   "<origin>: BAD signature ..."        a trusted key's signature does not match (always refused);
//   "<origin>: UNTRUSTED signature ..."  no signature by a key in `keyring`;
//   "<origin>: unsigned index ..."       no `.SIGN.*` entry at all.
// The last two pass when `allow_untrusted` (the returned status then tells which).
// Rule: every signature whose key is trusted is tried until one verifies (apko's rule, which lets a
// repository carry signatures by several keys during a key rotation); with one signature this is
// apk-tools' rule (the first trusted signature decides).
apk::SignatureCheck verify_index_signature(const IndexArchive& index, const apk::Keyring& keyring,
                                           bool allow_untrusted);

// The unsigned index member: one gzip member holding DESCRIPTION (only when not empty) then
// APKINDEX, both mode 0644, owner root, mtime `mtime`, then end-of-archive. Records are written
// in apk-tools' order (index_record_less) and fields (append_index_record, without r:/q:, which
// `apk index` does not write), compressed at gzip level 6. Same input, same bytes.
std::string make_index_member(std::vector<IndexRecord> records, const std::string& description, int64_t mtime);
// The same for records held elsewhere, and for stanzas already written (`lupine index` copies those
// of an old index it wrote: canonical_stanzas). Same records, same bytes, whichever form they come in.
std::string make_index_member(std::vector<const IndexRecord*> records, const std::string& description,
                              int64_t mtime);
std::string make_index_member(std::vector<IndexStanza> stanzas, const std::string& description, int64_t mtime);

// `index_member` preceded by a signature member made with `signer` (unchanged when signer.key is null).
std::string sign_index_member(std::string_view index_member, const apk::PackageSigner& signer, int64_t mtime);

// The whole APKINDEX.tar.gz: make_index_member, signed when signer.key is set.
std::string make_index_archive(std::vector<IndexRecord> records, const std::string& description, int64_t mtime,
                               const apk::PackageSigner& signer);
std::string make_index_archive(std::vector<IndexStanza> stanzas, const std::string& description, int64_t mtime,
                               const apk::PackageSigner& signer);

// Replaces every signature of an existing index with one by `signer`; the index member is kept
// byte for byte. The input must pass parse_index_archive.
std::string resign_index_archive(std::string_view bytes, const std::string& origin,
                                 const apk::PackageSigner& signer, int64_t mtime);

}  // namespace lupine::index
