// Access to ../shared/fixtures (real artifacts made by other tools) from tests.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>

namespace lupine::testing {

// LUPINE_FIXTURES, else ../shared/fixtures beside the checkout; nullopt when absent.
std::optional<std::filesystem::path> fixtures_dir();

// True when LUPINE_REQUIRE_FIXTURES=1 (CI): missing fixtures are then a failure, not a skip.
bool fixtures_required();

}  // namespace lupine::testing

// Binds `var` to the fixtures directory, or skips (fails under LUPINE_REQUIRE_FIXTURES=1).
#define LUPINE_FIXTURES_OR_SKIP(var)                                                   \
  auto var##_optional = ::lupine::testing::fixtures_dir();                             \
  if (!var##_optional) {                                                               \
    if (::lupine::testing::fixtures_required()) FAIL() << "fixtures not found";        \
    GTEST_SKIP() << "fixtures not found (set LUPINE_FIXTURES)";                        \
  }                                                                                    \
  const std::filesystem::path var = *var##_optional
