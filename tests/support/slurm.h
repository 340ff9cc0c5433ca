// Tests against a real Slurm cluster (scripts/slurm start brings one up on 127.0.0.1). Header only:
// the check runs sinfo through common/process.h.
#pragma once

#include "common/process.h"
#include "support/fixtures.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <string>

namespace lupine::testing {

// True when sbatch is installed and sinfo answers with a node that can run jobs. Asked once per
// test binary.
inline bool slurm_available() {
  static const bool available = [] {
    if (!program_available("sbatch") || !program_available("sinfo")) return false;
    try {
      ProcessOptions options;
      options.argv = {"sinfo", "-h", "-o", "%T"};
      options.timeout = std::chrono::seconds(10);
      ProcessResult result = run_process(options);
      if (!result.success()) return false;
      std::istringstream states(result.out);
      for (std::string state; states >> state;) {
        // "idle", "mixed", "allocated", "completing" (a trailing '*' means not responding).
        if (state == "idle" || state == "mixed" || state == "allocated" || state == "completing") return true;
      }
    } catch (const std::exception&) {
    }
    return false;
  }();
  return available;
}

// True when LUPINE_REQUIRE_SLURM=1 (CI): no cluster is then a failure, not a skip.
inline bool slurm_required() {
  const char* env = std::getenv("LUPINE_REQUIRE_SLURM");
  return env && std::string(env) == "1";
}

}  // namespace lupine::testing

// Skips when no Slurm cluster answers — a failure under LUPINE_REQUIRE_SLURM=1.
#define LUPINE_SLURM_OR_SKIP()                                                                      \
  do {                                                                                              \
    if (!::lupine::testing::slurm_available()) {                                                    \
      if (::lupine::testing::slurm_required())                                                      \
        FAIL() << "no Slurm cluster answers (sbatch missing, or sinfo shows no node up); "          \
                  "run scripts/slurm start as root";                                                \
      GTEST_SKIP() << "no Slurm cluster answers (run scripts/slurm start as root)";                 \
    }                                                                                               \
  } while (0)
