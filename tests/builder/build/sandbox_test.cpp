// The build sandbox against the real bubblewrap, with a busybox-only root made at test time.
// Without bwrap or a static busybox the tests skip; under LUPINE_REQUIRE_FIXTURES=1 they fail.
#include "builder/build/sandbox.h"
#include "builder/build/sandbox_idmap.h"
#include "builder/build/sandbox_check.h"
#include "builder/build/sandbox_mounts.h"
#include "common/fs.h"
#include "builder/build/build_test_repository.h"
#include "support/fixtures.h"
#include "support/processes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <memory>
#include <optional>
#include <thread>

namespace lupine::builder {
namespace {

using namespace std::chrono_literals;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using ::testing::Not;
namespace fs = std::filesystem;

// root/bin/busybox plus a symlink per applet: a complete, tiny build root.
void make_busybox_root(const fs::path& root) {
  fs::create_directories(root / "bin");
  fs::copy_file(*testing::static_busybox(), root / "bin" / "busybox");
  ProcessOptions list;
  list.argv = {(root / "bin" / "busybox").string(), "--list"};
  auto applets = run_process(list);
  ASSERT_TRUE(applets.success());
  size_t start = 0;
  for (size_t end; (end = applets.out.find('\n', start)) != std::string::npos; start = end + 1) {
    std::string applet = applets.out.substr(start, end - start);
    if (!applet.empty() && applet != "busybox") fs::create_symlink("busybox", root / "bin" / applet);
  }
  fs::create_directories(root / "home");  // a directory that holds a mount point (/home/build)
  fs::create_directories(root / "home" / "someone");
  write_file_atomic(root / "home" / "someone" / "note", "kept\n");
  fs::create_symlink("bin", root / "sbin");
}

using lupine::testing::eventually;
using lupine::testing::processes_with;

std::vector<std::string> listing(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) names.push_back(entry.path().string());
  std::sort(names.begin(), names.end());
  return names;
}

// A listening TCP socket on the host's 127.0.0.1.
class Listener {
 public:
  Listener() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(fd_, 16) != 0)
      fail_errno("listener");
    socklen_t length = sizeof address;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~Listener() { close(fd_); }
  uint16_t port() const { return port_; }
  // True when a connection is waiting (then accepted and closed).
  bool connection_pending(int wait_ms) const {
    pollfd entry{fd_, POLLIN, 0};
    if (poll(&entry, 1, wait_ms) != 1) return false;
    int connection = accept(fd_, nullptr, nullptr);
    if (connection >= 0) close(connection);
    return true;
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

class Sandbox : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (testing::build_sandbox_unavailable()) return;
    scratch_ = new TempDir("lupine-sandbox-root");
    make_busybox_root(root());
  }
  static void TearDownTestSuite() {
    delete scratch_;
    scratch_ = nullptr;
  }
  static fs::path root() { return scratch_->path() / "root"; }

  SandboxSpec spec() const {
    SandboxSpec spec;
    spec.root = root();
    spec.workspace = workspace();
    spec.source_date_epoch = 1700000000;
    return spec;
  }
  fs::path workspace() const {
    fs::create_directories(dir_.path() / "workspace");
    return dir_.path() / "workspace";
  }
  // Runs a step; output lines are collected.
  SandboxResult step(const SandboxSpec& spec, const std::string& script, std::string_view workdir = {},
                     const Environment& env = {}) {
    lines_.clear();
    return run_step(spec, script, workdir, env, [this](OutputStream stream, std::string_view line) {
      lines_.push_back((stream == OutputStream::err ? "E:" : "") + std::string(line));
    });
  }

  static inline TempDir* scratch_ = nullptr;
  TempDir dir_{"lupine-sandbox"};
  std::vector<std::string> lines_;
};

TEST_F(Sandbox, RunsAStepInTheRoot) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  auto result = step(spec(), "echo hello; echo made > out.txt; echo to-err >&2; pwd; hostname; cat /home/someone/note");
  EXPECT_TRUE(result.success()) << result.describe();
  // (stdout and stderr are separate pipes: their relative order is not kept.)
  std::vector<std::string> out, err;
  for (const auto& line : lines_) (line.rfind("E:", 0) == 0 ? err : out).push_back(line);
  EXPECT_THAT(out, ElementsAre("hello", "/home/build", "lupine", "kept"));
  EXPECT_THAT(err, ElementsAre("E:to-err"));
  EXPECT_EQ(read_file(workspace() / "out.txt"), "made\n");
}

