#include "common/error.h"

#include <cerrno>
#include <cstring>

namespace lupine {

void fail_errno(const std::string& what) {
  int saved = errno;
  throw Error(fmt::format("{}: {}", what, std::strerror(saved)));
}

}  // namespace lupine
