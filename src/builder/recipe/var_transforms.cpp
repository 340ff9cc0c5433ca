#include "builder/recipe/var_transforms.h"

#include <fmt/format.h>

#include <cctype>

namespace lupine::builder {

namespace {

struct Translation {
  std::string pattern;
  std::vector<std::string> group_names{""};
  bool icase = false;
  bool dotall = false;
  bool multiline = false;
};

struct TranslateError {
  std::string message;
};

bool is_octal(char c) { return c >= '0' && c <= '7'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Characters that must be escaped to be literal in an ECMAScript pattern.
bool is_syntax_char(char c) {
  switch (c) {
    case '^': case '$': case '\\': case '.': case '*': case '+': case '?': case '(': case ')':
    case '[': case ']': case '{': case '}': case '|': case '/': case '-':
      return true;
    default:
      return false;
  }
}

void append_literal(std::string& out, char c) {
  if (is_syntax_char(c)) out += '\\';
  out += c;
}

void append_code_point(std::string& out, unsigned long value) {
  if (value > 0xFFFF) throw TranslateError{"code points above U+FFFF are not supported"};
  if (value <= 0xFF) out += fmt::format("\\x{:02x}", value);
  else out += fmt::format("\\u{:04x}", value);
}

class Translator {
 public:
  explicit Translator(std::string_view pattern) : in_(pattern) {}

  Translation run() {
    leading_flags();
    while (pos_ < in_.size()) outside_class();
    return std::move(out_);
  }

 private:
  char peek(size_t ahead = 0) const { return pos_ + ahead < in_.size() ? in_[pos_ + ahead] : '\0'; }

  // (?i), (?s), (?m) at the very start set flags for the whole pattern, as Go applies them there.
  void leading_flags() {
    while (in_.substr(pos_, 2) == "(?") {
      size_t end = pos_ + 2;
      while (end < in_.size() && std::isalpha(static_cast<unsigned char>(in_[end]))) ++end;
      if (end >= in_.size() || in_[end] != ')' || end == pos_ + 2) return;
      for (size_t k = pos_ + 2; k < end; ++k) {
        switch (in_[k]) {
          case 'i': out_.icase = true; break;
          case 's': out_.dotall = true; break;
          case 'm': out_.multiline = true; break;
          default: throw TranslateError{fmt::format("flag '{}' is not supported", in_[k])};
        }
      }
      pos_ = end + 1;
    }
  }

  void outside_class() {
    char c = in_[pos_];
    switch (c) {
      case '\\': escape(false); return;
      case '(': group(); return;
      case '[': char_class(); return;
      case '{':
        if (is_repetition()) {
          size_t close = in_.find('}', pos_);
          out_.pattern.append(in_.substr(pos_, close - pos_ + 1));
          pos_ = close + 1;
        } else {
          out_.pattern += "\\{";
          ++pos_;
        }
        return;
      case '}':
        out_.pattern += "\\}";
        ++pos_;
        return;
      case '.':
        out_.pattern += out_.dotall ? "[\\s\\S]" : ".";
        ++pos_;
        return;
      default:
        out_.pattern += c;
        ++pos_;
    }
  }

  // {n}, {n,}, {n,m} at pos_.
  bool is_repetition() const {
    size_t i = pos_ + 1;
    size_t digits = 0;
    while (i < in_.size() && is_digit(in_[i])) ++i, ++digits;
    if (digits == 0) return false;
    if (i < in_.size() && in_[i] == ',') {
      ++i;
      while (i < in_.size() && is_digit(in_[i])) ++i;
    }
    return i < in_.size() && in_[i] == '}';
  }

  void group() {
    if (peek(1) != '?') {
      out_.pattern += '(';
      out_.group_names.emplace_back();
      ++pos_;
      return;
    }
    // (?P<name>re) or (?<name>re)
    size_t name_start = 0;
    if (in_.substr(pos_, 4) == "(?P<") name_start = pos_ + 4;
    else if (in_.substr(pos_, 3) == "(?<" && peek(3) != '=' && peek(3) != '!') name_start = pos_ + 3;
    if (name_start) {
      size_t close = in_.find('>', name_start);
      if (close == std::string_view::npos) throw TranslateError{"unterminated group name"};
      std::string_view name = in_.substr(name_start, close - name_start);
      for (char ch : name)
        if (!is_word(ch)) throw TranslateError{fmt::format("invalid group name \"{}\"", name)};
      out_.pattern += '(';
      out_.group_names.emplace_back(name);
      pos_ = close + 1;
      return;
    }
    if (peek(2) == ':') {
      out_.pattern += "(?:";
      pos_ += 3;
      return;
    }
    throw TranslateError{fmt::format("group syntax \"{}\" is not supported (Go's RE2 has no look-around; "
                                     "flags are supported only at the start of the pattern)",
                                     in_.substr(pos_, 4))};
  }

  void char_class() {
    out_.pattern += '[';
    ++pos_;
    if (peek() == '^') {
      out_.pattern += '^';
      ++pos_;
    }
    // RE2 reads a ']' right after '[' or '[^' as a literal member.
    if (peek() == ']') {
      out_.pattern += "\\]";
      ++pos_;
    }
    while (pos_ < in_.size()) {
      char c = in_[pos_];
      if (c == ']') {
        out_.pattern += ']';
        ++pos_;
        return;
      }
      if (c == '\\') {
        escape(true);
        continue;
      }
      if (c == '[' && peek(1) == ':') {
        size_t close = in_.find(":]", pos_ + 2);
        if (close == std::string_view::npos) throw TranslateError{"unterminated POSIX class"};
        out_.pattern.append(in_.substr(pos_, close + 2 - pos_));
        pos_ = close + 2;
        continue;
      }
      if (c == '[') out_.pattern += '\\';
      out_.pattern += c;
      ++pos_;
    }
    throw TranslateError{"missing closing ]"};
  }

  void escape(bool in_class) {
    if (pos_ + 1 >= in_.size()) throw TranslateError{"trailing backslash"};
    char c = in_[pos_ + 1];
    pos_ += 2;
    switch (c) {
      case 'A':
        if (in_class) throw TranslateError{"\\A inside a character class"};
        out_.pattern += '^';
        return;
      case 'z':
        if (in_class) throw TranslateError{"\\z inside a character class"};
        out_.pattern += '$';
        return;
      case 'Q': {
        size_t end = in_.find("\\E", pos_);
        std::string_view literal = in_.substr(pos_, end == std::string_view::npos ? std::string_view::npos : end - pos_);
        for (char ch : literal) append_literal(out_.pattern, ch);
        pos_ = end == std::string_view::npos ? in_.size() : end + 2;
        return;
      }
      case 'a': out_.pattern += "\\x07"; return;
      case 'x': {
        if (peek() == '{') {
          size_t close = in_.find('}', pos_);
          if (close == std::string_view::npos) throw TranslateError{"unterminated \\x{...}"};
          append_code_point(out_.pattern, std::stoul(std::string(in_.substr(pos_ + 1, close - pos_ - 1)), nullptr, 16));
          pos_ = close + 1;
        } else {
          out_.pattern += "\\x";
          out_.pattern.append(in_.substr(pos_, 2));
          pos_ += 2;
        }
        return;
      }
      case 'p': case 'P': throw TranslateError{"Unicode classes (\\p, \\P) are not supported"};
      case 'C': throw TranslateError{"\\C is not supported"};
      case 'Z': throw TranslateError{"invalid escape \\Z (Go's RE2 has none)"};
      case '8': case '9': throw TranslateError{"back-references are not supported by Go's RE2"};
      default:
        break;
    }
    if (is_octal(c)) {
      unsigned value = static_cast<unsigned>(c - '0');
      for (int k = 0; k < 2 && is_octal(peek()); ++k) value = value * 8 + static_cast<unsigned>(in_[pos_++] - '0');
      append_code_point(out_.pattern, value);
      return;
    }
    out_.pattern += '\\';
    out_.pattern += c;
  }

  std::string_view in_;
  size_t pos_ = 0;
  Translation out_;
};

// Go's regexp extract(): the name after '$' (with or without braces) and what follows it.
struct TemplateName {
  std::string_view name;
  int number = -1;
  std::string_view rest;
};

std::optional<TemplateName> extract_name(std::string_view text) {
  if (text.empty()) return std::nullopt;
  bool brace = text[0] == '{';
  if (brace) text.remove_prefix(1);
  size_t i = 0;
  while (i < text.size() && is_word(text[i])) ++i;
  if (i == 0) return std::nullopt;
  TemplateName out;
  out.name = text.substr(0, i);
  if (brace) {
    if (i >= text.size() || text[i] != '}') return std::nullopt;
    ++i;
  }
  out.number = 0;
  for (char c : out.name) {
    if (!is_digit(c) || out.number >= 100000000) {
      out.number = -1;
      break;
    }
    out.number = out.number * 10 + (c - '0');
  }
  if (out.name.size() > 1 && out.name[0] == '0') out.number = -1;
  out.rest = text.substr(i);
  return out;
}

size_t utf8_width(std::string_view text, size_t pos) {
  if (pos >= text.size()) return 0;
  unsigned char c = static_cast<unsigned char>(text[pos]);
  size_t width = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  return std::min(width, text.size() - pos);
}

}  // namespace

std::optional<GoRegexp> GoRegexp::compile(std::string_view pattern, std::string& error) {
  try {
    Translation translation = Translator(pattern).run();
    auto flags = std::regex::ECMAScript;
    if (translation.icase) flags |= std::regex::icase;
    if (translation.multiline) flags |= std::regex::multiline;
    GoRegexp out;
    out.regex_ = std::make_shared<const std::regex>(translation.pattern, flags);
    out.translated_ = std::move(translation.pattern);
    out.group_names_ = std::move(translation.group_names);
    return out;
  } catch (const TranslateError& e) {
    error = e.message;
  } catch (const std::regex_error& e) {
    error = e.what();
  } catch (const std::exception& e) {
    error = e.what();
  }
  return std::nullopt;
}

void GoRegexp::expand(std::string& out, std::string_view tmpl, std::string_view src, const std::cmatch& match) const {
  auto append_group = [&](size_t index) {
    if (index < match.size() && match[index].matched)
      out.append(src.substr(static_cast<size_t>(match[index].first - src.data()),
                            static_cast<size_t>(match[index].length())));
  };
  while (!tmpl.empty()) {
    size_t dollar = tmpl.find('$');
    if (dollar == std::string_view::npos) break;
    out.append(tmpl.substr(0, dollar));
    tmpl.remove_prefix(dollar + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {
      out += '$';
      tmpl.remove_prefix(1);
      continue;
    }
    auto name = extract_name(tmpl);
    if (!name) {
      out += '$';  // malformed: the '$' is kept as text
      continue;
    }
    tmpl = name->rest;
    if (name->number >= 0) {
      append_group(static_cast<size_t>(name->number));
    } else {
      for (size_t i = 1; i < group_names_.size(); ++i) {
        if (group_names_[i] == name->name) {
          append_group(i);
          break;
        }
      }
    }
  }
  out.append(tmpl);
}

std::string GoRegexp::replace_all(std::string_view src, std::string_view replacement) const {
  std::string out;
  size_t last_match_end = 0;
  size_t search_pos = 0;
  std::cmatch match;
  while (search_pos <= src.size()) {
    auto flags = search_pos > 0 ? std::regex_constants::match_prev_avail : std::regex_constants::match_default;
    if (!std::regex_search(src.data() + search_pos, src.data() + src.size(), match, *regex_, flags)) break;
    size_t begin = static_cast<size_t>(match[0].first - src.data());
    size_t end = begin + static_cast<size_t>(match[0].length());
    out.append(src.substr(last_match_end, begin - last_match_end));
    // Go does not replace an empty match that directly follows the previous match.
    if (end > last_match_end || begin == 0) expand(out, replacement, src, match);
    last_match_end = end;
    size_t width = utf8_width(src, search_pos);
    if (search_pos + width > end) search_pos += width;
    else if (search_pos + 1 > end) search_pos += 1;
    else search_pos = end;
  }
  out.append(src.substr(last_match_end));
  return out;
}

}  // namespace lupine::builder
