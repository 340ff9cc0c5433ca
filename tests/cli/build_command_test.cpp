// `lupine build` and `lupine test` end to end through the binary: a repository made with lupine's
// own keygen/pack/index from the host's static busybox, then recipes built, tested and broken.
// Skips without bubblewrap or a static busybox (fails under LUPINE_REQUIRE_FIXTURES=1).
#include "common/fs.h"
#include "support/fixtures.h"
#include "support/run.h"
#include "support/slurm.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/utsname.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>

namespace fs = std::filesystem;
using lupine::testing::run;
using lupine::testing::run_lupine;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

constexpr const char* kRecipe = R"(package:
  name: greet
  version: "2.0"
  epoch: 1
  description: greets
  copyright:
    - license: MIT
environment:
  contents:
    packages:
      - busybox
pipeline:
  - name: install
    runs: |
      mkdir -p ${{targets.destdir}}/usr/bin
      printf '#!/bin/sh\necho hi\n' > ${{targets.destdir}}/usr/bin/greet
      chmod 755 ${{targets.destdir}}/usr/bin/greet
STEPS
test:
  environment:
    contents:
      packages:
        - busybox
  pipeline:
    - name: greets
      runs: greet | grep -x EXPECTED
)";

std::string recipe_text(const std::string& steps = "", const std::string& expected = "hi") {
  std::string text = kRecipe;
  text.replace(text.find("STEPS"), 5, steps);
  text.replace(text.find("EXPECTED"), 8, expected);
  return text;
}

std::string host_arch() {
  utsname name{};
  ::uname(&name);
  std::string machine = name.machine;
  return machine == "arm64" ? "aarch64" : machine;
}

// A statically linked busybox has no PT_INTERP program header (64-bit ELF of the host's byte order).
bool has_interpreter(const std::string& elf) {
  if (elf.size() < 64 || elf.compare(0, 4, "\x7f" "ELF") != 0 || elf[4] != 2) return true;
  uint64_t phoff;
  uint16_t phentsize, phnum;
  std::memcpy(&phoff, elf.data() + 32, 8);
  std::memcpy(&phentsize, elf.data() + 54, 2);
  std::memcpy(&phnum, elf.data() + 56, 2);
  for (uint16_t i = 0; i < phnum; ++i) {
    uint64_t at = phoff + uint64_t{i} * phentsize;
    if (at + 4 > elf.size()) return true;
    uint32_t type;
    std::memcpy(&type, elf.data() + at, 4);
    if (type == 3) return true;  // PT_INTERP
  }
  return false;
}

std::optional<fs::path> static_busybox() {
  for (const char* candidate : {"/bin/busybox", "/usr/bin/busybox"})
    if (fs::is_regular_file(candidate) && !has_interpreter(lupine::read_file(candidate))) return fs::path(candidate);
  return std::nullopt;
}

std::optional<std::string> unavailable() {
  if (run({"bwrap", "--unshare-all", "--ro-bind", "/", "/", "true"}).exit_code != 0) return "bubblewrap is not usable";
  if (!static_busybox()) return "no static busybox (apt-get install busybox-static)";
  return std::nullopt;
}

#define SKIP_WITHOUT_SANDBOX()                                            \
  if (auto why = unavailable()) {                                         \
    if (::lupine::testing::fixtures_required()) FAIL() << *why;           \
    GTEST_SKIP() << *why;                                                 \
  }

class BuildCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    if (unavailable()) return;
    arch_ = host_arch();
    ASSERT_EQ(run_lupine({"keygen", (dir_ / "key").string(), "--key-size", "2048"}).exit_code, 0);
    make_repository(repo_, "");
  }

  // A signed repository of one busybox-1.36.1-r0 (the host's static busybox and a few applet
  // links); with `flavor`, the package also holds /usr/share/busybox/flavor: the same name and
  // version with other bytes (another C:).
  void make_repository(const fs::path& repo, const std::string& flavor) {
    fs::path tree = dir_ / ("tree" + flavor);
    fs::create_directories(tree / "bin");
    fs::copy_file(*static_busybox(), tree / "bin/busybox");
    for (const char* applet : {"sh", "mkdir", "printf", "chmod", "grep", "echo", "touch", "sleep", "cat", "true"})
      fs::create_symlink("busybox", tree / "bin" / applet);
    if (!flavor.empty()) {
      fs::create_directories(tree / "usr/share/busybox");
      lupine::write_file_atomic(tree / "usr/share/busybox/flavor", flavor + "\n");
    }
    fs::create_directories(repo / arch_);
    fs::path apk = repo / arch_ / "busybox-1.36.1-r0.apk";
    auto pack = run_lupine({"pack", tree.string(), "-o", apk.string(), "--name", "busybox", "--version", "1.36.1-r0",
                            "--arch", arch_, "--provides", "cmd:sh=1.36.1-r0", "--signing-key", key()});
    ASSERT_EQ(pack.exit_code, 0) << pack.err;
    auto index = run_lupine({"index", "-o", (repo / arch_ / "APKINDEX.tar.gz").string(), "--signing-key", key(),
                             "--keyring", pub(), apk.string()});
    ASSERT_EQ(index.exit_code, 0) << index.err;
  }

  std::string key() const { return (dir_ / "key.rsa").string(); }
  std::string pub() const { return (dir_ / "key.rsa.pub").string(); }

  fs::path write_recipe(const std::string& text) {
    fs::path path = dir_ / "greet.yaml";
    lupine::write_file_atomic(path, text);
    return path;
  }

  std::vector<std::string> common(const fs::path& recipe, const std::string& date = "2024-05-01T12:00:00Z") const {
    return {recipe.string(), "--repository-append", repo_.string(), "--keyring-append", pub(), "--out-dir",
            out_.string(), "--cache-dir", (dir_ / "cache").string(), "--build-date", date};
  }

  lupine::testing::RunResult build(const fs::path& recipe, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"build"};
    auto c = common(recipe);
    args.insert(args.end(), c.begin(), c.end());
    args.insert(args.end(), {"--signing-key", key()});
    args.insert(args.end(), extra.begin(), extra.end());
    return run_lupine(args);
  }

  // Builds `recipe` into `out` at `date`, signed with `signing_key` (the fixture's key by default).
  void build_into(const fs::path& recipe, const fs::path& out, const std::string& date, std::string signing_key = "") {
    auto result = run_lupine({"build", recipe.string(), "-r", repo_.string(), "-k", pub(), "--out-dir", out.string(),
                              "--cache-dir", (dir_ / "cache").string(), "--build-date", date, "--signing-key",
                              signing_key.empty() ? key() : signing_key});
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }

  lupine::testing::RunResult test(const fs::path& recipe) {
    std::vector<std::string> args{"test"};
    auto c = common(recipe);
    args.insert(args.end(), c.begin(), c.end());
    args.insert(args.end(), {"--signing-key", key()});
    return run_lupine(args);
  }

  lupine::TempDir scratch_{"lupine-build-cli"};
  fs::path dir_ = scratch_.path();
  fs::path repo_ = scratch_.path() / "repo";
  fs::path out_ = scratch_.path() / "packages";
  std::string arch_;
};

TEST_F(BuildCommand, BuildsVerifiesIndexesAndTests) {
  SKIP_WITHOUT_SANDBOX();
  fs::path recipe = write_recipe(recipe_text());
  // The out-dir as a repository from the first build on, as melange users (and Wolfi's Makefile)
  // pass it: nothing is there yet, which is said, not refused.
  auto built = build(recipe, {"--repository-append", out_.string()});
  ASSERT_EQ(built.exit_code, 0) << built.err;
  EXPECT_THAT(built.err, HasSubstr("is this build's --out-dir, where nothing is built yet"));
  fs::path apk = out_ / arch_ / "greet-2.0-r1.apk";
  EXPECT_THAT(built.out, HasSubstr(apk.string()));
  EXPECT_THAT(built.err, HasSubstr("==> greet: install"));
  EXPECT_TRUE(fs::exists(out_ / arch_ / "buildlogs" / "greet-2.0-r1.log"));

  auto verified = run_lupine({"verify", "--keyring", pub(), apk.string()});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  auto info = run_lupine({"info", apk.string()});
  EXPECT_THAT(info.out, HasSubstr("\ncontrol file:      .melange.yaml\n"));
  auto index = run({"tar", "-xzOf", (out_ / arch_ / "APKINDEX.tar.gz").string(), "APKINDEX"});
  EXPECT_THAT(index.out, HasSubstr("P:greet\nV:2.0-r1\n"));
  EXPECT_THAT(index.out, HasSubstr("t:1714564800\n"));  // --build-date

  auto tested = test(recipe);
  EXPECT_EQ(tested.exit_code, 0) << tested.err;
  EXPECT_THAT(tested.out, HasSubstr("PASS greet"));

  auto failing = test(write_recipe(recipe_text("", "bye")));
  EXPECT_EQ(failing.exit_code, 1);
  EXPECT_THAT(failing.out, HasSubstr("FAIL greet"));
  EXPECT_THAT(failing.err, HasSubstr("step \"greets\" failed with exit code 1"));
}

