// `lupine test`: the recipe's `test:` pipelines (melange test), for the package and each enabled
// subpackage that has one, against the packages built into <out>/<arch>/. Each package is tested
// in its own sandbox root — the test environment's packages (which include the package under test,
// pinned here to the recipe's version) resolved from --repository-append, the test's repositories
// and <out> itself — and its own fresh workspace (the source directory's files copied in). Roots are
// cached like build roots (the built package's C: is in the key, so a rebuild gets a new root)
// and read-only: a test can write only to /home/build and /tmp.
#pragma once

#include "builder/build/build.h"

#include <filesystem>
#include <string>
#include <vector>

namespace lupine::builder {

struct PackageTestResult {
  std::string package;
  bool passed = false;
  std::string error;  // why it failed ("" when passed)
};

struct TestRunResult {
  std::vector<PackageTestResult> packages;  // those with a test, in recipe order
  std::filesystem::path log;                // <out>/<arch>/buildlogs/<name>-<version>-r<epoch>.test.log
  bool passed() const;
};

// Runs the tests of `plan` (compiled for one arch). `only`: test just these packages (melange test
// [package]); empty: all. A failing test (a step, or its root that cannot be resolved) does not stop
// the others: it is recorded with its error. Thrown: Error when <out>/<arch> has no index (nothing
// was built), and Interrupted.
TestRunResult test_packages(const BuildPlan& plan, const BuildOptions& options, const std::vector<std::string>& only = {});

}  // namespace lupine::builder
