#include "builder/recipe/condition.h"

#include <fmt/format.h>

namespace lupine::builder {

namespace {

struct ParseError {
  std::string message;
};

class ConditionParser {
 public:
  ConditionParser(std::string_view input, const VariableLookup& lookup) : input_(input), lookup_(lookup) {}

  bool parse() {
    bool result = expression();
    skip_space();
    if (pos_ != input_.size())
      throw ParseError{fmt::format("unexpected trailing input at position {}: \"{}\"", pos_, input_.substr(pos_))};
    return result;
  }

 private:
  static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
  static bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == '_';
  }

  void skip_space() {
    while (pos_ < input_.size() && is_space(input_[pos_])) ++pos_;
  }

  bool at(std::string_view token) {
    skip_space();
    return input_.substr(pos_, token.size()) == token;
  }

  void expect(std::string_view token) {
    if (!at(token)) throw ParseError{fmt::format("expected \"{}\" at position {}", token, pos_)};
    pos_ += token.size();
  }

  // Atoms joined by && and ||, with no precedence between them: melange folds left to right.
  bool expression() {
    bool result = atom();
    for (;;) {
      skip_space();
      std::string_view op = input_.substr(pos_, 2);
      if (op != "&&" && op != "||") return result;
      pos_ += 2;
      bool rhs = atom();
      result = op == "&&" ? (result && rhs) : (result || rhs);
    }
  }

  bool atom() {
    skip_space();
    if (pos_ < input_.size() && input_[pos_] == '(') {
      ++pos_;
      bool result = expression();
      expect(")");
      return result;
    }
    return comparison();
  }

  bool comparison() {
    std::string lhs = value();
    skip_space();
    std::string_view op = input_.substr(pos_, 2);
    if (op.size() < 2) throw ParseError{fmt::format("expected a comparison operator at position {}", pos_)};
    if (op != "==" && op != "!=")
      throw ParseError{fmt::format("expected '==' or '!=' at position {}, got \"{}\"", pos_, op)};
    pos_ += 2;
    std::string rhs = value();
    return op == "==" ? lhs == rhs : lhs != rhs;
  }

  std::string value() {
    skip_space();
    if (pos_ >= input_.size()) throw ParseError{fmt::format("unexpected end of input at position {}", pos_)};
    char c = input_[pos_];
    if (c == '\'' || c == '"') return literal(c);
    if (at("${{")) return variable();
    throw ParseError{fmt::format("unexpected character '{}' at position {} (expected a quoted string or ${{{{var}}}})",
                                 c, pos_)};
  }

  std::string literal(char quote) {
    ++pos_;
    std::string out;
    while (pos_ < input_.size() && input_[pos_] != quote) {
      char c = input_[pos_];
      if (c == '\\' && pos_ + 1 < input_.size()) {
        char next = input_[++pos_];
        switch (next) {
          case '\\': case '\'': case '"': out += next; break;
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          default:
            out += '\\';
            out += next;
        }
      } else {
        out += c;
      }
      ++pos_;
    }
    if (pos_ >= input_.size()) throw ParseError{fmt::format("unterminated string literal at position {}", pos_)};
    ++pos_;
    return out;
  }

  std::string variable() {
    pos_ += 3;
    skip_space();
    size_t start = pos_;
    while (pos_ < input_.size() && is_name_char(input_[pos_])) ++pos_;
    if (pos_ == start) throw ParseError{fmt::format("empty variable name at position {}", pos_)};
    std::string_view name = input_.substr(start, pos_ - start);
    skip_space();
    if (!at("}}")) throw ParseError{fmt::format("unterminated variable reference \"{}\" at position {}", name, start)};
    pos_ += 2;
    if (!lookup_) return "";
    const std::string* found = lookup_(name);
    if (!found) throw ParseError{fmt::format("variable {} is not defined", name)};
    return *found;
  }

  std::string_view input_;
  const VariableLookup& lookup_;
  size_t pos_ = 0;
};

}  // namespace

ConditionResult evaluate_condition(std::string_view expression, const VariableLookup& lookup) {
  ConditionResult result;
  try {
    ConditionParser parser(expression, lookup);
    result.value = parser.parse();
  } catch (const ParseError& e) {
    result.error = e.message;
  }
  return result;
}

std::string condition_hint(std::string_view raw) {
  char quote = 0;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (quote) {
      if (c == '\\') ++i;
      else if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      continue;
    }
    for (std::string_view prefix : {"package.", "vars.", "range."}) {
      if (raw.substr(i, 3) != "${{") break;
      size_t name = raw.find_first_not_of(" \t", i + 3);
      if (name != std::string_view::npos && raw.substr(name, prefix.size()) == prefix)
        return fmt::format("; package.*, vars.* and range.* are substituted unquoted when the recipe is read, so "
                           "quote them: '${{{{{}...}}}}'",
                           prefix);
    }
  }
  return "";
}

}  // namespace lupine::builder
