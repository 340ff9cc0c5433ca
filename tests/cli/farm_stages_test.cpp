// lupine farm stages on a small tree of real recipes built in the sandbox: a bootstrap stage on the
// busybox repository, a second stage on nothing but the stages' packages (its records checked), a
// refusal when the second would need what only the bootstrap has, and a resume after an interrupt
// that rebuilds nothing finished.
#include "cli/farm_tree.h"
#include "common/fs.h"
#include "support/fixtures.h"
#include "support/run.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace lupine::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

// The per-stage results of `farm stages --json`: stage → recipe → result.
std::map<std::string, std::map<std::string, std::string>> stage_results(const std::string& json) {
  std::map<std::string, std::map<std::string, std::string>> results;
  auto value = nlohmann::json::parse(json);
  for (const auto& stage : value.at("stages"))
    for (const auto& recipe : stage.at("build").at("recipes"))
      results[stage.at("name")][recipe.at("name")] = recipe.at("result");
  return results;
}

class FarmStagesCli : public ::testing::Test {
 protected:
  void SetUp() override {
    LUPINE_BUILD_SANDBOX_OR_SKIP();
    tree_ = std::make_unique<FarmTree>("lupine-farm-stages");
    // busybox, made from the root's own busybox: stage 1 on the bootstrap's, stage 2 on stage 1's.
    tree_->recipe("busybox", {}, "mkdir -p ${{targets.destdir}}/bin && cp -a /bin/. ${{targets.destdir}}/bin/");
    tree_->recipe("a", {}, "true");
    tree_->recipe("b", {"a"}, "cat /usr/share/a/a.txt > ${{targets.destdir}}/usr/share/b/from-a.txt");
  }

  fs::path stages_file(const std::string& name, const std::string& second_stage_extra) {
    fs::path file = tree_->dir() / (name + ".yaml");
    write_file_atomic(file, "stages:\n"
                            "  - name: stage1\n    bootstrap: true\n    recipes: [recipes/busybox.yaml, recipes/a.yaml]\n"
                            "  - name: stage2\n    recipes: [recipes/busybox.yaml, recipes/a.yaml, recipes/b.yaml" +
                                second_stage_extra + "]\n");
    return file;
  }

  std::unique_ptr<FarmTree> tree_;
};

