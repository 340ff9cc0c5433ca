// lupine conformance apk-solver DIR [SPEC...]: runs apk-tools' solver specs (test/solver/*.test)
// through lupine's solver and reports, per spec, whether the ordered actions and the presence
// of an error match what apk-tools printed; the summary also counts byte-identical outputs.
#include "cli/command.h"
#include "common/error.h"
#include "index/solver_spec.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace lupine::cli {
namespace {

struct ConformanceArguments {
  std::string dir;
  std::vector<std::string> specs;
  bool verbose = false;
  int max_failures = 0;
};

std::vector<std::filesystem::path> spec_files(const ConformanceArguments& args) {
  std::filesystem::path dir(args.dir);
  if (!std::filesystem::is_directory(dir)) fail("{}: not a directory", args.dir);
  std::vector<std::filesystem::path> files;
  if (args.specs.empty()) {
    for (const auto& entry : std::filesystem::directory_iterator(dir))
      if (entry.is_regular_file() && entry.path().extension() == ".test") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
  }
  for (const std::string& spec : args.specs) {
    std::filesystem::path path(spec);
    if (!std::filesystem::exists(path)) path = dir / spec;
    if (!std::filesystem::exists(path)) path = dir / (spec + ".test");
    if (!std::filesystem::exists(path)) fail("{}: no such spec in {}", spec, args.dir);
    files.push_back(path);
  }
  return files;
}

// The expected and actual outputs side by side, marked where they differ.
void print_outputs(const std::string& expected, const std::string& actual) {
  fmt::print("  --- expected (apk-tools)\n");
  for (size_t pos = 0; pos < expected.size();) {
    size_t end = expected.find('\n', pos);
    fmt::print("  | {}\n", expected.substr(pos, end - pos));
    pos = end == std::string::npos ? expected.size() : end + 1;
  }
  fmt::print("  +++ actual (lupine)\n");
  for (size_t pos = 0; pos < actual.size();) {
    size_t end = actual.find('\n', pos);
    fmt::print("  | {}\n", actual.substr(pos, end - pos));
    pos = end == std::string::npos ? actual.size() : end + 1;
  }
}

void run_apk_solver(const ConformanceArguments& args) {
  int passed = 0, failed = 0, identical = 0;
  for (const std::filesystem::path& file : spec_files(args)) {
    index::SolverSpec spec = index::parse_solver_spec(file);
    std::string output;
    index::SpecVerdict verdict;
    try {
      output = index::run_solver_spec(spec);
      verdict = index::judge_solver_spec(spec, output);
    } catch (const Error& error) {
      verdict.reason = std::string("error: ") + error.what();
    }
    if (verdict.pass) {
      ++passed;
      fmt::print("PASS {}\n", spec.name);
    } else {
      ++failed;
      fmt::print("FAIL {}: {}\n", spec.name, verdict.reason);
    }
    if (verdict.byte_identical) ++identical;
    if (args.verbose && !verdict.byte_identical) {
      if (verdict.pass) fmt::print("  (not byte-identical: {})\n", verdict.reason);
      print_outputs(spec.expected, output);
    }
  }
  fmt::print("{} passed, {} failed ({} byte-identical)\n", passed, failed, identical);
  std::fflush(stdout);
  if (failed > args.max_failures) throw Exit{1};
}

void setup(Command& parent) {
  auto args = std::make_shared<ConformanceArguments>();
  auto* conformance = parent.add_subcommand("conformance", "Check lupine against other tools' conformance suites");
  conformance->require_subcommand(1);

  auto* solver = conformance->add_subcommand(
      "apk-solver", "Run apk-tools' solver specs (test/solver/*.test) through lupine's solver");
  solver->add_option("DIR", args->dir, "Directory with the *.test files and their fixtures")->required();
  solver->add_option("SPEC", args->specs, "Only these specs (names or paths)");
  solver->add_flag("--verbose,-v", args->verbose, "Show expected and actual output where they differ");
  solver->add_option("--max-failures", args->max_failures, "Exit 0 with up to this many failing specs (default 0)");
  solver->callback([args] { run_apk_solver(*args); });
}

LUPINE_COMMAND(200, setup);

}  // namespace
}  // namespace lupine::cli
