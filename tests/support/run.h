// Running the lupine binary (and other programs) from tests.
#pragma once

#include <string>
#include <vector>

namespace lupine::testing {

struct RunResult {
  int exit_code = -1;  // 128+N when killed by signal N
  std::string out;
  std::string err;
};

// Starts `argv` (argv[0] looked up in PATH) with stdin from /dev/null and stdout/stderr into the
// given files; returns its pid (the caller waits for it). Throws Error when it cannot start.
int spawn(const std::vector<std::string>& argv, const std::string& out_file, const std::string& err_file);

// Runs `argv` (argv[0] looked up in PATH) with stdin from /dev/null, capturing stdout and stderr.
RunResult run(const std::vector<std::string>& argv);

// Runs the lupine binary under test (LUPINE_BINARY, set by ctest) with `args`.
RunResult run_lupine(const std::vector<std::string>& args);

}  // namespace lupine::testing
