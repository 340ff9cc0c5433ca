#include "index/index_record.h"

#include "apk/package.h"
#include "apk/version.h"
#include "common/error.h"
#include "common/words.h"

#include <algorithm>
#include <charconv>
#include <cctype>
#include <cstring>
#include <strings.h>

namespace lupine::index {

namespace {

template <typename Integer>
Integer parse_number(std::string_view value, const std::string& origin, size_t line, char key) {
  Integer result{};
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), result);
  if (error != std::errc() || end != value.data() + value.size())
    fail("{}:{}: field {}: expected a number, got '{}'", origin, line, key, value);
  return result;
}

void split_words(std::vector<std::string>& out, std::string_view value) {
  // Spaces + 1 bounds the word count: reserve once instead of regrowing (and moving) per word.
  // Counted with memchr: a list has a few words of 10-40 bytes each.
  size_t spaces = 0;
  for (const char *p = value.data(), *end = p + value.size();
       (p = static_cast<const char*>(std::memchr(p, ' ', static_cast<size_t>(end - p)))) != nullptr; ++p)
    ++spaces;
  out.reserve(out.size() + spaces + 1);
  append_words(out, value, " ");
}

void append_list(std::string& out, char key, const std::vector<std::string>& values) {
  if (values.empty()) return;
  out.push_back(key);
  out.push_back(':');
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out.push_back(' ');
    out.append(values[i]);
  }
  out.push_back('\n');
}

}  // namespace

namespace {

// The line loop behind for_each_index_line, inlined into parse_apkindex (no std::function per line).
template <typename Field, typename EndOfStanza>
inline void scan_index_lines(std::string_view text, const std::string& origin, Field&& field,
                             EndOfStanza&& end_of_stanza) {
  size_t line_number = 0;
  bool in_stanza = false;
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p != end) {
    const char* newline = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
    const char* line_end = newline ? newline : end;
    const std::string_view line(p, static_cast<size_t>(line_end - p));
    p = newline ? newline + 1 : end;
    ++line_number;
    if (line.empty()) {
      if (in_stanza) end_of_stanza(line_number);
      in_stanza = false;
      continue;
    }
    if (line.size() < 2 || line[1] != ':')
      fail("{}:{}: expected 'X:value', got '{}'", origin, line_number, line.substr(0, 60));
    in_stanza = true;
    field(line_number, line[0], line.substr(2));
  }
  if (in_stanza) end_of_stanza(line_number + 1);
}

}  // namespace

void for_each_index_line(std::string_view text, const std::string& origin,
                         const std::function<void(size_t, char, std::string_view)>& field,
                         const std::function<void(size_t)>& end_of_stanza) {
  scan_index_lines(text, origin, field, end_of_stanza);
}

bool apply_index_field(IndexRecord& record, char key, std::string_view value, const std::string& origin,
                       size_t line) {
  switch (key) {
    case 'C': record.identity = value; break;
    case 'P': record.name = value; break;
    case 'V': record.version = value; break;
    case 'A': record.arch = value; break;
    case 'S': record.file_size = parse_number<uint64_t>(value, origin, line, key); break;
    case 'I': record.installed_size = parse_number<uint64_t>(value, origin, line, key); break;
    case 'T': record.description = value; break;
    case 'U': record.url = value; break;
    case 'L': record.license = value; break;
    case 'o': record.origin = value; break;
    case 'm': record.maintainer = value; break;
    case 't': record.build_time = parse_number<int64_t>(value, origin, line, key); break;
    case 'c': record.commit = value; break;
    case 'k': record.provider_priority = parse_number<int64_t>(value, origin, line, key); break;
    case 'D': split_words(record.depends, value); break;
    case 'p': split_words(record.provides, value); break;
    case 'i': split_words(record.install_if, value); break;
    case 'r': split_words(record.replaces, value); break;
    case 'q': record.replaces_priority = parse_number<int64_t>(value, origin, line, key); break;
    default: return false;
  }
  return true;
}

