// The local executor on shell commands: order, parallelism, priorities, failures blocking their
// dependents, stopping after a failure, and an interrupt.
#include "farm/local_executor.h"

#include "common/fs.h"
#include "common/process.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <thread>

namespace lupine::farm {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;

class LocalExecutorTest : public ::testing::Test {
 protected:
  // A job appending its name to the shared trace file when it starts and when it ends.
  FarmJob job(const std::string& name, std::vector<size_t> after = {}, const std::string& body = "true",
              double priority = 0) {
    FarmJob job;
    job.name = name;
    std::string trace = (dir_.path() / "trace").string();
    job.argv = {"/bin/sh", "-c",
                "echo start-" + name + " >> " + trace + "; (" + body + "); rc=$?; echo end-" + name + " >> " + trace +
                    "; exit $rc"};
    job.log = dir_.path() / "logs" / (name + ".log");
    job.after = std::move(after);
    job.priority = priority;
    return job;
  }
  std::vector<std::string> trace() const {
    std::vector<std::string> lines;
    std::string text = fs::exists(dir_.path() / "trace") ? read_file(dir_.path() / "trace") : "";
    for (size_t start = 0; start < text.size();) {
      size_t end = text.find('\n', start);
      lines.push_back(text.substr(start, end - start));
      start = end + 1;
    }
    return lines;
  }
  static std::vector<JobState> states(const std::vector<JobReport>& reports) {
    std::vector<JobState> out;
    for (const auto& report : reports) out.push_back(report.state);
    return out;
  }
  TempDir dir_{"lupine-local-executor"};
};

TEST_F(LocalExecutorTest, AChainRunsInOrderAndEveryStateIsReported) {
  LocalExecutor executor({.jobs = 2});
  std::vector<std::pair<size_t, JobState>> seen;
  auto reports = executor.run({job("a"), job("b", {0}), job("c", {1})},
                              [&](size_t i, const JobReport& report) { seen.emplace_back(i, report.state); });
  EXPECT_THAT(states(reports), ElementsAre(JobState::succeeded, JobState::succeeded, JobState::succeeded));
  EXPECT_THAT(trace(), ElementsAre("start-a", "end-a", "start-b", "end-b", "start-c", "end-c"));
  EXPECT_EQ(seen.size(), 6u);  // running and succeeded, for each
  EXPECT_TRUE(fs::exists(dir_.path() / "logs" / "a.log"));
}

// a and b wait for each other (for at most 30 s), so both succeed only if two jobs run at once; the
// trace never shows a third running beside them.
TEST_F(LocalExecutorTest, RunsNJobsAtATime) {
  LocalExecutor executor({.jobs = 2});
  std::string arrived = (dir_.path() / "arrived-").string();
  auto meet = [&](const std::string& self, const std::string& other) {
    return "touch " + arrived + self + "; i=0; until [ -e " + arrived + other +
           " ]; do i=$((i + 1)); [ $i -lt 300 ] || exit 1; sleep 0.1; done";
  };
  auto reports = executor.run({job("a", {}, meet("a", "b")), job("b", {}, meet("b", "a")), job("c")}, {});
  EXPECT_THAT(states(reports), ElementsAre(JobState::succeeded, JobState::succeeded, JobState::succeeded));
  size_t running = 0, most = 0;
  for (const auto& line : trace()) {
    running = line.starts_with("start-") ? running + 1 : running - 1;
    most = std::max(most, running);
  }
  EXPECT_EQ(most, 2u);
}

TEST_F(LocalExecutorTest, StartsTheReadyJobWithTheHighestPriorityFirst) {
  LocalExecutor executor({.jobs = 1});
  executor.run({job("low", {}, "true", 1), job("high", {}, "true", 5), job("middle", {}, "true", 3)}, {});
  EXPECT_THAT(trace(), ElementsAre("start-high", "end-high", "start-middle", "end-middle", "start-low", "end-low"));
}

TEST_F(LocalExecutorTest, AFailureBlocksExactlyItsDependentsWithKeepGoing) {
  LocalExecutor executor({.jobs = 2, .keep_going = true});
  auto reports = executor.run(
      {job("bad", {}, "exit 3"), job("child", {0}), job("grandchild", {1}), job("free"), job("after-free", {3})}, {});
  EXPECT_THAT(states(reports), ElementsAre(JobState::failed, JobState::blocked, JobState::blocked,
                                           JobState::succeeded, JobState::succeeded));
  EXPECT_EQ(reports[0].detail, "exit code 3");
  EXPECT_EQ(reports[1].detail, "bad");
  EXPECT_EQ(reports[2].detail, "bad");
}

TEST_F(LocalExecutorTest, WithoutKeepGoingNothingStartsAfterAFailure) {
  LocalExecutor executor({.jobs = 1, .keep_going = false});
  auto reports = executor.run({job("bad", {}, "exit 1", 2), job("next", {}, "true", 1)}, {});
  EXPECT_THAT(states(reports), ElementsAre(JobState::failed, JobState::cancelled));
  EXPECT_THAT(trace(), ElementsAre("start-bad", "end-bad"));
}

TEST_F(LocalExecutorTest, AProgramThatCannotStartIsAFailure) {
  LocalExecutor executor({.jobs = 1});
  FarmJob missing = job("missing");
  missing.argv = {(dir_.path() / "no-such-program").string()};
  auto reports = executor.run({missing, job("child", {0})}, {});
  EXPECT_THAT(states(reports), ElementsAre(JobState::failed, JobState::blocked));
  EXPECT_THAT(reports[0].detail, ::testing::HasSubstr("no-such-program"));
}

// The interrupt flag is process-wide and stays set, so this runs in a forked child (death test).
TEST_F(LocalExecutorTest, AnInterruptStopsRunningJobsGracefullyAndStartsNoMore) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  fs::path marker = dir_.path() / "cleaned-up";
  auto body = [&] {
    // The running job traps SIGTERM and writes a marker: it was given the chance to clean up.
    fs::path ready = dir_.path() / "trap-set";
    // The trap is in the job's own shell (the process group's leader): when the leader exits, what
    // is left in its group is killed, as it should be.
    FarmJob slow = job("slow");
    slow.argv = {"/bin/sh", "-c",
                 "trap 'touch " + marker.string() + "; exit 143' TERM; touch " + ready.string() + "; sleep 30 & wait"};
    LocalExecutor executor({.jobs = 1, .keep_going = true, .interrupt_grace = std::chrono::milliseconds(5000)});
    std::thread interrupter([ready] {
      // Once the job has its trap (however loaded the machine is), or after 20 s anyway.
      for (int i = 0; i < 2000 && !fs::exists(ready); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      std::raise(SIGTERM);
    });
    auto reports = executor.run({slow, job("next", {0}), job("other")}, {});
    interrupter.join();
    bool ok = reports[0].state == JobState::cancelled && reports[1].state == JobState::cancelled &&
              reports[2].state == JobState::cancelled && fs::exists(marker);
    if (!ok)
      for (const auto& report : reports) fprintf(stderr, "%s %s\n", job_state_name(report.state), report.detail.c_str());
    std::_Exit(ok ? 0 : 1);
  };
  EXPECT_EXIT(body(), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace lupine::farm
