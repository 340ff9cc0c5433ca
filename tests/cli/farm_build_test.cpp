// lupine farm build on a small tree of real recipes built in the sandbox (local executor):
// order, a failure blocking only its dependents, up-to-date skipping, rebuilding what changed and
// what depends on it, and an interrupt that leaves no process behind and a valid index.
#include "builder/build/build_test_repository.h"
#include "cli/farm_tree.h"
#include "common/fs.h"
#include "support/fixtures.h"
#include "support/processes.h"
#include "support/run.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lupine::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

class FarmBuildCli : public ::testing::Test {
 protected:
  void SetUp() override {
    LUPINE_BUILD_SANDBOX_OR_SKIP();
    tree_ = std::make_unique<FarmTree>("lupine-farm-build");
  }
  std::unique_ptr<FarmTree> tree_;
};

TEST_F(FarmBuildCli, BuildsInOrderAFailureBlocksOnlyItsDependentsAndUnchangedRecipesAreSkipped) {
  tree_->write_standard_tree();
  RunResult first = tree_->build({"-j2", "--keep-going"});
  ASSERT_EQ(first.exit_code, 1) << first.err;  // broken failed
  FarmSummary summary = parse_summary(first.out);
  EXPECT_EQ(summary.results, (std::map<std::string, std::string>{{"a", "built"}, {"b", "built"}, {"c", "built"},
                                                                  {"broken", "failed"}, {"e", "blocked"}, {"f", "built"}}));
  EXPECT_THAT(summary.details["broken"], HasSubstr("exit code 3"));
  EXPECT_THAT(summary.details["e"], HasSubstr("broken failed"));
  EXPECT_THAT(first.err, HasSubstr("FAILED broken:"));
  EXPECT_THAT(first.err, HasSubstr("blocked e: broken failed"));
  // b was built on a root holding a's package, c on one holding b's: the order was right.
  EXPECT_EQ(tree_->file_in_package("c", "usr/share/c/from-b.txt"), "a built\n");
  EXPECT_THAT(tree_->index_names(), UnorderedElementsAre("a", "b", "c", "f"));
  EXPECT_TRUE(tree_->index_verifies());
  EXPECT_TRUE(tree_->provenance_verifies("c")) << "each package's provenance is published beside it";
  EXPECT_FALSE(std::filesystem::exists(tree_->out() / ".farm")) << "the staging repository is removed";
  std::string index_before = tree_->index_bytes();

  RunResult second = tree_->build({"-j2", "--keep-going"});
  ASSERT_EQ(second.exit_code, 1) << second.err;
  summary = parse_summary(second.out);
  EXPECT_EQ(summary.results, (std::map<std::string, std::string>{{"a", "up-to-date"}, {"b", "up-to-date"},
                                                                  {"c", "up-to-date"}, {"broken", "failed"},
                                                                  {"e", "blocked"}, {"f", "up-to-date"}}));
  EXPECT_EQ(tree_->index_bytes(), index_before) << "nothing built: the index is not rewritten";

  tree_->change_recipe("b");
  RunResult third = tree_->build({"-j2", "--keep-going"});
  ASSERT_EQ(third.exit_code, 1) << third.err;
  summary = parse_summary(third.out);
  EXPECT_EQ(summary.results, (std::map<std::string, std::string>{{"a", "up-to-date"}, {"b", "built"},
                                                                  {"c", "built"}, {"broken", "failed"},
                                                                  {"e", "blocked"}, {"f", "up-to-date"}}));
  EXPECT_EQ(tree_->file_in_package("b", "usr/share/b/changed.txt"), "changed\n");
  EXPECT_TRUE(tree_->index_verifies());
}

