// `lupine compile` and `lupine lint` as a user runs them.
#include "support/run.h"
#include "builder/recipe/test_data.h"
#include "common/fs.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>

namespace lupine::builder {
namespace {

using lupine::testing::run_lupine;
namespace fs = std::filesystem;
using testing::data_dir;
using testing::data_file;

// The CLI adds the built-in library after --pipeline-dir; point it at the test pipelines too, so
// the results do not depend on the built-in library.
class CompileCli : public ::testing::Test {
 protected:
  void SetUp() override { ::setenv("LUPINE_PIPELINE_DIR", (data_dir() / "pipelines").c_str(), 1); }
  void TearDown() override { ::unsetenv("LUPINE_PIPELINE_DIR"); }
};

using LintCli = CompileCli;

TEST_F(CompileCli, PrintsThePlan) {
  auto result = run_lupine({"compile", "--arch", "x86_64", data_file("nested.yaml").string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("nest 2.0.0-r1 for x86_64"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("[1.3.1] write greeting"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("workdir: /home/build/src"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("| echo \"nest-hi, nested\" > \"/home/build/melange-out/nest/greetings/nested\""),
            std::string::npos)
      << result.out;
}

TEST_F(CompileCli, JsonUsesMelangeKeys) {
  auto result = run_lupine({"compile", "--json", "--arch", "aarch64", "--pipeline-dir", (data_dir() / "pipelines").string(),
                            data_file("conditions.yaml").string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto plan = nlohmann::json::parse(result.out);
  EXPECT_EQ(plan["package"]["name"], "cond");
  EXPECT_EQ(plan["package"]["version"], "1.0.0");
  EXPECT_EQ(plan["environment"]["contents"]["packages"], nlohmann::json({"busybox", "arm-shell"}));
  EXPECT_EQ(plan["pipeline"][0]["if"], "\"aarch64\" == 'x86_64'");
  EXPECT_EQ(plan["pipeline"][0]["enabled"], false);
  EXPECT_EQ(plan["pipeline"][1]["uses"], "demo/greet");
  EXPECT_EQ(plan["pipeline"][1]["with"], nlohmann::json({{"shell", "arm-shell"}, {"who", "arm"}}));
  EXPECT_EQ(plan["subpackages"][1]["name"], "cond-arm");
  EXPECT_EQ(plan["lupine"]["arch"], "aarch64");
  EXPECT_EQ(plan["environment"]["accounts"]["users"][0]["username"], "build");
}

// --yaml: the compiled recipe as a recipe, which compiles again (no pipeline needed) to itself.
TEST_F(CompileCli, YamlIsARecipeThatCompilesToItself) {
  auto result = run_lupine({"compile", "--yaml", "--arch", "x86_64", data_file("nested.yaml").string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("name: \"nest\""), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("${{"), std::string::npos) << result.out;
  TempDir dir("lupine-compile-yaml");
  fs::path compiled = dir.path() / "nest.yaml";
  write_file_atomic(compiled, result.out);
  ::unsetenv("LUPINE_PIPELINE_DIR");
  auto again = run_lupine({"compile", "--yaml", "--arch", "x86_64", compiled.string()});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, result.out);
}

TEST_F(CompileCli, BrokenRecipeShowsAllErrorsAndFails) {
  auto result = run_lupine({"compile", data_file("broken.yaml").string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  std::string path = data_file("broken.yaml").string();
  for (const std::string where : {":5:3: error: unknown key", ":15:11: error: required input \"who\"",
                                  ":21:7: error: undefined input \"colour\"", ":24:12: error: runs: variable vars.nope",
                                  ":25:9: error: if: cannot evaluate", ":27:11: error: pipeline \"no/such-pipeline\"",
                                  ":32:43: error: runs: variable subpkg.nmae"})
    EXPECT_NE(result.err.find(path + where), std::string::npos) << where << "\n" << result.err;
}

TEST_F(CompileCli, SeveralRecipesWithCheck) {
  auto result = run_lupine({"compile", "--check", data_file("ranges.yaml").string(), data_file("nested.yaml").string()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "");
  EXPECT_NE(result.err.find("2 of 2 recipes compiled, 0 failed"), std::string::npos) << result.err;
}

TEST_F(LintCli, OneLinePerFinding) {
  auto result = run_lupine({"lint", data_file("broken.yaml").string(), data_file("ranges.yaml").string()});
  EXPECT_EQ(result.exit_code, 1);
  std::string path = data_file("broken.yaml").string();
  EXPECT_NE(result.out.find(path + ":5: error: unknown key \"descripton\" in package; did you mean \"description\"?\n"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find(path + ":32: error: runs: variable subpkg.nmae is not defined; did you mean subpkg.name?\n"),
            std::string::npos)
      << result.out;
  EXPECT_EQ(result.out.find("ranges.yaml"), std::string::npos) << result.out;
  EXPECT_NE(result.err.find("2 recipe(s), 1 with errors; 7 error(s)"), std::string::npos) << result.err;
}

TEST_F(LintCli, CleanRecipeExitsZero) {
  auto result = run_lupine({"lint", data_file("nested.yaml").string()});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(result.out, "");
}

}  // namespace
}  // namespace lupine::builder
