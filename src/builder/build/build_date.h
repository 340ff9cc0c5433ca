// SOURCE_DATE_EPOCH of a build (reference/melange.md §5.2): the one timestamp every package, SBOM
// and index of the build carries. Never the wall clock unless asked for with `--build-date now`.
// Precedence:
//   1. the SOURCE_DATE_EPOCH environment variable (as melange: it overrides --build-date);
//   2. --build-date: integer seconds, RFC 3339 ("2024-05-01T12:00:00Z", "...+02:00"), or "now";
//   3. the commit time of the recipe's last commit, when the recipe is tracked in a git work tree
//      (`git log -1 --format=%ct -- RECIPE`): rebuilding the same commit gives the same bytes;
//   4. 0 (1970-01-01), melange's default.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace lupine::builder {

struct BuildDate {
  int64_t epoch = 0;
  std::string origin;  // where it came from, for the log: "SOURCE_DATE_EPOCH", "--build-date", ...
};

// Parses a --build-date value: integer seconds, RFC 3339, or "now". Throws Error saying what is accepted.
int64_t parse_build_date(std::string_view text);

// The last commit time of `recipe` in its git work tree; nullopt when git is missing, the file is
// not in a work tree, or it was never committed.
std::optional<int64_t> recipe_commit_time(const std::filesystem::path& recipe);

// Applies the precedence above. `build_date` is the --build-date flag ("" when not given).
BuildDate resolve_build_date(std::string_view build_date, const std::filesystem::path& recipe);

}  // namespace lupine::builder
