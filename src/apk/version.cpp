#include "apk/version.h"

#include <array>
#include <cstdint>

namespace lupine::apk {

namespace {

// Token kinds in apk-tools' order: the order decides which token may follow which, and which
// version is greater when two stop matching.
enum class TokenType { initial_digit, digit, letter, suffix, suffix_number, commit_hash, revision, end, invalid };

// Pre-release suffixes rank below `none` (a plain release), post-release ones above it.
enum class Suffix { invalid, alpha, beta, pre, rc, none, cvs, svn, git, hg, p };

Suffix suffix_from_name(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, Suffix>, 9> names{{
      {"alpha", Suffix::alpha},
      {"beta", Suffix::beta},
      {"pre", Suffix::pre},
      {"rc", Suffix::rc},
      {"cvs", Suffix::cvs},
      {"svn", Suffix::svn},
      {"git", Suffix::git},
      {"hg", Suffix::hg},
      {"p", Suffix::p},
  }};
  for (const auto& [spelling, suffix] : names)
    if (name == spelling) return suffix;
  return Suffix::invalid;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_hex_digit(char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }

// Walks a version string one token at a time, like apk-tools' token_first/token_next. Once the
// string stops following the grammar the token is `invalid` and stays so.
class Tokenizer {
 public:
  explicit Tokenizer(std::string_view version) : rest_(version) {
    type_ = TokenType::initial_digit;
    take_number();
  }

  TokenType type() const { return type_; }
  Suffix suffix() const { return suffix_; }
  uint64_t number() const { return number_; }
  std::string_view text() const { return text_; }

  void advance() {
    if (rest_.empty()) {
      type_ = TokenType::end;
      return;
    }
    char c = rest_.front();
    if (is_lower(c)) {
      if (type_ > TokenType::digit) return set_invalid();
      text_ = rest_.substr(0, 1);
      rest_.remove_prefix(1);
      type_ = TokenType::letter;
    } else if (c == '.' || is_digit(c)) {
      if (c == '.') {
        if (type_ > TokenType::digit) return set_invalid();
        rest_.remove_prefix(1);
      }
      if (type_ == TokenType::initial_digit || type_ == TokenType::digit) {
        type_ = TokenType::digit;
      } else if (type_ == TokenType::suffix) {
        type_ = TokenType::suffix_number;
      } else {
        return set_invalid();
      }
      take_number();
    } else if (c == '_') {
      if (type_ > TokenType::suffix_number) return set_invalid();
      rest_.remove_prefix(1);
      text_ = take_while(is_lower);
      suffix_ = suffix_from_name(text_);
      if (suffix_ == Suffix::invalid) return set_invalid();
      type_ = TokenType::suffix;
    } else if (c == '~') {
      if (type_ >= TokenType::commit_hash) return set_invalid();
      rest_.remove_prefix(1);
      text_ = take_while(is_hex_digit);
      if (text_.empty()) return set_invalid();
      type_ = TokenType::commit_hash;
    } else if (c == '-') {
      if (type_ >= TokenType::revision || !rest_.starts_with("-r")) return set_invalid();
      rest_.remove_prefix(2);
      type_ = TokenType::revision;
      take_number();
    } else {
      set_invalid();
    }
  }

 private:
  void set_invalid() { type_ = TokenType::invalid; }

  std::string_view take_while(bool (*accept)(char)) {
    size_t length = 0;
    while (length < rest_.size() && accept(rest_[length])) ++length;
    std::string_view taken = rest_.substr(0, length);
    rest_.remove_prefix(length);
    return taken;
  }

  // Unsigned arithmetic wraps modulo 2^64 on overflow, exactly as apk_blob_pull_uint does.
  void take_number() {
    text_ = take_while(is_digit);
    number_ = 0;
    for (char c : text_) number_ = number_ * 10 + static_cast<uint64_t>(c - '0');
    if (text_.empty()) set_invalid();
  }

  std::string_view rest_;
  TokenType type_;
  Suffix suffix_ = Suffix::invalid;
  uint64_t number_ = 0;
  std::string_view text_;
};

template <typename T>
int order(T a, T b) {
  if (a < b) return LESS;
  if (a > b) return GREATER;
  return EQUAL;
}

// Compares two tokens of the same type.
int compare_tokens(const Tokenizer& a, const Tokenizer& b) {
  switch (a.type()) {
    case TokenType::digit:
      // A later component with a leading zero on either side compares as a string (the Gentoo
      // rule): 8.2.0 < 8.2.001, 4.5.14 > 4.09.
      if (a.text().front() == '0' || b.text().front() == '0') return order(a.text(), b.text());
      [[fallthrough]];
    case TokenType::initial_digit:
    case TokenType::suffix_number:
    case TokenType::revision:
      return order(a.number(), b.number());
    case TokenType::letter:
      return order(a.text().front(), b.text().front());
    case TokenType::suffix:
      return order(a.suffix(), b.suffix());
    default:  // commit_hash
      return order(a.text(), b.text());
  }
}

bool is_pre_release(const Tokenizer& token) {
  return token.type() == TokenType::suffix && token.suffix() < Suffix::none;
}

}  // namespace

bool version_valid(std::string_view version) {
  Tokenizer token(version);
  while (token.type() < TokenType::end) token.advance();
  return token.type() == TokenType::end;
}

int version_compare_fuzzy(std::string_view a, std::string_view b, bool fuzzy) {
  Tokenizer ta(a), tb(b);
  for (; ta.type() == tb.type() && ta.type() < TokenType::end; ta.advance(), tb.advance()) {
    if (int result = compare_tokens(ta, tb); result != EQUAL) return result;
  }
  // Both ended (or both became invalid) at the same point, or fuzzy and b is a prefix of a.
  if (ta.type() == tb.type()) return EQUAL;
  if (fuzzy && tb.type() == TokenType::end) return EQUAL;
  // Equal so far: the longer version is greater, unless what it continues with is a
  // pre-release suffix; otherwise apk-tools lets the lower token type win (a further .N beats a
  // letter beats a suffix ... beats -rN beats the end beats an invalid tail).
  if (is_pre_release(ta)) return LESS;
  if (is_pre_release(tb)) return GREATER;
  return ta.type() > tb.type() ? LESS : GREATER;
}

int version_compare(std::string_view a, std::string_view b) { return version_compare_fuzzy(a, b, false); }

bool version_match(std::string_view a, int op_mask, std::string_view b) {
  bool holds = (op_mask & ANY) == ANY || (version_compare_fuzzy(a, b, (op_mask & FUZZY) != 0) & op_mask) != 0;
  return (op_mask & CONFLICT) ? !holds : holds;
}

std::optional<int> version_op_mask(std::string_view op) {
  if (op.empty()) return std::nullopt;
  int mask = 0;
  for (char c : op) {
    switch (c) {
      case '<': mask |= LESS; break;
      case '>': mask |= GREATER; break;
      case '=': mask |= EQUAL; break;
      case '~': mask |= FUZZY | EQUAL; break;
      default: return std::nullopt;
    }
  }
  return mask;
}

std::optional<int> parse_version_op(std::string_view op) {
  int conflict = 0;
  if (op.starts_with('!')) {
    conflict = CONFLICT;
    op.remove_prefix(1);
  }
  static constexpr std::array<std::string_view, 10> spelled{"<", "<=", "=", ">=", ">", "~", "=~", "<~", ">~", "><"};
  for (std::string_view spelling : spelled)
    if (op == spelling) return *version_op_mask(op) | conflict;
  return std::nullopt;
}

std::string version_op_string(int mask) {
  switch (mask & ~CONFLICT) {
    case LESS: return "<";
    case LESS | EQUAL: return "<=";
    case LESS | EQUAL | FUZZY: return "<~";
    case EQUAL | FUZZY:
    case FUZZY: return "~";
    case EQUAL: return "=";
    case GREATER | EQUAL: return ">=";
    case GREATER | EQUAL | FUZZY: return ">~";
    case GREATER: return ">";
    case CHECKSUM: return "><";
    case ANY: return "";
    default: break;
  }
  std::string composed;
  if (mask & LESS) composed += '<';
  if (mask & GREATER) composed += '>';
  composed += (mask & FUZZY) ? "~" : (mask & EQUAL) ? "=" : "";
  return composed;
}

}  // namespace lupine::apk
