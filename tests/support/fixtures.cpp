#include "support/fixtures.h"

#include <cstdlib>
#include <string>

namespace lupine::testing {

std::optional<std::filesystem::path> fixtures_dir() {
  if (const char* env = std::getenv("LUPINE_FIXTURES"); env && *env) {
    std::filesystem::path path(env);
    if (std::filesystem::is_directory(path)) return std::filesystem::absolute(path);
    return std::nullopt;
  }
  std::filesystem::path beside = std::filesystem::path(LUPINE_SOURCE_DIR) / ".." / "shared" / "fixtures";
  if (std::filesystem::is_directory(beside)) return std::filesystem::canonical(beside);
  return std::nullopt;
}

bool fixtures_required() {
  const char* env = std::getenv("LUPINE_REQUIRE_FIXTURES");
  return env && std::string(env) == "1";
}

}  // namespace lupine::testing
