// The message of the lupine::Error an action throws, or "(no error)": for tests that check what an
// error says.
#pragma once

#include "common/error.h"

#include <functional>
#include <string>

namespace lupine::testing {

inline std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  return "(no error)";
}

}  // namespace lupine::testing
