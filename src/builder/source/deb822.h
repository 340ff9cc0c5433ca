// deb822 as apt writes it and reads it (sources files, `apt-cache showsrc`, a suite's Sources
// index): stanzas separated by blank lines, fields "Name: value", continuation lines starting with
// a space or tab, '#' lines comments. Field names are case-insensitive.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lupine::builder {

struct Deb822Field {
  std::string name;
  std::string raw;   // value of the first line, then "\n" + each continuation line as written
  size_t line = 0;   // 1-based line of the field's name in the text
};
using Deb822Stanza = std::vector<Deb822Field>;

std::vector<Deb822Stanza> parse_deb822(std::string_view text);

// The field `name` (compared case-insensitively), nullptr when absent.
const Deb822Field* find_field(const Deb822Stanza& stanza, std::string_view name);

// The single-line value of a field, trimmed ("" when absent).
std::string value_of(const Deb822Stanza& stanza, std::string_view name);

// The lines of `text` without their "\n" (and a trailing "\r"); no last empty line after a final "\n".
std::vector<std::string_view> lines_of(std::string_view text);

// Whitespace-separated words.
std::vector<std::string> split_words(std::string_view text);

}  // namespace lupine::builder
