// One package stanza of an APKINDEX or of lib/apk/db/installed (reference/apk.md §2.2):
// `X:value` lines, stanzas separated by a blank line.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lupine::apk {
class Package;
}

namespace lupine::index {

struct IndexRecord {
  std::string identity;      // C: "Q1" + base64 SHA-1 of the control member
  std::string name;          // P
  std::string version;       // V
  std::string arch;          // A
  uint64_t file_size = 0;    // S: size of the .apk
  uint64_t installed_size = 0;  // I
  std::string description;   // T
  std::string url;           // U
  std::string license;       // L
  std::string origin;        // o
  std::string maintainer;    // m
  int64_t build_time = 0;    // t
  std::string commit;        // c
  int64_t provider_priority = 0;  // k
  std::vector<std::string> depends;     // D
  std::vector<std::string> provides;    // p
  std::vector<std::string> install_if;  // i
  std::vector<std::string> replaces;    // r (installed db; lupine also reads it from indexes)
  int64_t replaces_priority = 0;        // q
  // Fields lupine does not model, in order. apk-tools: an unknown upper-case field makes the
  // package uninstallable ("This apk-tools is OLD!"), lower-case ones are ignored.
  std::vector<std::pair<char, std::string>> unknown;
  bool uninstallable = false;
  size_t line = 0;  // where the stanza starts in its file (for messages)
};

// Calls `field(line_number, key, value)` for every `X:value` line and `end_of_stanza(line)` after
// each stanza (at a blank line or the end). Errors name `origin` and the line.
void for_each_index_line(std::string_view text, const std::string& origin,
                         const std::function<void(size_t line, char key, std::string_view value)>& field,
                         const std::function<void(size_t line)>& end_of_stanza);

// Applies one index field to `record`; returns false for keys it does not know (left to the caller).
bool apply_index_field(IndexRecord& record, char key, std::string_view value, const std::string& origin,
                       size_t line);

// Parses an APKINDEX text. A stanza without C:, P: or V: is an error naming its line.
std::vector<IndexRecord> parse_apkindex(std::string_view text, const std::string& origin);

// Appends `record` in apk-tools' order (C P V A S I T U L o m t c k D p i, then r q for lupine),
// followed by the blank line that ends a stanza.
void append_index_record(std::string& out, const IndexRecord& record, bool with_replaces = true);

// The record an index holds for a package file of `file_size` bytes.
IndexRecord index_record_from_package(const apk::Package& package, uint64_t file_size);

// apk-tools' display order of packages: by name (case-insensitive, then bytewise), then version.
bool index_record_less(const IndexRecord& a, const IndexRecord& b);

// One stanza of an index being written: its text as append_index_record(…, with_replaces=false)
// writes it (blank line included) and the fields `lupine index` sorts and checks by. The views
// point into storage the caller keeps.
struct IndexStanza {
  std::string_view name;
  std::string_view version;
  std::string_view arch;
  uint64_t file_size = 0;
  std::string_view text;
};

// The stanzas of `records`, their texts written one after the other at the end of `storage` and
// viewed there once it has stopped growing (valid until `storage` changes again). The other views
// point into the records.
std::vector<IndexStanza> index_stanzas(const std::vector<const IndexRecord*>& records, std::string& storage);

// Pointers to each of `records`, in order (for index_stanzas and sorting without moving records).
std::vector<const IndexRecord*> pointers_to(const std::vector<IndexRecord>& records);

// The stanzas of an APKINDEX text when each one is exactly what append_index_record(…, false)
// writes for it — an index lupine wrote — with views into `text`: they can be copied as they are
// instead of being parsed and written again. Nothing when any stanza is otherwise (other field
// order, r:/q:/unknown fields, non-canonical numbers or lists, malformed lines, …): the caller then
// parses the text with parse_apkindex, which also reports what is wrong.
std::optional<std::vector<IndexStanza>> canonical_stanzas(std::string_view text);

// index_record_less for stanzas.
bool index_stanza_less(const IndexStanza& a, const IndexStanza& b);

}  // namespace lupine::index