std::vector<IndexRecord> parse_apkindex(std::string_view text, const std::string& origin) {
  std::vector<IndexRecord> records;
  // Stanzas are 150-400 bytes (generated repositories to Alpine's): reserving for the small end
  // means the records are never moved; unused capacity is address space, never touched.
  records.reserve(text.size() / 128 + 1);
  // Each stanza is parsed in place, into the record at the back (no move of a whole record).
  IndexRecord* current = nullptr;
  scan_index_lines(
      text, origin,
      [&](size_t line, char key, std::string_view value) {
        if (!current) {
          current = &records.emplace_back();
          current->line = line;
        }
        if (!apply_index_field(*current, key, value, origin, line)) {
          current->unknown.emplace_back(key, std::string(value));
          if (key >= 'A' && key <= 'Z') current->uninstallable = true;
        }
      },
      [&](size_t) {
        if (current->name.empty()) fail("{}:{}: package stanza without P: (name)", origin, current->line);
        if (current->version.empty())
          fail("{}:{}: package {} has no V: (version)", origin, current->line, current->name);
        if (current->identity.empty())
          fail("{}:{}: package {} has no C: (identity checksum)", origin, current->line, current->name);
        current = nullptr;
      });
  return records;
}

void append_index_record(std::string& out, const IndexRecord& record, bool with_replaces) {
  auto field = [&out](char key, std::string_view value) {
    out.push_back(key);
    out.push_back(':');
    out.append(value);
    out.push_back('\n');
  };
  field('C', record.identity);
  field('P', record.name);
  field('V', record.version);
  if (!record.arch.empty()) field('A', record.arch);
  field('S', std::to_string(record.file_size));
  field('I', std::to_string(record.installed_size));
  field('T', record.description);
  field('U', record.url);
  field('L', record.license);
  if (!record.origin.empty()) field('o', record.origin);
  if (!record.maintainer.empty()) field('m', record.maintainer);
  if (record.build_time) field('t', std::to_string(record.build_time));
  if (!record.commit.empty()) field('c', record.commit);
  if (record.provider_priority) field('k', std::to_string(record.provider_priority));
  append_list(out, 'D', record.depends);
  append_list(out, 'p', record.provides);
  append_list(out, 'i', record.install_if);
  if (with_replaces) {
    append_list(out, 'r', record.replaces);
    if (record.replaces_priority) field('q', std::to_string(record.replaces_priority));
  }
  out.push_back('\n');
}

IndexRecord index_record_from_package(const apk::Package& package, uint64_t file_size) {
  const apk::PkgInfo& info = package.info();
  IndexRecord record;
  record.identity = package.identity();
  record.name = info.pkgname;
  record.version = info.pkgver;
  record.arch = info.arch;
  record.file_size = file_size;
  record.installed_size = info.size;
  record.description = info.pkgdesc;
  record.url = info.url;
  record.license = info.license;
  record.origin = info.origin;
  record.maintainer = info.maintainer;
  record.build_time = info.builddate.value_or(0);
  record.commit = info.commit;
  record.provider_priority = info.provider_priority.value_or(0);
  record.depends = info.depends;
  record.provides = info.provides;
  record.install_if = info.install_if;
  record.replaces = info.replaces;
  record.replaces_priority = info.replaces_priority.value_or(0);
  return record;
}

