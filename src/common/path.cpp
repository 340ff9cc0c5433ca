#include "common/path.h"

namespace lupine {

std::optional<std::string> unsafe_path_reason(std::string_view path) {
  if (path.empty()) return "empty path";
  if (path.front() == '/') return "absolute path";
  for (unsigned char c : path) {
    if (c < 0x20 || c == 0x7f) return "control character in path";
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (path.substr(start, end - start) == "..") return "'..' component";
    start = end + 1;
  }
  return std::nullopt;
}

std::string_view parent_path(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

}  // namespace lupine