TEST_F(BuildCommand, FailingStepIsReportedWithItsNameExitCodeAndLog) {
  SKIP_WITHOUT_SANDBOX();
  fs::path recipe = write_recipe(recipe_text("  - name: boom\n    runs: echo going down; exit 3\n"));
  auto built = build(recipe);
  EXPECT_EQ(built.exit_code, 1);
  fs::path log = out_ / arch_ / "buildlogs" / "greet-2.0-r1.log";
  EXPECT_THAT(built.err, HasSubstr("lupine: error: greet: step \"boom\" failed with exit code 3 (log: " + log.string() + ")"));
  EXPECT_THAT(built.err, HasSubstr("going down"));  // the tail of the output, since stderr is not a terminal
  EXPECT_FALSE(fs::exists(out_ / arch_ / "greet-2.0-r1.apk"));
}

TEST_F(BuildCommand, TimeoutStopsTheBuild) {
  SKIP_WITHOUT_SANDBOX();
  fs::path recipe = write_recipe(recipe_text("  - name: hang\n    runs: sleep 600\n"));
  auto start = std::chrono::steady_clock::now();
  auto built = build(recipe, {"--timeout", "5s"});
  EXPECT_EQ(built.exit_code, 1);
  EXPECT_THAT(built.err, HasSubstr("step \"hang\" was stopped: the build's time limit (5s) was reached"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));  // --timeout 5s, 12x over
}

TEST_F(BuildCommand, InterruptStopsTheStepAndCleansUp) {
  SKIP_WITHOUT_SANDBOX();
  ASSERT_EQ(build(write_recipe(recipe_text())).exit_code, 0);  // the root is cached: the step starts at once
  fs::remove_all(out_);
  fs::path recipe = write_recipe(recipe_text("  - name: hang\n    runs: sleep 613\n"));
  std::vector<std::string> args{"timeout", "--preserve-status", "-s", "INT", "4", std::getenv("LUPINE_BINARY"), "build"};
  for (const auto& arg : common(recipe)) args.push_back(arg);
  auto start = std::chrono::steady_clock::now();
  auto built = run(args);
  EXPECT_EQ(built.exit_code, 130) << built.err;
  // Interrupted after 4 s (timeout(1)): stopped then, not after the step's 613 s.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
  EXPECT_FALSE(fs::exists(out_ / arch_ / "greet-2.0-r1.apk"));
  // The temporary workspace named in the log is gone.
  std::string log = lupine::read_file(out_ / arch_ / "buildlogs" / "greet-2.0-r1.log");
  size_t at = log.find("workspace ");
  ASSERT_NE(at, std::string::npos) << log;
  std::string workspace = log.substr(at + 10, log.find('\n', at) - at - 10);
  EXPECT_FALSE(fs::exists(workspace)) << workspace;
  EXPECT_EQ(run({"pgrep", "-f", "sleep 613"}).exit_code, 1) << "a sandboxed process survived";
}

TEST_F(BuildCommand, MissingBubblewrapIsAClearError) {
  SKIP_WITHOUT_SANDBOX();
  const char* binary = std::getenv("LUPINE_BINARY");
  ASSERT_NE(binary, nullptr);
  std::vector<std::string> args{"env", "LUPINE_BWRAP=/nonexistent/bwrap", binary, "build"};
  auto c = common(write_recipe(recipe_text()));
  args.insert(args.end(), c.begin(), c.end());
  auto built = run(args);
  EXPECT_EQ(built.exit_code, 1);
  EXPECT_THAT(built.err, HasSubstr("bwrap"));
  EXPECT_THAT(built.err, Not(HasSubstr("internal error")));
}