namespace {

// strcasecmp's order (C locale) on views.
int compare_ignoring_case(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    int ca = std::tolower(static_cast<unsigned char>(a[i])), cb = std::tolower(static_cast<unsigned char>(b[i]));
    if (ca != cb) return ca - cb;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

bool name_version_less(std::string_view a_name, std::string_view a_version, std::string_view b_name,
                       std::string_view b_version) {
  int by_name = compare_ignoring_case(a_name, b_name);
  if (by_name != 0) return by_name < 0;
  if (a_name != b_name) return a_name < b_name;
  return apk::version_compare(a_version, b_version) == apk::LESS;
}

}  // namespace

bool index_record_less(const IndexRecord& a, const IndexRecord& b) {
  return name_version_less(a.name, a.version, b.name, b.version);
}

bool index_stanza_less(const IndexStanza& a, const IndexStanza& b) {
  return name_version_less(a.name, a.version, b.name, b.version);
}

std::vector<const IndexRecord*> pointers_to(const std::vector<IndexRecord>& records) {
  std::vector<const IndexRecord*> pointers;
  pointers.reserve(records.size());
  for (const auto& record : records) pointers.push_back(&record);
  return pointers;
}

std::vector<IndexStanza> index_stanzas(const std::vector<const IndexRecord*>& records, std::string& storage) {
  std::vector<IndexStanza> stanzas;
  stanzas.reserve(records.size());
  std::vector<std::pair<size_t, size_t>> spans;  // [start, end) of each text in `storage`
  spans.reserve(records.size());
  for (const IndexRecord* record : records) {
    size_t start = storage.size();
    append_index_record(storage, *record, /*with_replaces=*/false);
    stanzas.push_back({record->name, record->version, record->arch, record->file_size, {}});
    spans.emplace_back(start, storage.size());
  }
  for (size_t i = 0; i < stanzas.size(); ++i)  // `storage` has stopped growing
    stanzas[i].text = std::string_view(storage).substr(spans[i].first, spans[i].second - spans[i].first);
  return stanzas;
}

namespace {

// What append_index_record writes, in its order: for each key, whether it is always written and
// what its value must look like to be written back unchanged.
enum class Value { text, nonempty, unsigned_number, nonzero_number, list };
struct CanonicalField {
  char key;
  bool always;
  Value value;
};
constexpr CanonicalField kCanonicalFields[] = {
    {'C', true, Value::nonempty}, {'P', true, Value::nonempty}, {'V', true, Value::nonempty},
    {'A', false, Value::nonempty}, {'S', true, Value::unsigned_number}, {'I', true, Value::unsigned_number},
    {'T', true, Value::text}, {'U', true, Value::text}, {'L', true, Value::text},
    {'o', false, Value::nonempty}, {'m', false, Value::nonempty}, {'t', false, Value::nonzero_number},
    {'c', false, Value::nonempty}, {'k', false, Value::nonzero_number}, {'D', false, Value::list},
    {'p', false, Value::list}, {'i', false, Value::list},
};

// Digits as std::to_string writes them: no sign, no leading zero; within uint64 / int64 range.
bool canonical_unsigned(std::string_view value) {
  if (value.empty() || value.size() > 20 || (value[0] == '0' && value.size() > 1)) return false;
  uint64_t parsed = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  return error == std::errc() && end == value.data() + value.size();
}
bool canonical_nonzero(std::string_view value) {
  std::string_view digits = value.starts_with('-') ? value.substr(1) : value;
  if (digits.empty() || digits[0] == '0' || digits.find_first_not_of("0123456789") != std::string_view::npos)
    return false;
  int64_t parsed = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  return error == std::errc() && end == value.data() + value.size();
}

bool canonical_value(Value kind, std::string_view value) {
  switch (kind) {
    case Value::text: return true;
    case Value::nonempty: return !value.empty();
    case Value::unsigned_number: return canonical_unsigned(value);
    case Value::nonzero_number: return canonical_nonzero(value);
    case Value::list:  // split on single spaces, empty words dropped, joined by single spaces
      return !value.empty() && value.front() != ' ' && value.back() != ' ' &&
             value.find("  ") == std::string_view::npos;
  }
  return false;
}

}  // namespace

std::optional<std::vector<IndexStanza>> canonical_stanzas(std::string_view text) {
  std::vector<IndexStanza> stanzas;
  stanzas.reserve(text.size() / 128 + 1);
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p != end) {
    if (*p == '\n') {  // blank lines between stanzas are not part of any
      ++p;
      continue;
    }
    IndexStanza stanza;
    const char* start = p;
    size_t next_field = 0;  // index into kCanonicalFields
    for (;;) {
      const char* newline = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
      if (!newline) return std::nullopt;  // a last line without '\n' is written back with one
      std::string_view line(p, static_cast<size_t>(newline - p));
      p = newline + 1;
      if (line.empty()) break;  // the blank line ending the stanza
      if (line.size() < 2 || line[1] != ':') return std::nullopt;
      const char key = line[0];
      const std::string_view value = line.substr(2);
      // The next field written: skipped optional ones may lie between.
      while (next_field < std::size(kCanonicalFields) && kCanonicalFields[next_field].key != key) {
        if (kCanonicalFields[next_field].always) return std::nullopt;
        ++next_field;
      }
      if (next_field == std::size(kCanonicalFields)) return std::nullopt;  // order, repeats, r/q/unknown
      if (!canonical_value(kCanonicalFields[next_field].value, value)) return std::nullopt;
      ++next_field;
      switch (key) {
        case 'P': stanza.name = value; break;
        case 'V': stanza.version = value; break;
        case 'A': stanza.arch = value; break;
        case 'S': std::from_chars(value.data(), value.data() + value.size(), stanza.file_size); break;
        default: break;
      }
      if (p == end) return std::nullopt;  // no blank line after the stanza
    }
    for (size_t f = next_field; f < std::size(kCanonicalFields); ++f)
      if (kCanonicalFields[f].always) return std::nullopt;
    stanza.text = std::string_view(start, static_cast<size_t>(p - start));
    stanzas.push_back(stanza);
  }
  return stanzas;
}

}  // namespace lupine::index
