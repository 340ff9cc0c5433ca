#include "builder/source/deb822.h"

#include <cctype>
#include <sstream>

namespace lupine::builder {

namespace {
std::string trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}
}  // namespace

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

std::vector<Deb822Stanza> parse_deb822(std::string_view text) {
  std::vector<Deb822Stanza> stanzas;
  Deb822Stanza current;
  auto flush = [&] {
    if (!current.empty()) stanzas.push_back(std::move(current));
    current.clear();
  };
  std::vector<std::string_view> lines = lines_of(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (line.find_first_not_of(" \t") == std::string_view::npos) {
      flush();
      continue;
    }
    if (line.front() == '#') continue;
    if ((line.front() == ' ' || line.front() == '\t')) {
      if (!current.empty()) current.back().raw += "\n" + std::string(line);
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // not a field: apt would refuse the file; skip it
    current.push_back({trim(line.substr(0, colon)), std::string(line.substr(colon + 1)), i + 1});
  }
  flush();
  return stanzas;
}

const Deb822Field* find_field(const Deb822Stanza& stanza, std::string_view name) {
  for (const auto& field : stanza)
    if (same_name(field.name, name)) return &field;
  return nullptr;
}

std::string value_of(const Deb822Stanza& stanza, std::string_view name) {
  const Deb822Field* field = find_field(stanza, name);
  return field ? trim(field->raw.substr(0, field->raw.find('\n'))) : "";
}

}  // namespace lupine::builder
