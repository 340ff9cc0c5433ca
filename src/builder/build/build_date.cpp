#include "builder/build/build_date.h"

#include "common/error.h"
#include "common/process.h"
#include "common/source_date.h"

#include <charconv>
#include <chrono>
#include <ctime>

namespace lupine::builder {
namespace {

// Reads exactly `digits` decimal digits at `at`.
bool read_number(std::string_view text, size_t& at, size_t digits, int& out) {
  if (at + digits > text.size()) return false;
  auto [ptr, error] = std::from_chars(text.data() + at, text.data() + at + digits, out);
  if (error != std::errc() || ptr != text.data() + at + digits) return false;
  at += digits;
  return true;
}

bool expect(std::string_view text, size_t& at, std::string_view choices) {
  if (at >= text.size() || choices.find(text[at]) == std::string_view::npos) return false;
  ++at;
  return true;
}

// RFC 3339 date-time (what Go's time.RFC3339 parses): YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM).
std::optional<int64_t> parse_rfc3339(std::string_view text) {
  size_t at = 0;
  int year, month, day, hour, minute, second;
  if (!read_number(text, at, 4, year) || !expect(text, at, "-") || !read_number(text, at, 2, month) ||
      !expect(text, at, "-") || !read_number(text, at, 2, day) || !expect(text, at, "Tt") ||
      !read_number(text, at, 2, hour) || !expect(text, at, ":") || !read_number(text, at, 2, minute) ||
      !expect(text, at, ":") || !read_number(text, at, 2, second))
    return std::nullopt;
  if (at < text.size() && text[at] == '.') {
    size_t start = ++at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
    if (at == start) return std::nullopt;  // fractions are dropped: timestamps are whole seconds
  }
  int64_t offset = 0;
  if (expect(text, at, "Zz")) {
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    int sign = text[at++] == '-' ? -1 : 1;
    int offset_hours, offset_minutes;
    if (!read_number(text, at, 2, offset_hours) || !expect(text, at, ":") || !read_number(text, at, 2, offset_minutes))
      return std::nullopt;
    offset = sign * (offset_hours * 3600 + offset_minutes * 60);
  } else {
    return std::nullopt;
  }
  if (at != text.size() || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return std::nullopt;
  using namespace std::chrono;
  year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                      std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) return std::nullopt;
  int64_t days = sys_days(date).time_since_epoch().count();
  return days * 86400 + hour * 3600 + minute * 60 + second - offset;
}

}  // namespace

int64_t parse_build_date(std::string_view text) {
  if (text == "now") return static_cast<int64_t>(std::time(nullptr));
  int64_t seconds = 0;
  auto [ptr, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (!text.empty() && error == std::errc() && ptr == text.data() + text.size()) {
    if (seconds < 0) fail("--build-date {}: must not be before 1970", text);
    return seconds;
  }
  auto parsed = parse_rfc3339(text);
  if (!parsed) fail("--build-date '{}': expected RFC 3339 (2024-05-01T12:00:00Z), seconds since 1970, or 'now'", text);
  if (*parsed < 0) fail("--build-date {}: must not be before 1970", text);
  return *parsed;
}

std::optional<int64_t> recipe_commit_time(const std::filesystem::path& recipe) {
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(recipe, error);
  if (error || find_program("git", current_path_list()).empty()) return std::nullopt;
  ProcessOptions options;
  options.argv = {"git", "-C", absolute.parent_path().string(), "log", "-1", "--format=%ct", "--",
                  absolute.filename().string()};
  options.env = {{"GIT_CONFIG_NOSYSTEM", "1"}, {"LC_ALL", "C"}};
  options.stderr_to = OutputTarget::discard();
  options.timeout = std::chrono::seconds(30);
  ProcessResult result;
  try {
    result = run_process(options);
  } catch (const Interrupted&) {
    throw;
  } catch (const Error&) {
    return std::nullopt;
  }
  if (!result.success()) return std::nullopt;
  std::string_view out = result.out;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.remove_suffix(1);
  int64_t seconds = 0;
  auto [ptr, parse_error] = std::from_chars(out.data(), out.data() + out.size(), seconds);
  if (out.empty() || parse_error != std::errc() || ptr != out.data() + out.size()) return std::nullopt;
  return seconds;
}

BuildDate resolve_build_date(std::string_view build_date, const std::filesystem::path& recipe) {
  if (auto from_environment = source_date_epoch()) return {*from_environment, "SOURCE_DATE_EPOCH"};
  if (!build_date.empty())
    return {parse_build_date(build_date), build_date == "now" ? "--build-date now (the clock)" : "--build-date"};
  if (auto committed = recipe_commit_time(recipe)) return {*committed, "the recipe's last git commit"};
  return {0, "default (no SOURCE_DATE_EPOCH, --build-date or git commit)"};
}

}  // namespace lupine::builder
