#include "common/fs.h"
#include "common/process.h"
#include "support/processes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

namespace lupine {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

ProcessOptions shell(const std::string& script) {
  ProcessOptions options;
  options.argv = {"/bin/sh", "-c", script};
  return options;
}

// A string no other process on the machine has in its command line.
std::string unique_marker(const std::string& what) {
  static int counter = 0;
  return fmt::format("lupine-test-{}-{}-{}", what, getpid(), ++counter);
}

using lupine::testing::eventually;
using lupine::testing::processes_with;

TEST(Process, CapturesExitCodeAndBothStreams) {
  auto result = run_process(shell("echo out; echo err >&2; exit 3"));
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.signal, 0);
  EXPECT_FALSE(result.timed_out);
  EXPECT_FALSE(result.success());
  EXPECT_EQ(result.out, "out\n");
  EXPECT_EQ(result.err, "err\n");
  EXPECT_EQ(result.describe(), "exit code 3");
}

TEST(Process, LooksUpArgv0InPath) {
  ProcessOptions options;
  options.argv = {"echo", "hello", "world"};
  auto result = run_process(options);
  EXPECT_TRUE(result.success());
  EXPECT_EQ(result.out, "hello world\n");
}

TEST(Process, ReportsSignals) {
  auto result = run_process(shell("kill -9 $$"));
  EXPECT_EQ(result.signal, SIGKILL);
  EXPECT_EQ(result.status(), 128 + SIGKILL);
  EXPECT_THAT(result.describe(), HasSubstr("signal 9"));
}

TEST(Process, MissingProgramIsAClearError) {
  ProcessOptions options;
  options.argv = {"lupine-no-such-program-xyz"};
  try {
    run_process(options);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("lupine-no-such-program-xyz"));
    EXPECT_THAT(error.what(), HasSubstr("not found"));
  }
  options.argv = {"/nonexistent/program"};
  EXPECT_THROW(run_process(options), Error);
}

TEST(Process, BadWorkingDirectoryIsAClearError) {
  auto options = shell("true");
  options.cwd = "/nonexistent/dir";
  try {
    run_process(options);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("/nonexistent/dir"));
  }
}

TEST(Process, RunsInTheGivenDirectory) {
  TempDir dir("lupine-process");
  auto options = shell("pwd");
  options.cwd = dir.path();
  auto result = run_process(options);
  EXPECT_EQ(result.out, std::filesystem::canonical(dir.path()).string() + "\n");
}

TEST(Process, EnvironmentIsExactlyWhatWasGivenWhenNotInherited) {
  setenv("LUPINE_TEST_HOST_ONLY", "secret", 1);
  ProcessOptions options;
  options.argv = {"/usr/bin/env"};
  options.inherit_env = false;
  options.env = {{"A", "1"}, {"B", "two words"}};
  auto result = run_process(options);
  EXPECT_EQ(result.out, "A=1\nB=two words\n");
}

TEST(Process, InheritedEnvironmentIsOverridden) {
  setenv("LUPINE_TEST_INHERITED", "from-parent", 1);
  setenv("LUPINE_TEST_OVERRIDDEN", "old", 1);
  auto options = shell("echo $LUPINE_TEST_INHERITED $LUPINE_TEST_OVERRIDDEN");
  options.env = {{"LUPINE_TEST_OVERRIDDEN", "new"}};
  EXPECT_EQ(run_process(options).out, "from-parent new\n");
}

TEST(Process, StreamsChunksToTheCallback) {
  auto options = shell("printf 'a\\nb'; printf 'E' >&2; sleep 0.1; printf 'c\\n'");
  options.stdout_to = OutputTarget::callback();
  options.stderr_to = OutputTarget::callback();
  std::string out, err;
  options.on_output = [&](OutputStream stream, std::string_view data) {
    (stream == OutputStream::out ? out : err).append(data);
  };
  auto result = run_process(options);
  EXPECT_TRUE(result.success());
  EXPECT_EQ(out, "a\nbc\n");
  EXPECT_EQ(err, "E");
  EXPECT_TRUE(result.out.empty());
}

TEST(Process, LineBufferedCallbackGetsWholeLines) {
  auto options = shell("printf 'one\\ntw'; sleep 0.1; printf 'o\\nthree'");
  options.stdout_to = OutputTarget::callback();
  options.line_buffered = true;
  std::vector<std::string> lines;
  options.on_output = [&](OutputStream, std::string_view line) { lines.emplace_back(line); };
  run_process(options);
  EXPECT_THAT(lines, ElementsAre("one", "two", "three"));
}