TEST_F(BuildCommand, BadFlagsAndRecipesAreReported) {
  SKIP_WITHOUT_SANDBOX();
  fs::path recipe = write_recipe(recipe_text());
  std::vector<std::string> args{"build"};
  for (const auto& arg : common(recipe, "yesterday")) args.push_back(arg);
  auto bad_date = run_lupine(args);
  EXPECT_EQ(bad_date.exit_code, 1);
  EXPECT_THAT(bad_date.err, HasSubstr("--build-date 'yesterday'"));
  auto broken = build(write_recipe("package:\n  name: x\n  bogus: 1\n"));
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_THAT(broken.err, HasSubstr("greet.yaml:"));  // diagnostics with file:line as lupine compile prints them
}

// Steps after `install`: one that counts its runs in the workspace, and a last one (LAST).
std::string resumable_recipe(const std::string& count, const std::string& last) {
  return recipe_text("  - name: count\n    runs: |\n      " + count + "\n  - name: last\n    runs: |\n      " + last + "\n");
}

TEST_F(BuildCommand, ResumeRerunsOnlyTheFailedStep) {
  SKIP_WITHOUT_SANDBOX();
  const std::string count = "echo run >> count.txt";
  auto failed = build(write_recipe(resumable_recipe(count, "exit 4")));
  EXPECT_EQ(failed.exit_code, 1);
  fs::path kept = dir_ / "cache" / "resume" / ("greet-" + arch_) / "workspace";
  EXPECT_THAT(failed.err, HasSubstr("workspace kept: " + kept.string()));
  EXPECT_EQ(lupine::read_file(kept / "count.txt"), "run\n");

  // Fixed: the last step checks that `count` ran once, i.e. was not run again.
  auto resumed = build(write_recipe(resumable_recipe(count, "[ \"$(cat count.txt)\" = run ]")), {"--resume"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_THAT(resumed.err, HasSubstr("resuming in " + kept.string() + ": 2 of 3 steps done before"));
  EXPECT_THAT(resumed.err, HasSubstr("==> greet: install (done in the kept workspace)"));
  EXPECT_THAT(resumed.err, HasSubstr("==> greet: count (done in the kept workspace)"));
  EXPECT_THAT(resumed.err, HasSubstr("==> greet: last\n"));
  std::string log = lupine::read_file(out_ / arch_ / "buildlogs" / "greet-2.0-r1.log");
  EXPECT_THAT(log, HasSubstr("==> greet: count (done in the kept workspace)"));
  EXPECT_TRUE(fs::exists(out_ / arch_ / "greet-2.0-r1.apk"));
  EXPECT_FALSE(fs::exists(kept.parent_path())) << "a built recipe leaves nothing to resume";

  auto again = build(write_recipe(resumable_recipe(count, "true")), {"--resume"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.err, HasSubstr("cannot resume, building from the start: no failed build of this recipe is kept"));
}

TEST_F(BuildCommand, ResumeStartsOverWhenAnEarlierStepChanged) {
  SKIP_WITHOUT_SANDBOX();
  ASSERT_EQ(build(write_recipe(resumable_recipe("echo run >> count.txt", "exit 4"))).exit_code, 1);
  auto resumed =
      build(write_recipe(resumable_recipe("echo other >> count.txt", "[ \"$(cat count.txt)\" = other ]")), {"--resume"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_THAT(resumed.err, HasSubstr("cannot resume, building from the start: greet: step \"count\" changed"));
  EXPECT_THAT(resumed.err, HasSubstr("==> greet: count\n"));
}

TEST_F(BuildCommand, AFailedBuildInAGivenWorkspaceLeavesItThere) {
  SKIP_WITHOUT_SANDBOX();
  fs::path workspace = dir_ / "ws";
  fs::path recipe = write_recipe(resumable_recipe("echo run >> count.txt", "exit 4"));
  auto failed = build(recipe, {"--workspace-dir", workspace.string()});
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_EQ(lupine::read_file(workspace / "count.txt"), "run\n");
  EXPECT_FALSE(fs::exists(dir_ / "cache" / "resume")) << "the user's workspace was moved";
  auto refused = build(recipe, {"--workspace-dir", workspace.string(), "--resume"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("it does not take --workspace-dir"));
}

TEST_F(BuildCommand, InteractiveOpensAShellInTheFailedStepsSandbox) {
  SKIP_WITHOUT_SANDBOX();
  if (run({"script", "--version"}).exit_code != 0) {
    if (::lupine::testing::fixtures_required()) FAIL() << "script(1) is needed (util-linux)";
    GTEST_SKIP() << "no script(1)";
  }
  fs::path recipe = write_recipe(recipe_text("  - name: boom\n    runs: echo from-the-step > left.txt; exit 3\n"));
  std::string command = std::string(std::getenv("LUPINE_BINARY")) + " build --interactive";
  for (const auto& arg : common(recipe)) command += " " + arg;
  // What is typed at the shell. The terminal echoes it, so the checks look for what only running it
  // prints: 6*7 worked out, the file the step left, the directory and hostname of the sandbox.
  fs::path typed = dir_ / "typed.txt";
  lupine::write_file_atomic(typed, "echo \"sum-$((6*7))\"; cat left.txt; echo \"at-$PWD-on-$(cat /proc/sys/kernel/hostname)\"; exit 5\n");
  auto session = run({"sh", "-c", "script -qec \"$0\" /dev/null < \"$1\"", command, typed.string()});
  EXPECT_THAT(session.out, HasSubstr("step \"boom\" failed with exit code 3: a shell in its sandbox at /home/build"));
  EXPECT_THAT(session.out, HasSubstr("sum-42"));
  EXPECT_THAT(session.out, HasSubstr("from-the-step"));
  EXPECT_THAT(session.out, HasSubstr("at-/home/build-on-lupine"));
  EXPECT_THAT(session.out, HasSubstr("the shell exited with status 5"));
  EXPECT_THAT(session.out, HasSubstr("lupine: error: greet: step \"boom\" failed with exit code 3"));
  EXPECT_FALSE(fs::exists(out_ / arch_ / "greet-2.0-r1.apk"));
}

}  // namespace

// lupine rebuild: the package's own .melange.yaml, built again on the build root it records, gives
// the same bytes; a swapped input is named before anything is built, and without the record the
// difference shows file by file.
TEST_F(BuildCommand, RebuildIsIdenticalAndNamesASwappedInput) {
  SKIP_WITHOUT_SANDBOX();
  fs::path recipe = write_recipe(recipe_text(
      "  - name: note the build root\n"
      "    runs: |\n"
      "      mkdir -p ${{targets.destdir}}/usr/share/greet\n"
      "      cat /usr/share/busybox/flavor > ${{targets.destdir}}/usr/share/greet/flavor 2>/dev/null || "
      "echo plain > ${{targets.destdir}}/usr/share/greet/flavor\n"));
  ASSERT_EQ(build(recipe).exit_code, 0);
  fs::path apk = out_ / arch_ / "greet-2.0-r1.apk";
  // The recipe file is gone: the package alone says how to build it.
  fs::remove(recipe);

  std::vector<std::string> base{"rebuild", apk.string(), "--keyring-append", pub(), "--cache-dir",
                                (dir_ / "cache").string(), "--signing-key", key()};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return run_lupine(args);
  };
  auto same = with({"-r", repo_.string(), "--out-dir", (dir_ / "again").string()});
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
  EXPECT_EQ(same.out, apk.string() + ": identical\n");
  EXPECT_EQ(lupine::read_file(dir_ / "again" / arch_ / "greet-2.0-r1.apk"), lupine::read_file(apk));

  fs::path swapped = dir_ / "swapped";
  make_repository(swapped, "other");
  auto refused = with({"-r", swapped.string(), "--out-dir", (dir_ / "refused").string(), "--report",
                       (dir_ / "refused.json").string()});
  EXPECT_EQ(refused.exit_code, 1);
  // --report says why there is no comparison (farm verify-rebuild reads it).
  EXPECT_THAT(lupine::read_file(dir_ / "refused.json"), HasSubstr("\"error\": \"the build root is not the one recorded"));
  EXPECT_THAT(refused.err, HasSubstr("the build root is not the one recorded in " +
                                     (out_ / arch_ / "buildlogs" / "greet-2.0-r1.buildroot.json").string()));
  EXPECT_THAT(refused.err, HasSubstr("busybox: recorded 1.36.1-r0 (Q1"));
  EXPECT_FALSE(fs::exists(dir_ / "refused" / arch_ / "greet-2.0-r1.apk"));

  // Without the record beside it, the rebuild runs and shows what the other input changed.
  fs::create_directories(dir_ / "alone");
  fs::copy_file(apk, dir_ / "alone/greet-2.0-r1.apk");
  base[1] = (dir_ / "alone/greet-2.0-r1.apk").string();
  auto differs = with({"-r", swapped.string(), "--out-dir", (dir_ / "differs").string(), "--json"});
  EXPECT_EQ(differs.exit_code, 1) << differs.err;
  EXPECT_THAT(differs.out, HasSubstr("\"identical\": false"));
  EXPECT_THAT(differs.out, HasSubstr("\"path\": \"usr/share/greet/flavor\""));
  EXPECT_THAT(differs.out, HasSubstr("\"first_differing_byte\": 0"));
}


// farm verify-rebuild: every recipe of a repository rebuilt from its packages, counted as
// reproducible-builds.org counts; a package that cannot be rebuilt (no .melange.yaml) counts as not.
TEST_F(BuildCommand, FarmVerifyRebuildCountsReproduciblePackages) {
  SKIP_WITHOUT_SANDBOX();
  ASSERT_EQ(build(write_recipe(recipe_text())).exit_code, 0);
  auto verified = run_lupine({"farm", "verify-rebuild", out_.string(), "-r", repo_.string(), "-k", pub(),
                              "--signing-key", key(), "--cache-dir", (dir_ / "cache").string(), "--out-dir",
                              (dir_ / "verify").string(), "-j", "2"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_THAT(verified.out, ::testing::MatchesRegex("(.|\n)*greet +2.0-r1 +1 +1  reproducible(.|\n)*"));
  EXPECT_THAT(verified.out, HasSubstr("1 of 1 packages reproducible (100.0 %)\n"));
  EXPECT_THAT(verified.err, HasSubstr("greet 2.0-r1: 1 package(s) reproducible"));

  // The busybox repository was packed, not built: nothing says how to rebuild it.
  auto unknown = run_lupine({"farm", "verify-rebuild", repo_.string(), out_.string(), "-r", repo_.string(), "-k",
                             pub(), "--cache-dir", (dir_ / "cache").string(), "--out-dir",
                             (dir_ / "verify2").string(), "--json"});
  EXPECT_EQ(unknown.exit_code, 1) << unknown.err;
  EXPECT_THAT(unknown.out, HasSubstr("\"packages\": 2,\n  \"reproducible\": 1,\n  \"percent\": 50.0"));
  EXPECT_THAT(unknown.out, HasSubstr("carries no .melange.yaml"));

  // --target: only the recipes named; a name no package has as its origin is an error.
  auto only = [&](const std::string& name) {
    return run_lupine({"farm", "verify-rebuild", repo_.string(), out_.string(), "--target", name, "-r", repo_.string(),
                       "-k", pub(), "--cache-dir", (dir_ / "cache").string(), "--out-dir",
                       (dir_ / ("verify-" + name)).string()});
  };
  auto greet = only("greet");
  EXPECT_EQ(greet.exit_code, 0) << greet.err;
  EXPECT_THAT(greet.out, HasSubstr("1 of 1 packages reproducible (100.0 %)\n"));
  auto nope = only("nope");
  EXPECT_EQ(nope.exit_code, 1);
  EXPECT_THAT(nope.err, HasSubstr("--target nope: no package of the repositories has that origin"));
}

// farm verify-rebuild --executor slurm: each recipe's rebuild is a Slurm job (its batch script
// beside its log), read back from its report.
TEST_F(BuildCommand, FarmVerifyRebuildRunsEachRebuildAsASlurmJob) {
  SKIP_WITHOUT_SANDBOX();
  LUPINE_SLURM_OR_SKIP();
  ASSERT_EQ(build(write_recipe(recipe_text())).exit_code, 0);
  fs::path verify = dir_ / "verify-slurm";
  auto verified = run_lupine({"farm", "verify-rebuild", out_.string(), "-r", repo_.string(), "-k", pub(),
                              "--signing-key", key(), "--cache-dir", (dir_ / "cache").string(), "--out-dir",
                              verify.string(), "--executor", "slurm", "--json"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_THAT(verified.out, HasSubstr("\"packages\": 1,\n  \"reproducible\": 1,\n  \"percent\": 100.0"));
  EXPECT_TRUE(fs::exists(verify / "greet" / "rebuild.log.sbatch"));
  EXPECT_THAT(lupine::read_file(verify / "greet" / "report.json"), HasSubstr("\"identical\": true"));
}

// apk-tools 3 reads what lupine publishes: a package carrying .melange.yaml and an index carrying
// the freshness mark verify, and `apk add` installs from that repository. apk-tools is not in
// Debian: this runs where a binary is given (APK=/path/to/apk, or apk on PATH) and says why not.
TEST_F(BuildCommand, ApkToolsVerifiesAndInstallsWhatLupinePublishes) {
  SKIP_WITHOUT_SANDBOX();
  const char* env = std::getenv("APK");
  std::string apk = env && *env ? env : run({"sh", "-c", "command -v apk"}).out;
  if (!apk.empty() && apk.back() == '\n') apk.pop_back();
  if (apk.empty()) GTEST_SKIP() << "no apk-tools binary (set APK=/path/to/apk)";
  ASSERT_EQ(build(write_recipe(recipe_text())).exit_code, 0);
  fs::path index = out_ / arch_ / "APKINDEX.tar.gz";
  ASSERT_EQ(run_lupine({"index", "--refresh", "--expires-in", "7d", "--signing-key", key(), "-o", index.string()})
                .exit_code,
            0);
  ASSERT_THAT(run({"tar", "-xzOf", index.string(), "DESCRIPTION"}).out, HasSubstr("[lupine-index "));
  fs::path apk_keys = dir_ / "apk-keys";
  fs::create_directories(apk_keys);
  fs::copy_file(pub(), apk_keys / fs::path(pub()).filename());
  fs::path package = out_ / arch_ / "greet-2.0-r1.apk";
  ASSERT_THAT(run_lupine({"info", package.string()}).out, HasSubstr(".melange.yaml"));
  auto verified = run({apk, "verify", "--keys-dir", apk_keys.string(), package.string(), index.string()});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;

  fs::path root = dir_ / "apk-root";
  auto added = run({apk, "add", "--root", root.string(), "--initdb", "--keys-dir", apk_keys.string(), "--no-cache",
                    "--no-scripts", "--repository", out_.string(), "--repository", repo_.string(), "greet"});
  EXPECT_EQ(added.exit_code, 0) << added.out << added.err;
  EXPECT_EQ(lupine::read_file(root / "usr/bin/greet"), "#!/bin/sh\necho hi\n");
}

// verify --provenance: the signed SLSA provenance beside a built package, and three ways it is
// refused: a flipped byte, another package's subject, a key the keyring does not trust.
TEST_F(BuildCommand, VerifyProvenanceRefusesTamperedEnvelopes) {
  SKIP_WITHOUT_SANDBOX();
  fs::path recipe = write_recipe(recipe_text());
  ASSERT_EQ(build(recipe).exit_code, 0);
  fs::path apk = out_ / arch_ / "greet-2.0-r1.apk";
  fs::path envelope = apk.string() + ".intoto.jsonl";
  ASSERT_TRUE(fs::exists(envelope));
  const std::string good = lupine::read_file(envelope);
  auto verify = [&] { return run_lupine({"verify", "--provenance", "--keyring", pub(), apk.string()}); };
  auto ok = verify();
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out, apk.string() + ": OK (provenance signed by key.rsa.pub, builder https://lupine.dev/builders/lupine/v1)\n");

  std::string flipped = good;
  size_t at = flipped.find("\"payload\":\"") + 40;
  flipped[at] = flipped[at] == 'A' ? 'B' : 'A';
  lupine::write_file_atomic(envelope, flipped);
  auto bad = verify();
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr(envelope.string() + ": BAD signature by key.rsa.pub"));

  // The same recipe built at another date: other bytes, whose provenance names them, not these.
  fs::path other_out = dir_ / "other";
  build_into(recipe, other_out, "2025-01-01T00:00:00Z");
  fs::copy_file(other_out / arch_ / "greet-2.0-r1.apk.intoto.jsonl", envelope, fs::copy_options::overwrite_existing);
  auto other = verify();
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_THAT(other.err, HasSubstr("is the provenance of other bytes (sha256 "));

  // Signed by a key the keyring does not hold.
  ASSERT_EQ(run_lupine({"keygen", (dir_ / "stranger").string(), "--key-size", "2048"}).exit_code, 0);
  fs::path stranger_out = dir_ / "stranger-out";
  build_into(recipe, stranger_out, "2024-05-01T12:00:00Z", (dir_ / "stranger.rsa").string());
  fs::copy_file(stranger_out / arch_ / "greet-2.0-r1.apk.intoto.jsonl", envelope, fs::copy_options::overwrite_existing);
  auto untrusted = verify();
  EXPECT_EQ(untrusted.exit_code, 1);
  EXPECT_THAT(untrusted.err, HasSubstr("signed by stranger.rsa.pub, which is not trusted"));

  fs::remove(envelope);
  auto missing = verify();
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("no provenance: expected " + envelope.string()));
}

// install --require-provenance: every package fetched needs its signed provenance beside it in
// the repository; a tampered, misplaced or foreign one (or none) refuses the install, which then
// writes nothing.
TEST_F(BuildCommand, InstallRequiringProvenanceRefusesWhatDoesNotVerify) {
  SKIP_WITHOUT_SANDBOX();
  std::string data = recipe_text();
  data.replace(data.find("printf '#!/bin/sh\\necho hi\\n'"), std::string("printf '#!/bin/sh\\necho hi\\n'").size(),
               "echo data");
  data.replace(data.find("name: greet"), 11, "name: datum");
  fs::path recipe = write_recipe(data);
  ASSERT_EQ(build(recipe).exit_code, 0);
  fs::path apk = out_ / arch_ / "datum-2.0-r1.apk";
  fs::path envelope = apk.string() + ".intoto.jsonl";
  ASSERT_TRUE(fs::exists(envelope));
  const std::string good = lupine::read_file(envelope);
  int roots = 0;
  auto install = [&](const std::string& atom) {
    fs::path root = dir_ / ("root" + std::to_string(++roots));
    auto result = run_lupine({"install", "--initdb", "--root", root.string(), "-X", out_.string(), "-X",
                              repo_.string(), "--keyring", pub(), "--cache-dir", (dir_ / "cache").string(),
                              "--require-provenance", atom});
    result.out += fs::exists(root / "usr/bin/greet") ? "[installed]" : "[nothing installed]";
    return result;
  };
  auto ok = install("datum");
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("[installed]"));

  std::string flipped = good;
  size_t at = flipped.find("\"payload\":\"") + 60;
  flipped[at] = flipped[at] == 'A' ? 'B' : 'A';
  lupine::write_file_atomic(envelope, flipped);
  auto bad = install("datum");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("BAD signature by key.rsa.pub"));
  EXPECT_THAT(bad.out, HasSubstr("[nothing installed]"));

  fs::path other_out = dir_ / "other";
  build_into(recipe, other_out, "2025-01-01T00:00:00Z");
  fs::copy_file(other_out / arch_ / "datum-2.0-r1.apk.intoto.jsonl", envelope, fs::copy_options::overwrite_existing);
  auto other = install("datum");
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_THAT(other.err, HasSubstr("is the provenance of other bytes"));
  EXPECT_THAT(other.out, HasSubstr("[nothing installed]"));

  ASSERT_EQ(run_lupine({"keygen", (dir_ / "stranger").string(), "--key-size", "2048"}).exit_code, 0);
  fs::path stranger_out = dir_ / "stranger-out";
  build_into(recipe, stranger_out, "2024-05-01T12:00:00Z", (dir_ / "stranger.rsa").string());
  fs::copy_file(stranger_out / arch_ / "datum-2.0-r1.apk.intoto.jsonl", envelope, fs::copy_options::overwrite_existing);
  auto stranger = install("datum");
  EXPECT_EQ(stranger.exit_code, 1);
  EXPECT_THAT(stranger.err, HasSubstr("signed by stranger.rsa.pub, which is not trusted"));

  // busybox was packed, not built: it has no provenance to show.
  lupine::write_file_atomic(envelope, good);
  auto none = install("busybox");
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_THAT(none.err, HasSubstr("busybox-1.36.1-r0.apk: no provenance"));
}