TEST_F(FarmStagesCli, SecondStageBuildsOnTheFirstAloneAndItsRecordsSaySo) {
  RunResult run = tree_->stages(stages_file("stages", ""), {"-j2"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  auto results = stage_results(run.out);
  EXPECT_EQ(results["stage1"], (std::map<std::string, std::string>{{"busybox", "built"}, {"a", "built"}}));
  EXPECT_EQ(results["stage2"],
            (std::map<std::string, std::string>{{"busybox", "built"}, {"a", "built"}, {"b", "built"}}));
  auto value = nlohmann::json::parse(run.out);
  EXPECT_EQ(value["stages"][1]["records_checked"], 3);
  EXPECT_TRUE(value["stages"][1]["violations"].empty());
  // Stage 2's b was built on stage 2's a, in a root whose busybox is stage 1's or stage 2's.
  fs::path record = tree_->out() / "stage2" / tree_->arch_dir().filename() / "buildlogs" / "b-1.0-r0.buildroot.json";
  std::string text = read_file(record);
  EXPECT_THAT(text, HasSubstr("\"name\": \"busybox\",\n      \"version\": \"1.0-r0\""));
  EXPECT_THAT(text, Not(HasSubstr("1.36.1-r0")));
  EXPECT_THAT(run.err, HasSubstr("== stage2: " + (tree_->out() / "stage2").string() + " (from " +
                                 (tree_->out() / "stage1").string() + ")"));

  // Again: everything up to date, in both stages.
  RunResult again = tree_->stages(stages_file("stages", ""), {"-j2"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  for (const auto& [stage, recipes] : stage_results(again.out))
    for (const auto& [recipe, result] : recipes) EXPECT_EQ(result, "up-to-date") << stage << " " << recipe;

  // A record naming a package no stage has (as a stage-0 input would be) fails the stage.
  std::string tampered = text;
  tampered.replace(tampered.find("\"identity\": \"Q1") + 13, 4, "Q1zz");
  write_file_atomic(record, tampered);
  RunResult checked = tree_->stages(stages_file("stages", ""), {"-j2"});
  EXPECT_EQ(checked.exit_code, 1);
  auto violations = nlohmann::json::parse(checked.out)["stages"][1]["violations"];
  ASSERT_EQ(violations.size(), 1u) << checked.out;
  EXPECT_EQ(violations[0]["record"], record.string());
  EXPECT_THAT(violations[0]["identity"].get<std::string>(), ::testing::StartsWith("Q1zz"));
}

// Stage 2 names an input only the bootstrap repositories have: refused before it builds anything.
TEST_F(FarmStagesCli, ASecondStageThatWouldNeedTheBootstrapIsRefused) {
  tree_->recipe("c", {"only-in-bootstrap"}, "true");
  RunResult run = tree_->stages(stages_file("stages", ", recipes/c.yaml"), {"-j2"});
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_THAT(run.err, HasSubstr("stage2 takes nothing from the bootstrap, and no recipe of it or of an earlier "
                                 "stage makes:\n  only-in-bootstrap (needed by c)"));
  EXPECT_TRUE(fs::exists(tree_->out() / "stage1" / tree_->arch_dir().filename() / "a-1.0-r0.apk"));
  EXPECT_FALSE(fs::exists(tree_->out() / "stage2" / tree_->arch_dir().filename() / "APKINDEX.tar.gz"));
}

// Interrupted in stage 2 while its last recipe builds: the next run finds stage 1 and what stage 2
// had finished up to date, and builds only the rest.
TEST_F(FarmStagesCli, AnInterruptedRunResumesWithoutRebuildingWhatFinished) {
  tree_->recipe("slow", {"b"}, "sleep 120 || true");
  fs::path file = stages_file("stages", ", recipes/slow.yaml");
  RunResult interrupted = tree_->interrupted_stages(file, {"-j1"}, "sleep 120", std::chrono::seconds(90));
  EXPECT_EQ(interrupted.exit_code, 130) << interrupted.err;

  tree_->recipe("slow", {"b"}, "true");  // the same recipe, quick now
  RunResult resumed = tree_->stages(file, {"-j1"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  auto results = stage_results(resumed.out);
  EXPECT_EQ(results["stage1"], (std::map<std::string, std::string>{{"busybox", "up-to-date"}, {"a", "up-to-date"}}));
  EXPECT_EQ(results["stage2"], (std::map<std::string, std::string>{{"busybox", "up-to-date"},
                                                                   {"a", "up-to-date"},
                                                                   {"b", "up-to-date"},
                                                                   {"slow", "built"}}));
}

// The stages are the rounds: a cycle (lib's root holds tool, tool's holds lib) is built once per
// stage, tool first on the bootstrap's lib in stage 1 and on stage 1's lib in stage 2, lib after it
// on that stage's tool. A second run finds both stages up to date: tool's root leaves out its own
// stage's lib, as it did the first time.
// viatool names only tool, whose package depends on lib: it waits for the stage's lib too (slow
// to build here), so its root is the same on every run.
TEST_F(FarmStagesCli, ACycleIsBuiltOncePerStageEachMemberOnTheStageBefore) {
  const std::string bootstrap = tree_->write_cycle_tree().string();
  tree_->recipe("lib", {"tool"}, "sleep 3; cat /usr/share/tool/* > ${{targets.destdir}}/usr/share/lib/from-tool.txt");
  tree_->runtime_dependency("tool", "lib");
  tree_->recipe("viatool", {"tool"}, "cat /usr/share/lib/* > ${{targets.destdir}}/usr/share/viatool/from-lib.txt");
  fs::path file = tree_->dir() / "cycle-stages.yaml";
  write_file_atomic(file, "stages:\n"
                          "  - name: stage1\n    bootstrap: true\n    recipes: [recipes/busybox.yaml, recipes/lib.yaml, "
                          "recipes/tool.yaml, recipes/viatool.yaml]\n"
                          "  - name: stage2\n    recipes: [recipes/busybox.yaml, recipes/lib.yaml, recipes/tool.yaml, recipes/app.yaml]\n");
  RunResult run = tree_->stages(file, {"-j2", "-r", bootstrap});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  auto results = stage_results(run.out);
  EXPECT_EQ(results["stage1"], (std::map<std::string, std::string>{
                                   {"busybox", "built"}, {"lib", "built"}, {"tool", "built"}, {"viatool", "built"}}));
  EXPECT_EQ(results["stage2"],
            (std::map<std::string, std::string>{{"busybox", "built"}, {"lib", "built"}, {"tool", "built"}, {"app", "built"}}));
  EXPECT_TRUE(nlohmann::json::parse(run.out)["stages"][1]["violations"].empty());
  const fs::path stages = tree_->out();
  EXPECT_FALSE(fs::exists(stages / "stage1" / tree_->arch_dir().filename() / "farm-logs" / "tool.round-1.log"));
  EXPECT_FALSE(fs::exists(stages / "stage1" / "round-1"));

  // tool copies lib's files: the bootstrap's lib has only lib.txt, a stage's lib also tool's copy.
  tree_->use_out("out/stage1");
  EXPECT_EQ(tree_->file_in_package("tool", "usr/share/tool/from-lib.txt"), "lib built\n");
  const std::string stage1_tool = tree_->file_in_package("tool", "usr/share/tool/tool.txt");
  EXPECT_THAT(tree_->file_in_package("lib", "usr/share/lib/from-tool.txt"), HasSubstr("lib built\n"));
  EXPECT_THAT(tree_->file_in_package("viatool", "usr/share/viatool/from-lib.txt"), HasSubstr("tool built\n"));
  tree_->use_out("out/stage2");
  EXPECT_THAT(tree_->file_in_package("tool", "usr/share/tool/from-lib.txt"), HasSubstr(stage1_tool));
  tree_->use_out("out");

  RunResult again = tree_->stages(file, {"-j2", "-r", bootstrap});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  for (const auto& [stage, recipes] : stage_results(again.out))
    for (const auto& [recipe, result] : recipes) EXPECT_EQ(result, "up-to-date") << stage << " " << recipe;
}

// A stage 3 on demand, compared with stage 2 package by package: the same recipes built on stage
// 2's packages give stage 2's bytes; a recipe changed since gives a difference, named, and exit 1.
TEST_F(FarmStagesCli, AThirdStageOnDemandIsComparedWithTheSecondByteForByte) {
  fs::path file = stages_file("stages", "");
  write_file_atomic(file, read_file(file) + "  - name: stage3\n    on-demand: true\n    compare: stage2\n"
                                            "    recipes: [recipes/busybox.yaml, recipes/a.yaml, recipes/b.yaml]\n");
  RunResult two = tree_->stages(file, {"-j2"});
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_EQ(stage_results(two.out).count("stage3"), 0u);  // on demand only
  EXPECT_FALSE(fs::exists(tree_->out() / "stage3"));

  RunResult three = tree_->stages(file, {"-j2", "--stage", "stage3"});
  ASSERT_EQ(three.exit_code, 0) << three.out << three.err;
  auto stage3 = nlohmann::json::parse(three.out)["stages"][0];
  EXPECT_EQ(stage3["compared_with"], "stage2");
  ASSERT_EQ(stage3["comparisons"].size(), 3u) << three.out;  // busybox, a, b
  for (const auto& c : stage3["comparisons"]) EXPECT_EQ(c["outcome"], "identical") << c.dump();
  EXPECT_TRUE(stage3["violations"].empty());

  tree_->change_recipe("b");
  RunResult changed = tree_->stages(file, {"--stage", "stage3"});
  EXPECT_EQ(changed.exit_code, 1) << changed.err;
  bool named = false;
  const auto summary = nlohmann::json::parse(changed.out);
  for (const auto& c : summary["stages"][0]["comparisons"])
    if (c["file"] == "b-1.0-r0.apk") {
      named = true;
      EXPECT_EQ(c["outcome"], "different");
      EXPECT_THAT(c["detail"].get<std::string>(), HasSubstr("usr/share/b/changed.txt"));
    } else {
      EXPECT_EQ(c["outcome"], "identical") << c.dump();
    }
  EXPECT_TRUE(named) << changed.out;
}

TEST_F(FarmStagesCli, AnUnknownStageIsNamed) {
  RunResult run = tree_->stages(stages_file("stages", ""), {"--stage", "stage9"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("--stage stage9: no such stage (the stages file has stage1, stage2)"));
}

}  // namespace
}  // namespace lupine::testing
