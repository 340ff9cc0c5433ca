// The compiled recipe written as YAML (what a package embeds as .melange.yaml) compiles again, with
// no pipeline library at all, to the same text: for the bundled recipes and every Wolfi recipe of
// the fixtures.
#include "builder/recipe/compiled_yaml.h"

#include "builder/recipe/test_data.h"
#include "support/fixtures.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace lupine::builder {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

const fs::path kRecipes = fs::path(__FILE__).parent_path().parent_path().parent_path().parent_path() / "melange-recipes";

std::vector<fs::path> yaml_files(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".yaml") out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

// The recipe at `path` compiled, written, compiled again from the text with an empty library,
// written again: "" when both texts agree and nothing failed, else what went wrong.
std::string round_trip(const fs::path& path, const PipelineLibrary& library) {
  CompileOptions options;
  options.arch = "x86_64";
  Diagnostics first;
  auto plan = compile_recipe_file(path.string(), library, options, first);
  if (!plan || first.has_errors() || !plan->arch_supported) return "";  // not this test's concern
  std::string text = compiled_recipe_yaml(*plan);
  static const PipelineLibrary none(std::vector<fs::path>{});
  Diagnostics second;
  Recipe again = read_recipe(testing::source(text, path.filename().string() + " (compiled)"), second);
  BuildPlan replanned = compile_recipe(again, none, options, second);
  for (const auto& d : second.sorted())
    if (d.severity == Severity::error) return path.filename().string() + ": " + d.str() + "\n" + text;
  std::string text_again = compiled_recipe_yaml(replanned);
  if (text_again != text) return path.filename().string() + ": differs after compiling it again:\n" + text + "\n---\n" + text_again;
  return "";
}

TEST(CompiledYaml, BundledRecipesCompileAgainToTheSameText) {
  PipelineLibrary library(PipelineLibrary::search_path_with_builtin({}));
  size_t checked = 0;
  for (const fs::path& dir : {kRecipes, kRecipes / "toolchain"}) {
    for (const fs::path& path : yaml_files(dir)) {
      EXPECT_EQ(round_trip(path, library), "");
      ++checked;
    }
  }
  EXPECT_GE(checked, 20u);
}

TEST(CompiledYaml, WolfiRecipesCompileAgainToTheSameText) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  PipelineLibrary library(PipelineLibrary::search_path_with_builtin({fixtures / "wolfi" / "pipelines"}));
  size_t failed = 0;
  for (const fs::path& path : yaml_files(fixtures / "wolfi" / "recipes")) {
    std::string problem = round_trip(path, library);
    if (!problem.empty() && ++failed <= 3) ADD_FAILURE() << problem;
  }
  EXPECT_EQ(failed, 0u);
}

TEST(CompiledYaml, LaysOutUsesAndLocksTheEnvironment) {
  Diagnostics diagnostics;
  BuildPlan plan = testing::compile_text(R"(package:
  name: pkg
  version: 1.2.3
  epoch: 4
  description: a package
  copyright:
    - license: MIT
vars:
  greeting: hello
environment:
  contents:
    packages:
      - busybox
pipeline:
  - runs: echo ${{vars.greeting}} ${{package.version}}
  - if: ${{build.arch}} == 'no-such-arch'
    runs: exit 1
)", diagnostics);
  ASSERT_FALSE(diagnostics.has_errors());
  std::string text = compiled_recipe_yaml(plan, {"busybox=1.37.0-r0", "glibc=2.41-r0"});
  EXPECT_THAT(text, HasSubstr("runs: \"echo hello 1.2.3\""));
  EXPECT_THAT(text, Not(HasSubstr("vars")));
  EXPECT_THAT(text, Not(HasSubstr("exit 1")));  // a step whose condition is false is left out
  EXPECT_THAT(text, HasSubstr("- \"busybox=1.37.0-r0\"\n      - \"glibc=2.41-r0\""));
}

}  // namespace
}  // namespace lupine::builder
