// Every Wolfi recipe in the fixtures compiles (and lints without errors) with Wolfi's pipeline
// library (fixtures/wolfi/pipelines, as Wolfi passes --pipeline-dir=./pipelines/) on top of the
// built-in one, for both architectures Wolfi builds.
#include "builder/recipe/compile.h"
#include "builder/recipe/lint.h"
#include "support/fixtures.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace lupine::builder {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> recipes(const fs::path& fixtures) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(fixtures / "wolfi" / "recipes"))
    if (entry.path().extension() == ".yaml") out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

PipelineLibrary wolfi_library(const fs::path& fixtures) {
  return PipelineLibrary(PipelineLibrary::search_path_with_builtin({fixtures / "wolfi" / "pipelines"}));
}

TEST(CompileWolfi, EveryRecipeCompiles) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  PipelineLibrary library = wolfi_library(fixtures);
  auto all = recipes(fixtures);
  ASSERT_GT(all.size(), 1000u);
  size_t failed = 0;
  std::set<std::string> missing_pipelines;
  std::string report;
  for (const std::string arch : {"x86_64", "aarch64"}) {
    CompileOptions options;
    options.arch = arch;
    for (const fs::path& path : all) {
      Diagnostics diagnostics;
      auto plan = compile_recipe_file(path.string(), library, options, diagnostics);
      if (!diagnostics.has_errors()) {
        EXPECT_TRUE(plan);
        continue;
      }
      ++failed;
      for (const auto& d : diagnostics.sorted()) {
        if (d.severity != Severity::error) continue;
        report += d.str() + " (" + arch + ")\n";
        if (d.message.starts_with("pipeline \"")) missing_pipelines.insert(d.message.substr(10, d.message.find('"', 10) - 10));
      }
    }
  }
  std::string missing;
  for (const auto& name : missing_pipelines) missing += " " + name;
  EXPECT_EQ(failed, 0u) << "recipes failing to compile (x86_64 + aarch64 runs): " << failed << "\n"
                        << (missing.empty() ? "" : "`uses:` not found in " + fs::path(fixtures / "wolfi/pipelines").string() +
                                                       " nor the built-in library:" + missing + "\n")
                        << report;
  std::cout << "compiled " << all.size() << " Wolfi recipes for x86_64 and aarch64, " << failed << " failures\n";
}

TEST(LintWolfi, EveryRecipeLintsWithoutErrors) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  PipelineLibrary library = wolfi_library(fixtures);
  size_t warnings = 0;
  std::string report;
  for (const fs::path& path : recipes(fixtures)) {
    Diagnostics diagnostics = lint_recipe_file(path.string(), library, {});
    warnings += diagnostics.warning_count();
    for (const auto& d : diagnostics.sorted())
      if (d.severity == Severity::error) report += d.str() + "\n";
  }
  EXPECT_EQ(report, "");
  std::cout << "lint: " << warnings << " warnings over the Wolfi recipes\n";
}

}  // namespace
}  // namespace lupine::builder