TEST_F(Sandbox, ReturnsTheExitCodeAndCapturesWithoutCallback) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  auto result = run_in_sandbox(spec(), {"/bin/sh", "-c", "echo out; echo err >&2; exit 7"});
  EXPECT_EQ(result.exit_code, 7);
  EXPECT_EQ(result.out, "out\n");
  EXPECT_EQ(result.err, "err\n");
}

TEST_F(Sandbox, StepStopsAtTheFirstFailingCommand) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  auto result = step(spec(), "echo before\nfalse\necho after");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(lines_, ElementsAre("before"));
  // pipefail: a failure early in a pipeline fails the step.
  result = step(spec(), "false | cat\necho after");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(lines_, Not(Contains("after")));
}

TEST_F(Sandbox, StepWorkingDirectoryIsCreated) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  auto result = step(spec(), "pwd", "sub/dir with 'quote'");
  EXPECT_TRUE(result.success()) << result.describe();
  EXPECT_THAT(lines_, ElementsAre("/home/build/sub/dir with 'quote'"));
  EXPECT_TRUE(fs::is_directory(workspace() / "sub" / "dir with 'quote'"));
  result = step(spec(), "pwd", "/tmp/abs");
  EXPECT_THAT(lines_, ElementsAre("/tmp/abs"));
}

TEST_F(Sandbox, NoNetworkEvenToTheHostsLoopback) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  Listener listener;
  std::string port = std::to_string(listener.port());
  // The listener works: a connection from the host is seen.
  {
    int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(listener.port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    close(client);
    ASSERT_TRUE(listener.connection_pending(1000));
  }
  auto sandbox = spec();
  sandbox.time_limit = 20s;
  auto result = step(sandbox, "nc -w 2 127.0.0.1 " + port + " </dev/null");
  EXPECT_FALSE(result.timed_out);
  EXPECT_NE(result.exit_code, 0);
  EXPECT_FALSE(listener.connection_pending(200));
  // Only a loopback device of its own.
  result = step(sandbox, "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '");
  EXPECT_THAT(lines_, ElementsAre("lo"));
}

TEST_F(Sandbox, HostFilesOutsideTheRootAreInvisible) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  fs::path secret = dir_.path() / "secret.txt";  // beside the workspace, on the host
  write_file_atomic(secret, "host secret\n");
  auto result = step(spec(), "cat " + shell_quote(secret.string()));
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(lines_, Not(Contains("host secret")));
  result = step(spec(), "test ! -e /etc/passwd && test ! -e /usr && test ! -e " + shell_quote(root().string()));
  EXPECT_TRUE(result.success()) << ::testing::PrintToString(lines_);
}

TEST_F(Sandbox, OnlyTheWorkspaceAndTmpAreWritable) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  auto before = listing(root());
  for (const char* write : {"touch /new-file", "mkdir /new-dir", "touch /bin/new-file", "rm /bin/cat",
                            "touch /home/someone/x", "mkdir /home/other"}) {
    auto result = step(spec(), write);
    EXPECT_NE(result.exit_code, 0) << write << " succeeded";
  }
  auto result = step(spec(), "mount -o remount,rw / || mount -o remount,rw /bin");
  EXPECT_NE(result.exit_code, 0) << "a step could remount the root read-write";
  result = step(spec(), "echo a > /tmp/a && cat /tmp/a && echo b > /home/build/b && mkdir -p melange-out/pkg");
  EXPECT_TRUE(result.success()) << ::testing::PrintToString(lines_);
  EXPECT_EQ(listing(root()), before);
  EXPECT_TRUE(fs::is_directory(workspace() / "melange-out" / "pkg"));
}

