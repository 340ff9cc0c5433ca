// Splitting whitespace-separated lists (dependency lists in .PKGINFO, APKINDEX D:/p:/i:, world,
// repositories lines): empty words are skipped.
#pragma once

#include <array>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace lupine {

inline constexpr std::string_view kWordSeparators = " \t\r\n";

// Appends each word of `text` to `out`.
//
// A plain byte loop over a separator table: string_view::find_first_of calls memchr over the
// separator set once per character of `text`, which made this the hottest loop of APKINDEX parsing.
template <typename String>
void append_words(std::vector<String>& out, std::string_view text, std::string_view separators = kWordSeparators) {
  if (separators.size() == 1) {  // APKINDEX lists: words are separated by single spaces, found by memchr
    const char separator = separators.front();
    const char* p = text.data();
    const char* const end = p + text.size();
    while (p != end) {
      const char* next = static_cast<const char*>(std::memchr(p, separator, static_cast<size_t>(end - p)));
      const char* word_end = next ? next : end;
      if (word_end != p) out.emplace_back(std::string_view(p, static_cast<size_t>(word_end - p)));
      p = next ? next + 1 : end;
    }
    return;
  }
  std::array<bool, 256> is_separator{};
  for (char c : separators) is_separator[static_cast<unsigned char>(c)] = true;
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p != end) {
    while (p != end && is_separator[static_cast<unsigned char>(*p)]) ++p;
    if (p == end) break;
    const char* start = p;
    while (p != end && !is_separator[static_cast<unsigned char>(*p)]) ++p;
    out.emplace_back(std::string_view(start, static_cast<size_t>(p - start)));
  }
}

inline std::vector<std::string_view> split_words(std::string_view text,
                                                 std::string_view separators = kWordSeparators) {
  std::vector<std::string_view> words;
  append_words(words, text, separators);
  return words;
}

// `text` without the spaces and tabs around it, nor the '\r' a CRLF line ending leaves (the lines of
// dpkg's files, env files).
inline std::string_view trim_line(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

}  // namespace lupine
