#include "support/fixtures.h"

#include <unistd.h>

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

bool program_available(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::filesystem::path candidate = std::filesystem::path(dirs.substr(start, end - start)) / program;
    if (::access(candidate.c_str(), X_OK) == 0 && std::filesystem::is_regular_file(candidate)) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace lupine::testing