TEST_F(Sandbox, EnvironmentIsOnlyWhatWasGiven) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  setenv("LUPINE_TEST_HOST_SECRET", "leaked", 1);
  auto sandbox = spec();
  sandbox.env = {{"CFLAGS", "-O2 -g"}};
  auto result = run_in_sandbox(sandbox, {"/bin/env"});
  ASSERT_TRUE(result.success()) << result.err;
  // bwrap itself sets PWD after --chdir.
  EXPECT_EQ(result.out,
            "CFLAGS=-O2 -g\nHOME=/home/build\n"
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/bin:/usr/sbin:/sbin:/bin\n"
            "SOURCE_DATE_EPOCH=1700000000\nPWD=/home/build\n");
  // A step's environment is added, and may override the spec's.
  result = run_step(sandbox, "echo \"$CFLAGS|$EXTRA|$SOURCE_DATE_EPOCH\"", {}, {{"CFLAGS", "-Os"}, {"EXTRA", "1"}});
  EXPECT_EQ(result.out, "-Os|1|1700000000\n");
}

TEST_F(Sandbox, HangingStepIsKilledAtTheTimeLimit) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  std::string marker = fmt::format("lupine-hang-{}", getpid());
  auto sandbox = spec();
  sandbox.time_limit = 500ms;
  auto started = std::chrono::steady_clock::now();
  auto result = step(sandbox, "sleep 1000 & sleep 1000; : " + marker);
  EXPECT_TRUE(result.timed_out);
  EXPECT_FALSE(result.success());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);  // the 500 ms time limit, 20x over
  EXPECT_TRUE(eventually([&] { return processes_with(marker).empty(); }));
}

// lupine killed (SIGKILL: no handler, no cleanup) in the middle of a step: nothing of the sandbox
// survives. The "lupine" here is a forked copy of the test process running the step.
TEST_F(Sandbox, KillingLupineMidStepLeavesNoSandboxedProcess) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  std::string seconds = std::to_string(8000000 + getpid() % 100000);
  std::string marker = fmt::format("lupine-orphan-{}", getpid());
  auto sandbox = spec();
  pid_t lupine = fork();
  ASSERT_GE(lupine, 0);
  if (lupine == 0) {
    try {
      run_in_sandbox(sandbox, {"/bin/sh", "-c", "sleep " + seconds + " & sleep " + seconds + "; : " + marker});
    } catch (...) {
    }
    _exit(0);
  }
  std::string sleep_cmdline = std::string("sleep\0", 6) + seconds;
  ASSERT_TRUE(eventually([&] { return processes_with(sleep_cmdline).size() == 2; }));
  ASSERT_FALSE(processes_with(marker).empty());
  kill(lupine, SIGKILL);
  waitpid(lupine, nullptr, 0);
  EXPECT_TRUE(eventually([&] { return processes_with(marker).empty() && processes_with(sleep_cmdline).empty(); }));
}

// SIGTERM to lupine mid-step: the sandbox is killed and Interrupted thrown (lupine then exits).
TEST_F(Sandbox, InterruptingLupineKillsTheStep) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  std::string marker = fmt::format("lupine-interrupted-{}", getpid());
  auto sandbox = spec();
  pid_t lupine = fork();
  ASSERT_GE(lupine, 0);
  if (lupine == 0) {
    int code = 1;
    try {
      run_in_sandbox(sandbox, {"/bin/sh", "-c", "sleep 1000; : " + marker});
      code = 2;
    } catch (const Interrupted&) {
      code = 42;
    } catch (...) {
      code = 3;
    }
    _exit(code);
  }
  ASSERT_TRUE(eventually([&] { return !processes_with(marker).empty(); }));
  kill(lupine, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(lupine, &status, 0), lupine);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 42);
  EXPECT_TRUE(eventually([&] { return processes_with(marker).empty(); }));
}

TEST_F(Sandbox, ExtraBinds) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  fs::create_directories(dir_.path() / "src");
  fs::create_directories(dir_.path() / "out");
  write_file_atomic(dir_.path() / "src" / "input", "data\n");
  auto sandbox = spec();
  sandbox.binds = {{dir_.path() / "src", "/src", false, false},
                   {dir_.path() / "out", "/var/out", true, false},
                   {dir_.path() / "missing", "/opt/missing", false, true}};
  auto result = step(sandbox, "cat /src/input > /var/out/copy; test ! -e /opt/missing");
  EXPECT_TRUE(result.success()) << ::testing::PrintToString(lines_);
  EXPECT_EQ(read_file(dir_.path() / "out" / "copy"), "data\n");
  EXPECT_NE(step(sandbox, "touch /src/new").exit_code, 0);
}

