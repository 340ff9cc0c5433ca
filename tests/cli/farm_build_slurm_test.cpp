// lupine farm build --executor slurm through the real Slurm on 127.0.0.1 (scripts/slurm start):
// the same packages as a local build, byte for byte; a failure cancels only its dependents; no
// job of the build stays in the queue, also after an interrupt.
#include "builder/build/build_test_repository.h"
#include "cli/farm_tree.h"
#include "support/fixtures.h"
#include "support/processes.h"
#include "support/run.h"
#include "support/slurm.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lupine::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
namespace fs = std::filesystem;

// Jobs in Slurm's queue from `tree` (their batch scripts live in its out dir).
std::vector<std::string> queued_jobs(const FarmTree& tree) {
  RunResult result = run({"squeue", "-h", "-o", "%i %j %T %o"});
  std::vector<std::string> jobs;
  size_t start = 0;
  while (start < result.out.size()) {
    size_t end = result.out.find('\n', start);
    if (end == std::string::npos) end = result.out.size();
    std::string line = result.out.substr(start, end - start);
    if (line.find(tree.dir().string()) != std::string::npos) jobs.push_back(line);
    start = end + 1;
  }
  return jobs;
}

class FarmBuildSlurm : public ::testing::Test {
 protected:
  void SetUp() override {
    LUPINE_BUILD_SANDBOX_OR_SKIP();
    LUPINE_SLURM_OR_SKIP();
  }
};

// A cycle's jobs, both rounds, go to Slurm in an order it accepts (each after what it waits for)
// and give the packages a local build gives.
TEST_F(FarmBuildSlurm, ACycleBuildsAsItDoesLocally) {
  FarmTree tree("lupine-farm-slurm-cycle");
  const std::string bootstrap = tree.write_cycle_tree().string();
  tree.use_out("out-local");
  RunResult local_run = tree.build({"-j2", "--repository-append", bootstrap});
  ASSERT_EQ(local_run.exit_code, 0) << local_run.err;
  fs::path local_dir = tree.arch_dir();
  tree.use_out("out-slurm");
  RunResult slurm_run = tree.build({"--executor", "slurm", "--repository-append", bootstrap});
  ASSERT_EQ(slurm_run.exit_code, 0) << slurm_run.err;
  EXPECT_EQ(parse_summary(slurm_run.out).results,
            (std::map<std::string, std::string>{{"lib", "built"}, {"tool", "built"}, {"app", "built"}}));
  for (const std::string name : {"lib", "tool", "app"}) {
    std::string file = name + "-1.0-r0.apk";
    EXPECT_EQ(read_file(tree.arch_dir() / file), read_file(local_dir / file)) << file << " differs";
  }
  EXPECT_EQ(read_file(tree.out() / "round-1" / tree.arch_dir().filename() / "tool-1.0-r0.apk"),
            read_file(local_dir.parent_path() / "round-1" / local_dir.filename() / "tool-1.0-r0.apk"));
}

TEST_F(FarmBuildSlurm, BuildsTheSamePackagesAsALocalBuildAndAFailureCancelsOnlyItsDependents) {
  // One tree (recipes, key, repository) built twice: locally, then through Slurm.
  FarmTree slurm("lupine-farm-slurm");
  slurm.write_standard_tree();
  slurm.use_out("out-local");
  RunResult local_run = slurm.build({"-j2", "--keep-going"});
  ASSERT_EQ(local_run.exit_code, 1) << local_run.err;
  fs::path local_dir = slurm.arch_dir();
  slurm.use_out("out-slurm");
  RunResult slurm_run = slurm.build({"--executor", "slurm", "--keep-going"});
  ASSERT_EQ(slurm_run.exit_code, 1) << slurm_run.err;

  FarmSummary summary = parse_summary(slurm_run.out);
  EXPECT_EQ(summary.results, (std::map<std::string, std::string>{{"a", "built"}, {"b", "built"}, {"c", "built"},
                                                                  {"broken", "failed"}, {"e", "blocked"}, {"f", "built"}}));
  EXPECT_THAT(summary.details["e"], HasSubstr("broken failed"));
  EXPECT_EQ(slurm.file_in_package("c", "usr/share/c/from-b.txt"), "a built\n");
  for (const std::string name : {"a", "b", "c", "f"}) {
    std::string file = name + "-1.0-r0.apk";
    EXPECT_EQ(read_file(slurm.arch_dir() / file), read_file(local_dir / file)) << file << " differs";
  }
  EXPECT_THAT(slurm.index_names(), UnorderedElementsAre("a", "b", "c", "f"));
  EXPECT_TRUE(slurm.index_verifies());
  EXPECT_EQ(read_file(slurm.arch_dir() / "APKINDEX.tar.gz"), read_file(local_dir / "APKINDEX.tar.gz"));
  EXPECT_EQ(queued_jobs(slurm), std::vector<std::string>{});

  // Up to date through Slurm too.
  RunResult again = slurm.build({"--executor", "slurm", "--keep-going"});
  summary = parse_summary(again.out);
  EXPECT_EQ(summary.results["c"], "up-to-date");
  EXPECT_FALSE(summary.index_updated);
}

TEST_F(FarmBuildSlurm, InterruptCancelsItsJobsAndLeavesNoProcessAndAValidIndex) {
  FarmTree tree("lupine-farm-slurm-int");
  tree.recipe("a", {}, "true");
  tree.recipe("slow", {"a"}, "sleep 120");
  tree.recipe("after", {"slow"}, "true");  // pending on slow's job when the interrupt comes
  RunResult result = tree.interrupted_build({"--executor", "slurm"}, "sleep 120", std::chrono::seconds(90));
  EXPECT_EQ(result.exit_code, 130) << result.err;
  FarmSummary summary = parse_summary(result.out);
  EXPECT_EQ(summary.results["a"], "built");
  EXPECT_EQ(summary.results["slow"], "cancelled");
  EXPECT_EQ(summary.results["after"], "cancelled");
  EXPECT_EQ(queued_jobs(tree), std::vector<std::string>{});
  // scancel's kills land a moment later on a loaded machine.
  EXPECT_TRUE(eventually([&] { return tree.processes_of_tree().empty(); }))
      << ::testing::PrintToString(tree.processes_of_tree());
  EXPECT_FALSE(fs::exists(tree.out() / ".farm"));
  EXPECT_TRUE(tree.index_verifies());
  EXPECT_THAT(tree.index_names(), UnorderedElementsAre("a"));
}

}  // namespace
}  // namespace lupine::testing
