// The Slurm executor against the real cluster (scripts/slurm start): graph order kept by Slurm's
// dependencies, a failure blocking exactly its dependents, the reports, the jobs' environment, and
// an interrupt cancelling every job of the run.
#include "farm/slurm_executor.h"

#include "common/fs.h"
#include "common/process.h"
#include "farm/slurm_client.h"
#include "support/slurm.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <thread>

namespace lupine::farm {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;

SlurmExecutorOptions fast_options() {
  SlurmExecutorOptions options;
  options.poll_interval = std::chrono::milliseconds(250);
  return options;
}

class SlurmExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override { LUPINE_SLURM_OR_SKIP(); }

  // A job recording when it started and ended (seconds since the epoch) in <name>.start/.end.
  FarmJob job(const std::string& name, std::vector<size_t> after = {}, const std::string& body = "true") {
    FarmJob job;
    job.name = name;
    std::string stamp = (dir_.path() / name).string();
    job.argv = {"/bin/sh", "-c",
                "date +%s.%N > '" + stamp + ".start'; (" + body + "); rc=$?; date +%s.%N > '" + stamp +
                    ".end'; exit $rc"};
    job.log = dir_.path() / "logs" / (name + ".log");
    job.after = std::move(after);
    return job;
  }
  double stamp(const std::string& name, const std::string& which) const {
    return std::stod(read_file(dir_.path() / (name + "." + which)));
  }
  static std::vector<JobState> states(const std::vector<JobReport>& reports) {
    std::vector<JobState> out;
    for (const auto& report : reports) out.push_back(report.state);
    return out;
  }
  static std::vector<std::string> ids(const std::vector<JobReport>& reports) {
    std::vector<std::string> out;
    for (const auto& report : reports)
      if (!report.id.empty()) out.push_back(report.id);
    return out;
  }

  TempDir dir_{"lupine-slurm-executor"};
};

TEST_F(SlurmExecutorTest, AChainRunsInOrderWithEveryStateReported) {
  SlurmExecutor executor(fast_options());
  std::map<size_t, std::vector<JobState>> seen;
  auto reports = executor.run({job("a"), job("b", {0}), job("c", {1})},
                              [&](size_t i, const JobReport& report) { seen[i].push_back(report.state); });
  ASSERT_THAT(states(reports), ElementsAre(JobState::succeeded, JobState::succeeded, JobState::succeeded));
  EXPECT_LE(stamp("a", "end"), stamp("b", "start"));
  EXPECT_LE(stamp("b", "end"), stamp("c", "start"));
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_THAT(seen[i], ElementsAre(JobState::queued, JobState::running, JobState::succeeded)) << i;
    EXPECT_FALSE(reports[i].id.empty());
    EXPECT_LE(reports[i].started, reports[i].ended);
  }
  EXPECT_TRUE(SlurmClient().live(ids(reports)).empty());
}

TEST_F(SlurmExecutorTest, ADiamondWaitsForBothBranches) {
  SlurmExecutor executor(fast_options());
  auto reports = executor.run({job("top"), job("left", {0}), job("right", {0}), job("bottom", {1, 2})}, {});
  ASSERT_THAT(states(reports), ElementsAre(JobState::succeeded, JobState::succeeded, JobState::succeeded,
                                           JobState::succeeded));
  EXPECT_LE(stamp("top", "end"), stamp("left", "start"));
  EXPECT_LE(stamp("top", "end"), stamp("right", "start"));
  EXPECT_LE(stamp("left", "end"), stamp("bottom", "start"));
  EXPECT_LE(stamp("right", "end"), stamp("bottom", "start"));
}

TEST_F(SlurmExecutorTest, AFailureBlocksExactlyItsDependentsAndLeavesNothingQueued) {
  SlurmExecutor executor(fast_options());
  auto reports = executor.run(
      {job("bad", {}, "echo broken >&2; exit 3"), job("child", {0}), job("grandchild", {1}), job("free"),
       job("after-free", {3})},
      {});
  EXPECT_THAT(states(reports), ElementsAre(JobState::failed, JobState::blocked, JobState::blocked,
                                           JobState::succeeded, JobState::succeeded));
  EXPECT_EQ(reports[0].detail, "exit code 3");
  EXPECT_EQ(reports[1].detail, "bad");
  EXPECT_EQ(reports[2].detail, "bad");
  EXPECT_EQ(read_file(dir_.path() / "logs" / "bad.log"), "broken\n");
  EXPECT_FALSE(fs::exists(dir_.path() / "child.start"));
  EXPECT_FALSE(fs::exists(dir_.path() / "grandchild.start"));
  EXPECT_TRUE(SlurmClient().live(ids(reports)).empty());
}