// --index-expires-in: each publish gives the index the next version and a new expiry.
TEST_F(FarmBuildCli, PublishedIndexCarriesAVersionThatGrowsWithEachPublish) {
  tree_->recipe("a", {}, "true");
  auto description = [&] {
    RunResult result = run({"tar", "-xzOf", (tree_->arch_dir() / "APKINDEX.tar.gz").string(), "DESCRIPTION"});
    return result.out;
  };
  RunResult first = tree_->build({"--index-expires-in", "7d"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(description(), ::testing::MatchesRegex(R"(\[lupine-index 1 expires 20[0-9-]+T[0-9:]+Z\])"));
  tree_->change_recipe("a");
  RunResult second = tree_->build({"--index-expires-in", "7d"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(description(), HasSubstr("[lupine-index 2 expires "));
  EXPECT_TRUE(tree_->index_verifies());
}

// A cycle (lib's root holds tool, tool's holds lib) stood up on a bootstrap repository: its
// members but the foundation are built a second time on the foundation's package, their
// dependents on what is published, so one run reaches the fixpoint (the next finds everything up to
// date) and a dependent's recorded build root is the published one (lupine rebuild accepts it).
TEST_F(FarmBuildCli, ACycleIsBuiltToItsFixpointBeforeItsDependents) {
  const std::string bootstrap = tree_->write_cycle_tree().string();
  RunResult first = tree_->build({"-j2", "--repository-append", bootstrap});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(parse_summary(first.out).results,
            (std::map<std::string, std::string>{{"lib", "built"}, {"tool", "built"}, {"app", "built"}}));
  // tool's first round kept its own log; the published build's is <name>.log.
  const auto logs = tree_->arch_dir() / "farm-logs";
  EXPECT_TRUE(std::filesystem::exists(logs / "tool.round-1.log"));
  EXPECT_FALSE(std::filesystem::exists(logs / "lib.round-1.log"));
  EXPECT_TRUE(std::filesystem::exists(logs / "lib.log") && std::filesystem::exists(logs / "tool.log"));
  EXPECT_TRUE(tree_->index_verifies());

  RunResult app = tree_->rebuild("app", {bootstrap});
  EXPECT_EQ(app.exit_code, 0) << app.out << app.err;
  EXPECT_THAT(app.out, HasSubstr(": identical"));
  // The foundation was built on the first round's package, which the second replaced: it is
  // published in <out>/round-1, and without that repository the recorded build root is not there.
  const std::string foundation = std::filesystem::exists(logs / "lib.round-1.log") ? "tool" : "lib";
  const std::string first_member = foundation == "tool" ? "lib" : "tool";
  RunResult missing = tree_->rebuild(foundation, {bootstrap});
  EXPECT_EQ(missing.exit_code, 1) << missing.out;
  EXPECT_THAT(missing.err, HasSubstr(first_member + ": recorded 1.0-r0 (Q1"));
  RunResult rebuilt = tree_->rebuild(foundation, {tree_->out() / "round-1", bootstrap});
  EXPECT_EQ(rebuilt.exit_code, 0) << rebuilt.out << rebuilt.err;
  EXPECT_THAT(rebuilt.out, HasSubstr(": identical"));

  RunResult second = tree_->build({"-j2", "--repository-append", bootstrap});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(parse_summary(second.out).results,
            (std::map<std::string, std::string>{{"lib", "up-to-date"}, {"tool", "up-to-date"}, {"app", "up-to-date"}}));
}

// --resume: a failed build keeps its workspace, and once its failing step is fixed the next run
// goes on from that step: the step before it does not run again (gcc's install step failing after
// 45 minutes of make was what it is for).
TEST_F(FarmBuildCli, ResumeGoesOnFromTheFailedStep) {
  auto write = [&](const std::string& last) {
    write_file_atomic(tree_->recipes_dir() / "slow.yaml",
                      fmt::format("package:\n  name: slow\n  version: \"1.0\"\n  epoch: 0\n"
                                  "  description: farm resume test\n  copyright:\n    - license: MIT\n"
                                  "environment:\n  contents:\n    packages:\n      - busybox\n"
                                  "pipeline:\n  - name: long\n    runs: echo run >> count.txt\n"
                                  "  - name: last\n    runs: |\n      {}\n"
                                  "      mkdir -p ${{{{targets.destdir}}}}/usr/share/slow\n"
                                  "      cp count.txt ${{{{targets.destdir}}}}/usr/share/slow/\n",
                                  last));
  };
  write("exit 4");
  RunResult failed = tree_->build({"--resume"});
  ASSERT_EQ(failed.exit_code, 1) << failed.err;
  EXPECT_EQ(parse_summary(failed.out).results.at("slow"), "failed");

  write("true");
  RunResult resumed = tree_->build({"--resume"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(parse_summary(resumed.out).results.at("slow"), "built");
  EXPECT_EQ(tree_->file_in_package("slow", "usr/share/slow/count.txt"), "run\n") << "the first step ran again";
  std::string log = read_file(tree_->arch_dir() / "farm-logs" / "slow.log");
  EXPECT_THAT(log, HasSubstr("==> slow: long (done in the kept workspace)"));
  EXPECT_THAT(log, HasSubstr("==> slow: last\n"));
}

TEST_F(FarmBuildCli, WithoutKeepGoingNothingStartsAfterAFailure) {
  tree_->recipe("broken", {}, "echo failing on purpose; exit 3");
  tree_->recipe("a", {}, "true");
  tree_->recipe("z", {"a"}, "true");
  RunResult result = tree_->build({"-j1"});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  FarmSummary summary = parse_summary(result.out);
  // -j1: a first (z waits for it: the longer chain), then broken and z tie and broken comes first
  // in the build order; after its failure z is never started.
  EXPECT_EQ(summary.results["broken"], "failed");
  EXPECT_EQ(summary.results["a"], "built");
  EXPECT_EQ(summary.results["z"], "cancelled");
}

// --test: each built recipe's tests run after its build; a failing test fails the recipe, blocks its
// dependents and keeps its packages out of the repository; up-to-date recipes are not tested again.
TEST_F(FarmBuildCli, TestsRunAfterEachBuildAndAFailingTestKeepsTheRecipeOut) {
  tree_->recipe("good", {}, "true", "grep -x 'good built' /usr/share/good/good.txt");
  tree_->recipe("bad", {}, "true", "echo testing bad; grep -x 'something else' /usr/share/bad/bad.txt");
  tree_->recipe("after-bad", {"bad"}, "true");
  RunResult first = tree_->build({"-j2", "--keep-going", "--test"});
  ASSERT_EQ(first.exit_code, 1) << first.err;
  FarmSummary summary = parse_summary(first.out);
  EXPECT_EQ(summary.results, (std::map<std::string, std::string>{
                                 {"good", "built"}, {"bad", "failed"}, {"after-bad", "blocked"}}));
  EXPECT_THAT(summary.details["bad"], HasSubstr("test of bad failed: bad: step \"check\" failed with exit code 1"));
  EXPECT_THAT(tree_->index_names(), UnorderedElementsAre("good"));
  EXPECT_TRUE(std::filesystem::exists(tree_->arch_dir() / "buildlogs" / "good-1.0-r0.test.log"));

  RunResult second = tree_->build({"-j2", "--keep-going", "--test"});
  summary = parse_summary(second.out);
  EXPECT_EQ(summary.results["good"], "up-to-date");
  EXPECT_EQ(summary.results["bad"], "failed");
}

TEST_F(FarmBuildCli, InterruptLeavesNoProcessNoStagingAndAValidIndex) {
  tree_->recipe("a", {}, "true");
  tree_->recipe("slow", {"a"}, "sleep 120");  // starts once a is built
  RunResult result = tree_->interrupted_build({"-j2"}, "sleep 120", std::chrono::seconds(60));
  EXPECT_EQ(result.exit_code, 130) << result.err;
  FarmSummary summary = parse_summary(result.out);
  EXPECT_EQ(summary.results["slow"], "cancelled");
  EXPECT_EQ(summary.results["a"], "built");
  // The jobs' sandboxes die with them (PR_SET_PDEATHSIG, bwrap --die-with-parent): at once, but
  // a loaded machine reaps them a moment after lupine has exited.
  EXPECT_TRUE(eventually([&] { return tree_->processes_of_tree().empty(); }))
      << ::testing::PrintToString(tree_->processes_of_tree());
  EXPECT_FALSE(std::filesystem::exists(tree_->out() / ".farm"));
  EXPECT_TRUE(tree_->index_verifies());
  EXPECT_THAT(tree_->index_names(), UnorderedElementsAre("a"));
}

}  // namespace
}  // namespace lupine::testing
