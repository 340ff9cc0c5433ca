#include "builder/bootstrap/bootstrap_version.h"

#include "apk/version.h"
#include "common/error.h"

#include <array>
#include <cctype>

namespace lupine::builder {
namespace {

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// The longest number{.number} prefix of `text` (no trailing '.').
size_t numeric_run(std::string_view text) {
  size_t end = 0;
  while (end < text.size() && is_digit(text[end])) ++end;
  if (end == 0) return 0;
  while (end + 1 < text.size() && text[end] == '.' && is_digit(text[end + 1])) {
    ++end;
    while (end < text.size() && is_digit(text[end])) ++end;
  }
  return end;
}

// "~rc2" at the start of `rest` → "_rc2" (apk's pre-release suffixes), removed from `rest`; else "".
std::string take_pre_release(std::string_view& rest) {
  static constexpr std::array<std::string_view, 4> names{"alpha", "beta", "pre", "rc"};
  if (rest.empty() || rest.front() != '~') return {};
  for (std::string_view name : names) {
    if (rest.substr(1, name.size()) != name) continue;
    std::string_view number = rest.substr(1 + name.size());
    size_t digits = 0;
    while (digits < number.size() && is_digit(number[digits])) ++digits;
    rest.remove_prefix(1 + name.size() + digits);
    return "_" + std::string(name) + std::string(number.substr(0, digits));
  }
  return {};
}

// The last run of digits in `text`, "" when there is none.
std::string last_number(std::string_view text) {
  size_t end = text.size();
  while (end > 0 && !is_digit(text[end - 1])) --end;
  size_t start = end;
  while (start > 0 && is_digit(text[start - 1])) --start;
  std::string number(text.substr(start, end - start));
  // Leading zeros are legal in apk numbers but "-r007" reads badly.
  while (number.size() > 1 && number.front() == '0') number.erase(0, 1);
  return number;
}

}  // namespace

std::string apk_version_from_debian(std::string_view debian_version) {
  std::string_view version = debian_version;
  if (size_t colon = version.find(':'); colon != std::string_view::npos) version = version.substr(colon + 1);
  std::string_view upstream = version, revision;
  if (size_t dash = version.rfind('-'); dash != std::string_view::npos) {
    upstream = version.substr(0, dash);
    revision = version.substr(dash + 1);
  }

  size_t numeric = numeric_run(upstream);
  if (numeric == 0) fail("Debian version '{}' has no numeric upstream part to make an apk version of", debian_version);
  std::string result(upstream.substr(0, numeric));
  std::string_view rest = upstream.substr(numeric);
  if (!rest.empty() && is_lower(rest.front()) && (rest.size() == 1 || !is_alnum(rest[1]))) {
    result += rest.front();
    rest.remove_prefix(1);
  }
  result += take_pre_release(rest);

  // What is left over of upstream and revision: only its last counter survives, as -rN.
  std::string leftover(rest);
  if (!revision.empty()) {
    size_t digits = 0;
    while (digits < revision.size() && is_digit(revision[digits])) ++digits;
    if (digits > 0) {
      std::string number(revision.substr(0, digits));
      while (number.size() > 1 && number.front() == '0') number.erase(0, 1);
      result += "_p" + number;
    }
    leftover += "-";
    leftover += revision.substr(digits);
  }
  std::string release = last_number(leftover);
  result += "-r" + (release.empty() ? std::string("0") : release);

  if (!apk::version_valid(result))
    fail("Debian version '{}' maps to '{}', which is not a valid apk version", debian_version, result);
  return result;
}

}  // namespace lupine::builder
