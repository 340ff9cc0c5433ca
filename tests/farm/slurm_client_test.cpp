// The Slurm command wrapper: the sbatch command line and scontrol parsing, then submit / query /
// cancel against the real cluster (scripts/slurm start).
#include "farm/slurm_client.h"

#include "common/error.h"
#include "common/fs.h"
#include "support/slurm.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

namespace lupine::farm {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::HasSubstr;

TEST(SlurmClientArguments, DependenciesKillOnInvalidDepAndALiteralPercentInTheLogPath) {
  SlurmSubmission submission;
  submission.job_name = "hello world";
  submission.output = "/logs/100%/hello.log";
  submission.chdir = "/work";
  submission.after_ok = {"12", "13"};
  submission.partition = "build";
  submission.cpus_per_task = 4;
  submission.time_limit = "2:00:00";
  std::vector<std::string> argv = sbatch_arguments(submission);
  EXPECT_EQ(argv[0], "sbatch");
  EXPECT_THAT(argv, Contains("--parsable"));
  EXPECT_THAT(argv, Contains("--export=ALL"));
  EXPECT_THAT(argv, Contains("--job-name=hello_world"));
  EXPECT_THAT(argv, Contains("--output=/logs/100%%/hello.log"));
  EXPECT_THAT(argv, Contains("--chdir=/work"));
  EXPECT_THAT(argv, Contains("--dependency=afterok:12:13"));
  EXPECT_THAT(argv, Contains("--kill-on-invalid-dep=yes"));
  EXPECT_THAT(argv, Contains("--partition=build"));
  EXPECT_THAT(argv, Contains("--cpus-per-task=4"));
  EXPECT_THAT(argv, Contains("--time=2:00:00"));
}

TEST(SlurmClientArguments, NoDependencyNoDependencyOptions) {
  SlurmSubmission submission;
  submission.job_name = "a";
  submission.output = "/a.log";
  for (const auto& argument : sbatch_arguments(submission)) {
    EXPECT_THAT(argument, ::testing::Not(HasSubstr("dependency")));
    EXPECT_THAT(argument, ::testing::Not(HasSubstr("kill-on-invalid-dep")));
    EXPECT_THAT(argument, ::testing::Not(HasSubstr("--partition")));
  }
}

TEST(SlurmClientParse, ScontrolShowJobOneLine) {
  // Abridged from Slurm 22.05 on this project's test cluster.
  SlurmJobStatus status = parse_scontrol_job(
      "JobId=11 JobName=b UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901749 Nice=0 "
      "Account=(null) QOS=(null) JobState=CANCELLED Reason=DependencyNeverSatisfied "
      "Dependency=afterok:10(failed) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0 "
      "Command=/tmp/x/b.sbatch WorkDir=/tmp/x StdOut=/tmp/x/b.log KillOInInvalidDependent=Yes\n");
  EXPECT_EQ(status.state, "CANCELLED");
  EXPECT_EQ(status.reason, "DependencyNeverSatisfied");
  EXPECT_FALSE(status.live());

  status = parse_scontrol_job("JobId=10 JobName=a JobState=FAILED Reason=NonZeroExitCode ExitCode=3:0");
  EXPECT_EQ(status.exit_code, 3);
  EXPECT_EQ(status.exit_signal, 0);
  status = parse_scontrol_job("JobId=10 JobName=a JobState=RUNNING Reason=None ExitCode=0:9");
  EXPECT_TRUE(status.live());
  EXPECT_EQ(status.exit_signal, 9);
  EXPECT_THROW(parse_scontrol_job("JobId=10 JobName=a"), Error);
}

class SlurmClientTest : public ::testing::Test {
 protected:
  void SetUp() override { LUPINE_SLURM_OR_SKIP(); }
  void TearDown() override {
    if (!submitted_.empty()) client_.cancel(submitted_);
  }

  std::string submit(const std::string& name, const std::string& body, std::vector<std::string> after = {}) {
    fs::path script = dir_.path() / (name + ".sh");
    write_file_atomic(script, "#!/bin/sh\n" + body + "\n", 0755);
    SlurmSubmission submission;
    submission.job_name = name;
    submission.script = script;
    submission.output = dir_.path() / (name + ".log");
    submission.chdir = dir_.path();
    submission.after_ok = std::move(after);
    std::string id = client_.submit(submission);
    submitted_.push_back(id);
    return id;
  }

  // Waits (up to 30 s) until Slurm no longer lists `id` in its queue.
  bool wait_until_gone(const std::string& id) {
    for (int i = 0; i < 300; ++i) {
      if (client_.live({id}).empty()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  SlurmClient client_{std::chrono::seconds(30)};
  TempDir dir_{"lupine-slurm-client"};
  std::vector<std::string> submitted_;
};

TEST_F(SlurmClientTest, ASucceedingJobRunsInItsDirectoryAndEndsCompleted) {
  std::string id = submit("ok", "pwd; echo done");
  ASSERT_TRUE(wait_until_gone(id));
  SlurmJobStatus status;
  ASSERT_TRUE(client_.show(id, status));
  EXPECT_EQ(status.state, "COMPLETED");
  EXPECT_EQ(status.exit_code, 0);
  EXPECT_EQ(read_file(dir_.path() / "ok.log"), dir_.path().string() + "\ndone\n");
}

TEST_F(SlurmClientTest, AFailedJobHasItsExitCodeAndItsDependentIsCancelledBySlurm) {
  std::string bad = submit("bad", "exit 3");
  std::string child = submit("child", "true", {bad});
  ASSERT_TRUE(wait_until_gone(bad));
  ASSERT_TRUE(wait_until_gone(child));
  auto states = client_.states({bad, child});
  ASSERT_EQ(states.size(), 2u);
  EXPECT_EQ(states[bad].state, "FAILED");
  EXPECT_EQ(states[bad].exit_code, 3);
  EXPECT_EQ(states[child].state, "CANCELLED");
  EXPECT_EQ(states[child].reason, "DependencyNeverSatisfied");
}

TEST_F(SlurmClientTest, ALiveJobIsListedUntilCancelled) {
  std::string id = submit("sleeper", "sleep 60");
  auto live = client_.live({id});
  ASSERT_EQ(live.size(), 1u);
  EXPECT_TRUE(live[id].state == "PENDING" || live[id].state == "RUNNING") << live[id].state;
  client_.cancel({id});
  ASSERT_TRUE(wait_until_gone(id));
  SlurmJobStatus status;
  ASSERT_TRUE(client_.show(id, status));
  EXPECT_EQ(status.state, "CANCELLED");
}

TEST_F(SlurmClientTest, UnknownIdsAreAbsentNotErrors) {
  EXPECT_TRUE(client_.live({"999999999"}).empty());
  EXPECT_TRUE(client_.states({"999999999"}).empty());
  EXPECT_NO_THROW(client_.cancel({"999999999"}));
}

TEST_F(SlurmClientTest, ARejectedSubmissionNamesTheCommandItsExitCodeAndSlurmsMessage) {
  fs::path script = dir_.path() / "x.sh";
  write_file_atomic(script, "#!/bin/sh\ntrue\n", 0755);
  SlurmSubmission submission;
  submission.job_name = "x";
  submission.script = script;
  submission.output = dir_.path() / "x.log";
  submission.partition = "no-such-partition";
  try {
    client_.submit(submission);
    FAIL() << "sbatch accepted a partition that does not exist";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("sbatch"));
    EXPECT_THAT(error.what(), HasSubstr("exit code 1"));
    EXPECT_THAT(error.what(), HasSubstr("Invalid partition"));
  }
}

}  // namespace
}  // namespace lupine::farm
