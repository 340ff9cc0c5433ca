// Splitting whitespace-separated lists (dependency lists in .PKGINFO, APKINDEX D:/p:/i:, world,
// repositories lines): empty words are skipped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lupine {

inline constexpr std::string_view kWordSeparators = " \t\r\n";

// Appends each word of `text` to `out`.
template <typename String>
void append_words(std::vector<String>& out, std::string_view text, std::string_view separators = kWordSeparators) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t start = text.find_first_not_of(separators, pos);
    if (start == std::string_view::npos) break;
    size_t end = text.find_first_of(separators, start);
    if (end == std::string_view::npos) end = text.size();
    out.emplace_back(text.substr(start, end - start));
    pos = end;
  }
}

inline std::vector<std::string_view> split_words(std::string_view text,
                                                 std::string_view separators = kWordSeparators) {
  std::vector<std::string_view> words;
  append_words(words, text, separators);
  return words;
}

}  // namespace lupine
