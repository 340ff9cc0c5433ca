// Conformance: apk-tools' own solver specs (fixtures/apk-tools/solver/*.test, reference/apk.md
// §8.1) run through lupine's solver and spec runner. A spec passes when the ordered
// "(i/n) ..." actions and the presence of an error match apk-tools' output; the exact lists of
// failing and of not byte-identical specs are pinned so any regression shows.
#include "index/solver_spec.h"

#include "common/fs.h"
#include "support/fixtures.h"
#include "support/run.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <unistd.h>

namespace lupine::index {
namespace {

// Specs lupine is known to get wrong (none) and known to word differently (none).
const std::set<std::string> expected_failures = {};
const std::set<std::string> expected_not_identical = {};

std::vector<std::filesystem::path> spec_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().extension() == ".test") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

TEST(SolverConformance, ApkToolsSolverSpecs) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  std::filesystem::path dir = fixtures / "apk-tools" / "solver";
  std::vector<std::filesystem::path> files = spec_files(dir);
  ASSERT_GE(files.size(), 50u) << "expected apk-tools' solver specs in " << dir;

  std::set<std::string> failures, not_identical;
  size_t passed = 0;
  for (const auto& file : files) {
    SolverSpec spec = parse_solver_spec(file);
    ASSERT_TRUE(spec.invalid.empty()) << spec.name << ": " << spec.invalid;
    std::string output = run_solver_spec(spec);
    SpecVerdict verdict = judge_solver_spec(spec, output);
    if (verdict.pass) {
      ++passed;
    } else {
      failures.insert(spec.name);
      if (!expected_failures.count(spec.name))
        ADD_FAILURE() << spec.name << ": " << verdict.reason << "\n--- expected\n" << spec.expected << "--- got\n" << output;
    }
    if (!verdict.byte_identical) {
      not_identical.insert(spec.name);
      if (verdict.pass && !expected_not_identical.count(spec.name))
        ADD_FAILURE() << spec.name << " is no longer byte-identical: " << verdict.reason;
    }
  }
  EXPECT_GE(passed * 10, files.size() * 9) << "fewer than 90% of the specs pass";
  EXPECT_EQ(failures, expected_failures);
  EXPECT_EQ(not_identical, expected_not_identical);
  std::cout << passed << " of " << files.size() << " apk-tools solver specs pass, "
            << files.size() - not_identical.size() << " byte-identical\n";
}

TEST(SolverConformance, CommandLineReportsEachSpecAndTheTotal) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  std::filesystem::path dir = fixtures / "apk-tools" / "solver";
  size_t total = spec_files(dir).size();
  testing::RunResult result = testing::run_lupine({"conformance", "apk-solver", dir.string()});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  std::string summary = std::to_string(total) + " passed, 0 failed (" + std::to_string(total) + " byte-identical)\n";
  EXPECT_TRUE(result.out.ends_with(summary)) << result.out;
  EXPECT_NE(result.out.find("PASS basic1\n"), std::string::npos);

  result = testing::run_lupine({"conformance", "apk-solver", dir.string(), "fuzzy1.test", "basic1"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "PASS fuzzy1\nPASS basic1\n2 passed, 0 failed (2 byte-identical)\n");

  result = testing::run_lupine({"conformance", "apk-solver", dir.string(), "no-such-spec"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("no-such-spec"), std::string::npos) << result.err;
}

// A spec of our own whose expectation is wrong: reported as FAIL, exit 1 unless the failure
// budget allows it.
TEST(SolverConformance, FailuresAndTheirBudget) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("lupine-solver-spec-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream repo(dir / "tiny.repo");
    repo << "C:Q1EyN5AdpAOBJWKMR89pp/C66o+OE=\nP:a\nV:1\nS:1\nI:1\nD:b\n\n"
            "C:Q1C4uoV7SdMdDhYg4OCVmI71D8HIA=\nP:b\nV:1\nS:1\nI:1\n\n";
    std::ofstream good(dir / "good.test");
    good << "@ARGS add a\n@REPO tiny.repo\n@EXPECT\n(1/2) Installing b (1)\n(2/2) Installing a (1)\nOK: 2 B in 2 packages\n";
    std::ofstream bad(dir / "bad.test");
    bad << "@ARGS add a\n@REPO tiny.repo\n@EXPECT\n(1/1) Installing a (1)\nOK: 1 B in 1 packages\n";
    std::ofstream wording(dir / "wording.test");
    wording << "@ARGS add a\n@REPO tiny.repo\n@EXPECT\n(1/2) Installing b (1)\n(2/2) Installing a (1)\nOK: lots\n";
  }
  SolverSpec bad = parse_solver_spec(dir / "bad.test");
  SpecVerdict verdict = judge_solver_spec(bad, run_solver_spec(bad));
  EXPECT_FALSE(verdict.pass);
  EXPECT_NE(verdict.reason.find("actions differ"), std::string::npos) << verdict.reason;

  SolverSpec wording = parse_solver_spec(dir / "wording.test");
  verdict = judge_solver_spec(wording, run_solver_spec(wording));
  EXPECT_TRUE(verdict.pass);
  EXPECT_FALSE(verdict.byte_identical);

  testing::RunResult result = testing::run_lupine({"conformance", "apk-solver", dir.string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("FAIL bad: actions differ"), std::string::npos) << result.out;
  EXPECT_TRUE(result.out.ends_with("2 passed, 1 failed (1 byte-identical)\n")) << result.out;
  result = testing::run_lupine({"conformance", "apk-solver", dir.string(), "--max-failures", "1"});
  EXPECT_EQ(result.exit_code, 0) << result.out;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lupine::index
