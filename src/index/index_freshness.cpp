#include "index/index_freshness.h"

#include "apk/spdx.h"
#include "common/error.h"
#include "common/file_lock.h"
#include "common/fs.h"
#include "index/index_archive.h"

#include <fmt/format.h>

#include <ctime>
#include <map>
#include <sstream>
#include <regex>

namespace lupine::index {

namespace {

const std::regex& mark_pattern() {
  static const std::regex pattern(R"((^| )\[lupine-index ([0-9]{1,19}) expires ([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z\]$)");
  return pattern;
}

}  // namespace

std::optional<IndexFreshness> parse_freshness(std::string_view description) {
  std::match_results<std::string_view::const_iterator> match;
  if (!std::regex_search(description.begin(), description.end(), match, mark_pattern())) return std::nullopt;
  IndexFreshness freshness;
  freshness.version = std::stoull(match[2].str());
  std::tm time{};
  time.tm_year = std::stoi(match[3].str()) - 1900;
  time.tm_mon = std::stoi(match[4].str()) - 1;
  time.tm_mday = std::stoi(match[5].str());
  time.tm_hour = std::stoi(match[6].str());
  time.tm_min = std::stoi(match[7].str());
  time.tm_sec = std::stoi(match[8].str());
  freshness.expires = static_cast<int64_t>(::timegm(&time));
  return freshness;
}

std::string strip_freshness(std::string_view description) {
  std::match_results<std::string_view::const_iterator> match;
  if (!std::regex_search(description.begin(), description.end(), match, mark_pattern()))
    return std::string(description);
  return std::string(description.substr(0, static_cast<size_t>(match.position(0))));
}

std::string with_freshness(std::string_view description, const IndexFreshness& freshness) {
  std::string base = strip_freshness(description);
  std::string mark = fmt::format("[lupine-index {} expires {}]", freshness.version, apk::rfc3339_utc(freshness.expires));
  std::string result = base.empty() ? mark : base + " " + mark;
  if (result.size() > max_description_size)
    fail("the index description is too long to carry its version and expiry: at most {} bytes are left for it, "
         "it has {}",
         max_description_size - mark.size() - 1, base.size());
  return result;
}

std::optional<IndexFreshness> read_index_freshness(const std::filesystem::path& path) {
  try {
    if (!std::filesystem::exists(path)) return std::nullopt;
    return parse_freshness(parse_index_archive(read_file(path), path.string()).description);
  } catch (const Error&) {
    return std::nullopt;
  }
}

namespace {

struct Seen {
  uint64_t version = 0;
  int64_t expires = 0;
};

std::map<std::string, Seen> read_state(const std::filesystem::path& file) {
  std::map<std::string, Seen> state;
  if (!std::filesystem::exists(file)) return state;
  std::istringstream lines(read_file(file));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    Seen seen;
    std::string key;
    if (fields >> seen.version >> seen.expires >> key) state[key] = seen;
  }
  return state;
}

std::string date(int64_t seconds) { return apk::rfc3339_utc(seconds); }

}  // namespace

std::vector<std::string> check_index_freshness(const std::string& repository, const std::string& arch,
                                               std::string_view description, const FreshnessCheck& check) {
  std::vector<std::string> warnings;
  if (check.state_dir.empty()) return warnings;
  const std::string key = repository + "/" + arch;
  const int64_t now = check.now ? check.now : static_cast<int64_t>(::time(nullptr));
  std::optional<IndexFreshness> fresh = parse_freshness(description);

  const std::filesystem::path file = check.state_dir / "index-versions";
  // Nothing to check or record: no version in the index and none seen of any repository.
  if (!fresh && !std::filesystem::exists(file)) return warnings;
  std::filesystem::create_directories(check.state_dir);
  FileLock lock(check.state_dir / "index-versions.lock");
  std::map<std::string, Seen> state = read_state(file);
  auto seen = state.find(key);

  std::vector<std::string> problems;
  if (seen != state.end() && (!fresh || fresh->version < seen->second.version))
    problems.push_back(fmt::format(
        "{}: the index is version {}, but version {} (expiring {}) was seen before: a rollback to an older index "
        "(refused; --allow-stale-index to use it anyway)",
        key, fresh ? std::to_string(fresh->version) : std::string("none"), seen->second.version,
        date(seen->second.expires)));
  if (fresh && now > fresh->expires)
    problems.push_back(fmt::format(
        "{}: the index (version {}) expired on {}, and it is {} now: the repository may be frozen "
        "(refused; --allow-stale-index to use it anyway)",
        key, fresh->version, date(fresh->expires), date(now)));
  if (!problems.empty()) {
    if (!check.allow_stale) fail("{}", fmt::join(problems, "\n"));
    for (auto& problem : problems) warnings.push_back(problem.substr(0, problem.find(" (refused;")) + " (allowed by --allow-stale-index)");
  }
  if (!fresh) return warnings;
  if (seen == state.end())
    warnings.push_back(fmt::format("{}: first contact: trusting index version {} as it is (trust on first use)", key,
                                   fresh->version));
  if (seen == state.end() || fresh->version > seen->second.version) {
    state[key] = {fresh->version, fresh->expires};
    std::string text;
    for (const auto& [name, value] : state) text += fmt::format("{} {} {}\n", value.version, value.expires, name);
    write_file_atomic(file, text);
  }
  return warnings;
}

}  // namespace lupine::index