TEST_F(Sandbox, SetupFailureIsAnErrorNotAStepFailure) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  auto sandbox = spec();
  sandbox.binds = {{dir_.path() / "does-not-exist", "/x", false, false}};
  try {
    step(sandbox, "true");
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("could not be set up"));
    EXPECT_THAT(error.what(), HasSubstr("does-not-exist"));
  }
}

TEST_F(Sandbox, WritableRootCopyKeepsChangesBetweenSteps) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  auto before = listing(root());
  fs::path copy = dir_.path() / "private-root";
  make_private_root_copy(root(), copy);
  auto sandbox = spec();
  sandbox.root = copy;
  sandbox.root_access = RootAccess::writable;
  EXPECT_TRUE(step(sandbox, "mkdir -p /etc && echo built > /etc/marker").success()) << ::testing::PrintToString(lines_);
  auto result = step(sandbox, "cat /etc/marker; test -L /bin/sh");
  EXPECT_TRUE(result.success());
  EXPECT_THAT(lines_, ElementsAre("built"));
  EXPECT_EQ(read_file(copy / "etc" / "marker"), "built\n");
  EXPECT_EQ(listing(root()), before);
}

// --- no bwrap needed below ---

TEST_F(Sandbox, StepsGivenOneTmpDirShareIt) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  SandboxSpec shared = spec();
  TempDir tmp("lupine-sandbox-tmp");
  shared.tmp_dir = tmp.path();
  ASSERT_TRUE(step(shared, "echo kept > /tmp/note").success());
  auto second = step(shared, "cat /tmp/note");
  EXPECT_TRUE(second.success());
  EXPECT_THAT(lines_, ElementsAre("kept"));
  // Without one, each step has a fresh /tmp.
  auto fresh = step(spec(), "test ! -e /tmp/note");
  EXPECT_TRUE(fresh.success());
}

// As root, a step can give files to other accounts (util-linux's install: chgrp tty) and the host
// sees the same ids; without the full map bwrap's namespace knows only uid 0 (EINVAL).
TEST_F(Sandbox, AsRootAStepCanGiveFilesToOtherIds) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  if (::geteuid() != 0) GTEST_SKIP() << "the full id map is made only when lupine runs as root";
  auto result = step(spec(), "echo x > wall; chgrp 5 wall; chmod g+s wall; chown 1000:1000 .; id -u; "
                             "cat /proc/self/uid_map");
  ASSERT_TRUE(result.success()) << result.describe() << "\n" << ::testing::PrintToString(lines_);
  ASSERT_GE(lines_.size(), 2u);
  EXPECT_EQ(lines_[0], "0");
  EXPECT_THAT(lines_[1], ::testing::MatchesRegex(" *0 +0 +65536"));
  struct stat info {};
  ASSERT_EQ(::stat((workspace() / "wall").c_str(), &info), 0);
  EXPECT_EQ(info.st_gid, 5u);
  EXPECT_TRUE(info.st_mode & S_ISGID);
  ASSERT_EQ(::stat(workspace().c_str(), &info), 0);
  EXPECT_EQ(info.st_uid, 1000u);
}

TEST(SandboxIdMap, ReadsTheChildPidFromBwrapsInfo) {
  EXPECT_EQ(child_pid_from_info("{\n    \"child-pid\": 4242,\n    \"cgroup-namespace\": 4026532"), 4242);
  EXPECT_EQ(child_pid_from_info("{\n    \"child-p"), 0);
  EXPECT_EQ(sandbox_id_map_line(), "0 0 65536\n");
}

TEST(SandboxCommand, AnIdMapMakesBwrapWaitForIt) {
  TempDir dir("lupine-sandbox-command");
  SandboxSpec spec;
  spec.root = dir.path();
  spec.workspace = dir.path();
  SandboxIdMap id_map;
  auto command = bwrap_command(spec, {"true"}, &id_map);
  auto fds = id_map.child_fds();
  ASSERT_EQ(fds.size(), 2u);
  std::vector<std::string> expected{"--unshare-user", "--info-fd", std::to_string(fds[0]), "--userns-block-fd",
                                    std::to_string(fds[1])};
  EXPECT_THAT(command, IsSupersetOf(expected));
}

