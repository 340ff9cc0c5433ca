#include "builder/recipe/recipe.h"

namespace lupine::builder {

Location locate_reference(const Text& text, std::string_view name) {
  Location at = locate_after(text.where, name.empty() ? std::string_view("${{") : name);
  if (name.empty() || !at.file || at.offset == text.where.offset) return at;
  // Step back over whitespace to the `${{` that opens the reference.
  const std::string& contents = at.file->contents;
  size_t start = at.offset;
  while (start > 0 && (contents[start - 1] == ' ' || contents[start - 1] == '\t')) --start;
  if (start >= 3 && contents.compare(start - 3, 3, "${{") == 0) {
    size_t back = at.offset - (start - 3);
    if (static_cast<size_t>(at.column) > back) {
      at.column -= static_cast<int>(back);
      at.offset -= back;
    }
  }
  return at;
}

Location locate_line(const Text& text, size_t index) {
  Location at = text.where;
  if (!at.file || at.offset >= at.file->contents.size()) return at;
  const std::string& contents = at.file->contents;
  char indicator = contents[at.offset];
  if (indicator != '|' && indicator != '>') return at;
  // Skip to the start of line `index + 1` below the indicator, then to its first non-blank.
  size_t pos = at.offset;
  for (size_t line = 0; line <= index; ++line) {
    pos = contents.find('\n', pos);
    if (pos == std::string::npos) return at;
    ++pos;
  }
  size_t first = pos;
  while (first < contents.size() && (contents[first] == ' ' || contents[first] == '\t')) ++first;
  at.line += static_cast<int>(index) + 1;
  at.column = static_cast<int>(first - pos) + 1;
  at.offset = first;
  return at;
}

std::string_view source_rest_of_line(const Location& where) {
  if (!where.file || where.offset >= where.file->contents.size()) return {};
  std::string_view contents = where.file->contents;
  size_t end = contents.find('\n', where.offset);
  return contents.substr(where.offset, end == std::string_view::npos ? std::string_view::npos : end - where.offset);
}

const Text* TextMap::find(std::string_view key) const {
  for (const auto& [k, v] : entries)
    if (k.value == key) return &v;
  return nullptr;
}

Text* TextMap::find(std::string_view key) {
  for (auto& [k, v] : entries)
    if (k.value == key) return &v;
  return nullptr;
}

void TextMap::put(const Text& key, const Text& value) {
  if (Text* existing = find(key.value)) {
    *existing = value;
    return;
  }
  entries.emplace_back(key, value);
}

}  // namespace lupine::builder
