// Access to ../shared/fixtures (real artifacts made by other tools) from tests.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>

namespace lupine::testing {

// LUPINE_FIXTURES, else ../shared/fixtures beside the checkout; nullopt when absent.
std::optional<std::filesystem::path> fixtures_dir();

// True when LUPINE_REQUIRE_FIXTURES=1 (CI): missing fixtures are then a failure, not a skip.
bool fixtures_required();

// True when `program` is an executable file in one of PATH's directories.
bool program_available(const std::string& program);

}  // namespace lupine::testing

// Binds `var` to the fixtures directory, or skips (fails under LUPINE_REQUIRE_FIXTURES=1).
#define LUPINE_FIXTURES_OR_SKIP(var)                                                   \
  auto var##_optional = ::lupine::testing::fixtures_dir();                             \
  if (!var##_optional) {                                                               \
    if (::lupine::testing::fixtures_required()) FAIL() << "fixtures not found";        \
    GTEST_SKIP() << "fixtures not found (set LUPINE_FIXTURES)";                        \
  }                                                                                    \
  const std::filesystem::path var = *var##_optional

// Skips when `program` (e.g. "skopeo") is not installed — a failure under LUPINE_REQUIRE_FIXTURES=1,
// where CI has installed every tool the tests use (scripts/setup).
#define LUPINE_PROGRAM_OR_SKIP(program)                                                            \
  do {                                                                                             \
    if (!::lupine::testing::program_available(program)) {                                          \
      if (::lupine::testing::fixtures_required()) FAIL() << program << " is not installed";        \
      GTEST_SKIP() << program << " is not installed";                                              \
    }                                                                                              \
  } while (0)