TEST(SandboxCheck, MissingBubblewrapSaysWhatToInstall) {
  SandboxSpec spec;
  spec.bwrap = "/nonexistent/bwrap";
  try {
    require_sandbox(spec.bwrap);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("apt-get install bubblewrap"));
    EXPECT_THAT(error.what(), HasSubstr("/nonexistent/bwrap"));
  }
  TempDir dir("lupine-sandbox");
  spec.root = spec.workspace = dir.path();
  EXPECT_THROW(run_in_sandbox(spec, {"/bin/true"}), Error);
}

TEST(SandboxCheck, DisabledUserNamespacesSayWhatToEnable) {
  EXPECT_EQ(user_namespace_problem(96365, std::nullopt, false), std::nullopt);
  EXPECT_EQ(user_namespace_problem(0, 0, true), std::nullopt);  // root: the trial run decides
  EXPECT_THAT(user_namespace_problem(0, std::nullopt, false).value_or(""),
              AllOf(HasSubstr("user.max_user_namespaces = 0"), HasSubstr("sysctl -w user.max_user_namespaces=")));
  EXPECT_THAT(user_namespace_problem(1000, 0, false).value_or(""),
              HasSubstr("sysctl -w kernel.unprivileged_userns_clone=1"));
}

TEST(SandboxStep, ScriptIsMelangesPreamble) {
  EXPECT_EQ(step_script("make\nmake install", "", false),
            "set -eo pipefail\n[ -d /home/build ] || mkdir -p /home/build\ncd /home/build\nmake\nmake install\nexit 0");
  EXPECT_EQ(step_script("true", "src", true),
            "set -exo pipefail\n[ -d /home/build/src ] || mkdir -p /home/build/src\ncd /home/build/src\ntrue\nexit 0");
  EXPECT_EQ(shell_quote("/home/build/a-b_c.d"), "/home/build/a-b_c.d");
  EXPECT_EQ(shell_quote("a b"), "'a b'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote("$(x)"), "'$(x)'");
  EXPECT_EQ(shell_quote(""), "''");
}

TEST(SandboxMounts, ReadOnlyRootLeavesRoomForMountPoints) {
  TempDir dir("lupine-sandbox-mounts");
  fs::path root = dir.path();
  fs::create_directories(root / "usr" / "bin");
  fs::create_directories(root / "home" / "someone");
  fs::create_directories(root / "tmp");
  fs::create_symlink("usr/bin", root / "bin");
  write_file_atomic(root / "file", "x");
  fs::permissions(root / "home", fs::perms(0755));
  auto args = read_only_root_arguments(root, {"/proc", "/dev", "/tmp", "/home/build"});
  std::vector<std::string> expected{"--symlink", "usr/bin", "/bin",
                                    "--ro-bind", (root / "file").string(), "/file",
                                    "--perms", "0755", "--dir", "/home",
                                    "--ro-bind", (root / "home" / "someone").string(), "/home/someone",
                                    "--ro-bind", (root / "usr").string(), "/usr"};
  EXPECT_EQ(args, expected);
}

TEST(SandboxMounts, PathsInsideTheSandboxAreNormalised) {
  EXPECT_EQ(sandbox_absolute_path("/a//b/./c/", "x"), "/a/b/c");
  EXPECT_EQ(sandbox_absolute_path("/", "x"), "/");
  EXPECT_THROW(sandbox_absolute_path("relative", "x"), Error);
  EXPECT_THROW(sandbox_absolute_path("/a/../b", "x"), Error);
}

TEST(SandboxCommand, HasTheIsolationFlags) {
  TempDir dir("lupine-sandbox-command");
  SandboxSpec spec;
  spec.root = dir.path();
  spec.workspace = dir.path();
  spec.source_date_epoch = 5;
  auto command = bwrap_command(spec, {"/bin/sh", "-c", "true"});
  EXPECT_THAT(command, IsSupersetOf({"--unshare-all", "--die-with-parent", "--new-session", "--clearenv"}));
  ASSERT_GE(command.size(), 4u);
  EXPECT_THAT(std::vector<std::string>(command.end() - 4, command.end()), ElementsAre("--", "/bin/sh", "-c", "true"));
  EXPECT_THAT(command, Not(Contains("--share-net")));
}

}  // namespace
}  // namespace lupine::builder
