// Errors: one exception type carrying a user-facing message.
// Messages name the file/entry and what was expected; the CLI prints them to stderr.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace lupine {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

// Errors from the operating system: appends strerror(errno).
[[noreturn]] void fail_errno(const std::string& what);

}  // namespace lupine