TEST(Process, WritesOutputToFiles) {
  TempDir dir("lupine-process");
  auto options = shell("echo to-out; echo to-err >&2");
  options.stdout_to = OutputTarget::file(dir.path() / "log");
  options.stderr_to = OutputTarget::file(dir.path() / "log");
  run_process(options);
  EXPECT_EQ(read_file(dir.path() / "log"), "to-out\nto-err\n");
  options.stdout_to = OutputTarget::file(dir.path() / "log", /*append=*/true);
  options.stderr_to = OutputTarget::discard();
  run_process(options);
  EXPECT_EQ(read_file(dir.path() / "log"), "to-out\nto-err\nto-out\n");
}

TEST(Process, LargeOutputOnBothStreamsDoesNotDeadlock) {
  auto result = run_process(shell("head -c 3000000 /dev/zero; head -c 2000000 /dev/zero >&2; "
                                  "head -c 1000000 /dev/zero"));
  EXPECT_TRUE(result.success());
  EXPECT_EQ(result.out.size(), 4000000u);
  EXPECT_EQ(result.err.size(), 2000000u);
}

TEST(Process, StdinIsEmpty) {
  auto result = run_process(shell("cat; echo done"));
  EXPECT_EQ(result.out, "done\n");
}

TEST(Process, TimeoutKillsTheWholeProcessGroup) {
  std::string marker = unique_marker("timeout");
  // A background grandchild that would outlive a kill of the shell alone.
  auto options = shell("sleep 1000 & sleep 1000; : " + marker);
  options.timeout = 300ms;
  auto started = std::chrono::steady_clock::now();
  auto result = run_process(options);
  EXPECT_TRUE(result.timed_out);
  EXPECT_FALSE(result.success());
  EXPECT_EQ(result.signal, SIGKILL);
  EXPECT_THAT(result.describe(), HasSubstr("timed out"));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);  // the 300 ms timeout, 16x over
  EXPECT_TRUE(eventually([&] { return processes_with(marker).empty(); }));
}

// A sleep duration no other process uses: its command line is the marker.
std::string unique_sleep_seconds() {
  static int counter = 0;
  return std::to_string(7000000 + (getpid() % 100000) * 10 + ++counter % 10);
}

TEST(Process, BackgroundChildrenEndWithTheProcess) {
  std::string seconds = unique_sleep_seconds();
  auto result = run_process(shell("sleep " + seconds + " & echo started"));
  EXPECT_TRUE(result.success());
  EXPECT_EQ(result.out, "started\n");
  // (A killed process is a zombie until reaped; its cmdline reads empty, so it no longer matches.)
  EXPECT_TRUE(eventually([&] { return processes_with(std::string("sleep\0", 6) + seconds).empty(); }));
}

TEST(Process, CallbackExceptionKillsTheGroupAndPropagates) {
  std::string marker = unique_marker("throw");
  auto options = shell("echo first; sleep 1000; : " + marker);
  options.stdout_to = OutputTarget::callback();
  options.on_output = [](OutputStream, std::string_view) { throw std::runtime_error("stop"); };
  auto started = std::chrono::steady_clock::now();
  EXPECT_THROW(run_process(options), std::runtime_error);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);  // not the 1000 s the group would sleep
  EXPECT_TRUE(eventually([&] { return processes_with(marker).empty(); }));
}

TEST(Process, FindProgramSearchesThePathList) {
  EXPECT_EQ(find_program("sh", "/nonexistent:/bin"), "/bin/sh");
  EXPECT_EQ(find_program("/x/y", ""), "/x/y");
  EXPECT_EQ(find_program("lupine-no-such-program-xyz", "/bin:/usr/bin"), "");
}

// SIGTERM to lupine while a child runs: the child's group is killed and Interrupted is thrown.
// Runs in a forked copy of the test process, which reports through its exit code.
TEST(Process, InterruptKillsChildrenAndThrows) {
  std::string marker = unique_marker("interrupt");
  pid_t tester = fork();
  ASSERT_GE(tester, 0);
  if (tester == 0) {
    int code = 1;
    try {
      run_process(shell("sleep 1000; : " + marker));
      code = 2;
    } catch (const Interrupted& interrupted) {
      code = interrupted.signal() == SIGTERM && interrupt_requested() ? 42 : 3;
    } catch (...) {
      code = 4;
    }
    _exit(code);
  }
  ASSERT_TRUE(eventually([&] { return !processes_with(marker).empty(); }));
  kill(tester, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(tester, &status, 0), tester);
  ASSERT_TRUE(WIFEXITED(status)) << "signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 42);
  EXPECT_TRUE(eventually([&] { return processes_with(marker).empty(); }));
}

