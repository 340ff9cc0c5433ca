// lupine farm plan on a small recipe tree: text, --json, --dot, --strict.
#include "common/fs.h"
#include "support/run.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace lupine::testing {
namespace {

using ::testing::HasSubstr;

class FarmPlanCli : public ::testing::Test {
 protected:
  void SetUp() override {
    recipe("a", "b-dev");
    recipe("b", "gcc");
  }
  void recipe(const std::string& name, const std::string& needs) {
    std::string yaml = "package:\n  name: " + name + "\n  version: 1.0\n  epoch: 0\n  description: x\n" +
                       "environment:\n  contents:\n    packages:\n      - " + needs + "\n" +
                       "pipeline:\n  - runs: echo\nsubpackages:\n  - name: " + name + "-dev\n" +
                       "    pipeline:\n      - runs: echo\n";
    write_file_atomic(dir_.path() / (name + ".yaml"), yaml);
  }
  RunResult plan(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"farm", "plan", dir_.path().string(), "--arch", "x86_64"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_lupine(args);
  }
  TempDir dir_{"lupine-farm-cli"};
};

TEST_F(FarmPlanCli, TextListsLevelsExternalInputsAndSummary) {
  RunResult result = plan();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("level 0 (1 recipes):\n  b\nlevel 1 (1 recipes):\n  a\n"));
  EXPECT_THAT(result.out, HasSubstr("external inputs (1):\n  gcc: needed by b\n"));
  EXPECT_THAT(result.out, ::testing::ContainsRegex("planned 2 recipes: 2 in 2 levels, .*; [0-9.]+ s\n$"));
}

TEST_F(FarmPlanCli, JsonHasRecipesLevelsAndSummary) {
  RunResult result = plan({"--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["levels"], nlohmann::json::parse(R"([["b"], ["a"]])"));
  EXPECT_EQ(json["recipes"][0]["name"], "a");
  EXPECT_EQ(json["recipes"][0]["inputs"][0]["from"], "b");
  EXPECT_EQ(json["summary"]["external"], 1);
}

TEST_F(FarmPlanCli, DotDrawsEdgesWithTheirInput) {
  RunResult result = plan({"--dot"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("digraph recipes {"));
  EXPECT_THAT(result.out, HasSubstr("\"a\" -> \"b\" [label=\"b-dev\"];"));
  EXPECT_THAT(result.err, HasSubstr("planned 2 recipes"));
}

TEST_F(FarmPlanCli, StrictFailsOnInputsNoRecipeOrRepositoryHas) {
  RunResult result = plan({"--strict"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("--strict: 1 input(s) neither produced by a recipe nor in a repository"));
  recipe("b", "a-dev");  // now a cycle, but every input is produced: strict passes
  result = plan({"--strict"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("a -> b -> a (a needs b-dev; b needs a-dev)"));
}

}  // namespace
}  // namespace lupine::testing
