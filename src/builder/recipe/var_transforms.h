// var-transforms: melange applies Go's regexp (RE2 syntax) `ReplaceAllString(from, replace)` and stores
// the result as ${{vars.<to>}}. lupine runs std::regex (ECMAScript) on a translation of the pattern,
// and re-implements Go's replacement loop and template expansion, which differ from
// std::regex_replace:
//
// Pattern translation (Go RE2 → ECMAScript):
//   (?P<name>re), (?<name>re)  → (re); the name is remembered for ${name} in the replacement
//   leading (?i) (?s) (?m) (?U) flags → icase / `.` as [\s\S] / multiline; (?U) and flag groups
//                                 elsewhere are rejected (not expressible)
//   \A, \z                     → ^, $ (identical without (?m))
//   \Q...\E                    → each character escaped
//   \123 (octal), \x{41}       → \x53, \x41 / \uXXXX (ECMAScript reads \1 as a back-reference)
//   a literal { or } that is not a repetition ({2}, {2,}, {2,5}) → \{ \}  (RE2 takes it literally,
//                                 std::regex throws)
//   ] first in a class ([]a], [^]a]) → \]   (RE2: a literal; ECMAScript: an empty class)
//   \pL, \p{Greek}, \C         → rejected with an error (no ECMAScript equivalent)
// Semantics both share for these patterns: leftmost-first alternation, greedy and lazy repetition,
// \d \w \s \b, POSIX classes in brackets. Remaining differences: std::regex works on bytes, so `.`
// matches one byte of a multi-byte UTF-8 character where Go matches the whole rune (recipes apply
// transforms to ASCII versions and names); Go's \s does not include \v.
//
// Replacement (Go's Regexp.ReplaceAllString and Expand):
//   - an empty match right after the previous match is not replaced: `(.*)` → `${1}t` on "3.14"
//     gives "3.14t" in Go but "3.14tt" with std::regex_replace;
//   - `$name` takes the longest run of letters, digits and '_': `$1t` is the (missing) group "1t"
//     and expands to nothing, hence Wolfi's `${1}t`; `${1}`, `${name}`, `$$` for a literal '$';
//     a malformed `$` (`${{host.triplet.gnu}}`) is kept literally — Wolfi relies on this to leave
//     a ${{...}} reference in the result for later substitution;
//   - a group that did not take part in the match, an out-of-range number, an unknown name or a
//     number with a leading zero expands to nothing.
#pragma once

#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace lupine::builder {

class GoRegexp {
 public:
  // Translates and compiles `pattern`; nullopt with `error` set when it is not supported or invalid.
  static std::optional<GoRegexp> compile(std::string_view pattern, std::string& error);

  // Go's ReplaceAllString(src, replacement).
  std::string replace_all(std::string_view src, std::string_view replacement) const;

  // The ECMAScript pattern actually compiled (for messages and tests).
  const std::string& translated() const { return translated_; }

 private:
  void expand(std::string& out, std::string_view replacement, std::string_view src,
              const std::cmatch& match) const;

  std::shared_ptr<const std::regex> regex_;
  std::string translated_;
  std::vector<std::string> group_names_;  // index 0 is the whole match; "" for unnamed groups
};

}  // namespace lupine::builder