TEST_F(SlurmExecutorTest, JobsGetTheSubmittersEnvironmentAndDirectoryAndTheirArgvVerbatim) {
  ::setenv("LUPINE_SLURM_TEST_VALUE", "from the submitter", 1);
  FarmJob echo = job("env");
  echo.argv = {"/bin/sh", "-c", "echo \"$LUPINE_SLURM_TEST_VALUE\"; pwd; printf '[%s]' \"$@\"", "sh",
               "it's", "two words", "$HOME", "*"};
  SlurmExecutor executor(fast_options());
  auto reports = executor.run({echo}, {});
  ::unsetenv("LUPINE_SLURM_TEST_VALUE");
  ASSERT_EQ(reports[0].state, JobState::succeeded) << reports[0].detail;
  EXPECT_EQ(read_file(dir_.path() / "logs" / "env.log"),
            "from the submitter\n" + fs::current_path().string() + "\n[it's][two words][$HOME][*]");
}

TEST_F(SlurmExecutorTest, WithoutKeepGoingThePendingJobsAreCancelledAfterAFailure) {
  SlurmExecutorOptions options = fast_options();
  options.keep_going = false;
  SlurmExecutor executor(options);
  // `bad` fails only once `long` runs (Slurm may hold `long` back while other tests use the CPUs):
  // a running job finishes, a pending one is cancelled.
  std::string long_started = (dir_.path() / "long.start").string();
  std::string wait_for_long = "for i in $(seq 100); do [ -e '" + long_started + "' ] && break; sleep 0.2; done; exit 1";
  auto reports =
      executor.run({job("bad", {}, wait_for_long), job("long", {}, "sleep 2"), job("after-long", {1})}, {});
  EXPECT_THAT(states(reports), ElementsAre(JobState::failed, JobState::succeeded, JobState::cancelled));
  EXPECT_EQ(reports[2].detail, "not started after a failure");
  EXPECT_TRUE(SlurmClient().live(ids(reports)).empty());
}

TEST_F(SlurmExecutorTest, AnExceptionCancelsTheJobsAlreadySubmitted) {
  SlurmExecutor executor(fast_options());
  std::vector<std::string> submitted;
  auto observer = [&](size_t, const JobReport& report) {
    if (report.state == JobState::queued) submitted.push_back(report.id);
    if (report.state == JobState::running) throw std::runtime_error("observer gave up");
  };
  EXPECT_THROW(executor.run({job("slow", {}, "sleep 60"), job("next", {0})}, observer), std::runtime_error);
  ASSERT_EQ(submitted.size(), 2u);
  EXPECT_TRUE(SlurmClient().live(submitted).empty());
}

// The interrupt flag is process-wide and stays set, so this runs in a forked child (death test).
TEST_F(SlurmExecutorTest, AnInterruptCancelsEveryJobOfTheRunAndLeavesNoneQueued) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  fs::path started = dir_.path() / "slow.start";
  auto body = [&] {
    SlurmExecutor executor(fast_options());
    std::thread interrupter([&] {
      // Once the first job runs (or after 20 s at most).
      for (int i = 0; i < 200 && !fs::exists(started); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      std::raise(SIGINT);
    });
    auto reports = executor.run({job("slow", {}, "sleep 60"), job("next", {0}), job("other", {}, "sleep 60")}, {});
    interrupter.join();
    bool all_cancelled = true;
    for (const auto& report : reports) all_cancelled = all_cancelled && report.state == JobState::cancelled;
    bool none_queued = SlurmClient().live(ids(reports)).empty() && ids(reports).size() == 3;
    std::_Exit(all_cancelled ? (none_queued ? 0 : 2) : 1);
  };
  // 1: a report is not `cancelled`; 2: a job is still in the queue.
  EXPECT_EXIT(body(), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace lupine::farm
