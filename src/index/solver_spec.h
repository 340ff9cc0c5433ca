// apk-tools' solver test specs (test/solver/*.test; reference/apk.md §8.1) run against
// lupine's solver: a spec names repositories, an installed database, a world and the apk
// command line, and holds the output apk-tools printed. The runner plays the apk applets
// the specs use (add, del, upgrade, fix with their options) on top of index::solve and
// prints what apk-tools would.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace lupine::index {

struct SolverSpec {
  std::string name;              // file name without .test
  std::filesystem::path path;
  std::vector<std::string> args;  // @ARGS words, all lines together
  std::vector<std::pair<std::string, std::filesystem::path>> repositories;  // @REPO [@tag] file
  std::filesystem::path installed;  // @INSTALLED (empty: none)
  std::filesystem::path cache;      // @CACHE (empty: none)
  std::vector<std::string> world;   // @WORLD words
  std::string expected;             // @EXPECT lines, each ending in '\n'
  std::string invalid;              // non-empty: why the spec cannot run (as solver.sh refuses it)
};

// Reads a .test file; paths are resolved against its directory. Throws lupine::Error when
// the file cannot be read.
SolverSpec parse_solver_spec(const std::filesystem::path& file);

// What `apk --root R --allow-untrusted --simulate --root-tmpfs=no [--no-cache] ARGS` prints
// for the spec (stderr then stdout, as they end up in solver.sh's output file).
std::string run_solver_spec(const SolverSpec& spec);

struct SpecVerdict {
  bool pass = false;            // same ordered "(i/n) ..." action lines and same error presence
  bool byte_identical = false;  // output equals @EXPECT exactly
  std::string reason;           // why not, when !pass (or what differs, when !byte_identical)
};

SpecVerdict judge_solver_spec(const SolverSpec& spec, const std::string& output);

}  // namespace lupine::index