// With no child running, SIGTERM still ends lupine the default way.
TEST(Process, InterruptWithoutChildrenKeepsTheDefaultAction) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t tester = fork();
  ASSERT_GE(tester, 0);
  if (tester == 0) {
    close(ready[0]);
    run_process(shell("true"));  // installs the handlers
    [[maybe_unused]] ssize_t ignored = write(ready[1], "x", 1);
    for (;;) pause();
  }
  close(ready[1]);
  char byte;
  ASSERT_EQ(read(ready[0], &byte, 1), 1);
  close(ready[0]);
  kill(tester, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(tester, &status, 0), tester);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
}

// Under an InterruptGuard a signal with no child running is only noted: the work reaches its next
// checkpoint (throw_if_interrupted, or run_process, which then starts nothing) and cleans up. The
// same signal again at once (timeout(1) sends it twice) is that interrupt; a second later, it is
// the user insisting, and lupine ends at once. Runs in a forked copy reporting through its status.
int guarded_child_status(std::chrono::milliseconds before_second_signal, std::chrono::seconds child_waits) {
  int ready[2];
  if (pipe(ready) != 0) return -1;
  pid_t tester = fork();
  if (tester < 0) return -1;
  if (tester == 0) {
    close(ready[0]);
    int code = 1;
    {
      InterruptGuard guard;
      [[maybe_unused]] ssize_t ignored = write(ready[1], "x", 1);
      if (!wait_for_interrupt(std::chrono::seconds(20))) _exit(2);
      ignored = write(ready[1], "y", 1);
      timespec wait{static_cast<time_t>(child_waits.count()), 0};
      nanosleep(&wait, nullptr);  // the second signal arrives meanwhile (EINTR cuts the wait short)
      try {
        run_process(shell("touch /nonexistent-lupine-ran"));
        code = 3;
      } catch (const Interrupted& interrupted) {
        code = interrupted.signal() == SIGTERM ? 4 : 5;
      }
      try {
        throw_if_interrupted();
        code = 6;
      } catch (const Interrupted&) {
        if (code == 4) code = 42;
      }
    }
    _exit(code);
  }
  close(ready[1]);
  char byte;
  bool signalled = read(ready[0], &byte, 1) == 1 && kill(tester, SIGTERM) == 0 && read(ready[0], &byte, 1) == 1;
  close(ready[0]);
  if (signalled) {
    std::this_thread::sleep_for(before_second_signal);
    kill(tester, SIGTERM);
  }
  int status = 0;
  if (waitpid(tester, &status, 0) != tester) return -1;
  return status;
}

TEST(Process, InterruptGuardDefersTheSignalToTheNextCheckpoint) {
  int status = guarded_child_status(std::chrono::milliseconds(0), std::chrono::seconds(3));
  ASSERT_TRUE(WIFEXITED(status)) << "signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 42);
}

TEST(Process, ASecondInterruptLaterEndsLupineAtOnce) {
  int status = guarded_child_status(std::chrono::milliseconds(1300), std::chrono::seconds(20));
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
}

// lupine killed outright (SIGKILL, no handler runs): PR_SET_PDEATHSIG takes the child down. (Only
// the direct child: what it started itself is covered in the sandbox by the pid namespace.)
TEST(Process, ChildDiesWhenLupineIsKilled) {
  std::string seconds = unique_sleep_seconds();
  std::string marker = std::string("sleep\0", 6) + seconds;
  pid_t tester = fork();
  ASSERT_GE(tester, 0);
  if (tester == 0) {
    try {
      ProcessOptions options;
      options.argv = {"sleep", seconds};
      run_process(options);
    } catch (...) {
    }
    _exit(0);
  }
  ASSERT_TRUE(eventually([&] { return !processes_with(marker).empty(); }));
  kill(tester, SIGKILL);
  waitpid(tester, nullptr, 0);
  EXPECT_TRUE(eventually([&] { return processes_with(marker).empty(); }));
}

}  // namespace
}  // namespace lupine
