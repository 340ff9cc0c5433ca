// The parts of `lupine build` that need no sandbox: SOURCE_DATE_EPOCH precedence, --env-file and
// --vars-file, the workspace (source files, .melangeignore, --workspace-dir safety), root cache keys.
#include "builder/build/build_date.h"
#include "builder/build/build_inputs.h"
#include "builder/build/build_root.h"
#include "builder/build/build_root_lease.h"
#include "builder/build/build_workspace.h"
#include "builder/recipe/compile.h"
#include "common/fs.h"
#include "common/process.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <optional>

namespace lupine::builder {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

// Sets or unsets SOURCE_DATE_EPOCH for one test.
class ScopedSourceDateEpoch {
 public:
  explicit ScopedSourceDateEpoch(const char* value) {
    if (const char* old = std::getenv("SOURCE_DATE_EPOCH")) old_ = old;
    if (value) ::setenv("SOURCE_DATE_EPOCH", value, 1);
    else ::unsetenv("SOURCE_DATE_EPOCH");
  }
  ~ScopedSourceDateEpoch() {
    if (old_) ::setenv("SOURCE_DATE_EPOCH", old_->c_str(), 1);
    else ::unsetenv("SOURCE_DATE_EPOCH");
  }

 private:
  std::optional<std::string> old_;
};

bool git_works() {
  ProcessOptions options;
  options.argv = {"git", "--version"};
  options.stdout_to = OutputTarget::discard();
  try {
    return run_process(options).success();
  } catch (const Error&) {
    return false;
  }
}

void git(const fs::path& dir, std::vector<std::string> args, Environment env = {}) {
  ProcessOptions options;
  options.argv = {"git", "-C", dir.string()};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.env = std::move(env);
  options.env["GIT_CONFIG_NOSYSTEM"] = "1";
  options.env["HOME"] = dir.string();
  auto result = run_process(options);
  ASSERT_TRUE(result.success()) << result.err;
}

TEST(BuildDate, ParsesSecondsRfc3339AndNow) {
  EXPECT_EQ(parse_build_date("1700000000"), 1700000000);
  EXPECT_EQ(parse_build_date("2024-05-01T12:00:00Z"), 1714564800);
  EXPECT_EQ(parse_build_date("2024-05-01T14:00:00+02:00"), 1714564800);
  EXPECT_EQ(parse_build_date("2024-05-01T12:00:00.75Z"), 1714564800);
  EXPECT_EQ(parse_build_date("1970-01-01T00:00:00Z"), 0);
  int64_t now = parse_build_date("now");
  EXPECT_LE(std::abs(now - static_cast<int64_t>(std::time(nullptr))), 5);
  for (const char* bad : {"", "yesterday", "2024-05-01", "2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z",
                          "2024-05-01T12:00:00", "-5", "1969-12-31T23:59:59Z"})
    EXPECT_THROW(parse_build_date(bad), Error) << bad;
}

TEST(BuildDate, EnvironmentThenFlagThenGitCommitThenZero) {
  TempDir dir("lupine-build-date");
  fs::path recipe = dir.path() / "hello.yaml";
  write_file_atomic(recipe, "package: {}\n");
  {
    ScopedSourceDateEpoch unset(nullptr);
    BuildDate none = resolve_build_date("", recipe);
    EXPECT_EQ(none.epoch, 0);
    EXPECT_EQ(resolve_build_date("2024-05-01T12:00:00Z", recipe).epoch, 1714564800);
  }
  if (git_works()) {
    git(dir.path(), {"init", "-q"});
    git(dir.path(), {"add", "hello.yaml"});
    git(dir.path(), {"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "r"},
        {{"GIT_COMMITTER_DATE", "@1600000000 +0000"}, {"GIT_AUTHOR_DATE", "@1500000000 +0000"}});
    ScopedSourceDateEpoch unset(nullptr);
    EXPECT_EQ(recipe_commit_time(recipe), 1600000000);
    BuildDate committed = resolve_build_date("", recipe);
    EXPECT_EQ(committed.epoch, 1600000000);
    EXPECT_THAT(committed.origin, HasSubstr("git"));
    EXPECT_EQ(resolve_build_date("1700000000", recipe).epoch, 1700000000);  // the flag beats the commit
    EXPECT_FALSE(recipe_commit_time(dir.path() / "untracked.yaml"));
  }
  ScopedSourceDateEpoch set("1111");
  EXPECT_EQ(resolve_build_date("1700000000", recipe).epoch, 1111);  // the environment beats the flag
  EXPECT_EQ(resolve_build_date("", recipe).origin, "SOURCE_DATE_EPOCH");
}

TEST(BuildInputs, EnvFileIsDotenv) {
  auto env = parse_env_file(
      "# comment\n\nA=1\nexport B = two words \nC='single $X'\nD=\"line\\nnext\"\nE=value # note\nF=\n", "f.env");
  EXPECT_EQ(env, (std::map<std::string, std::string>{
                     {"A", "1"}, {"B", "two words"}, {"C", "single $X"}, {"D", "line\nnext"}, {"E", "value"}, {"F", ""}}));
  EXPECT_THROW(parse_env_file("NOEQUALS\n", "f.env"), Error);
  try {
    parse_env_file("A=1\n9X=2\n", "f.env");
    FAIL();
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("f.env:2"));
  }
}

TEST(BuildInputs, VarsAndEnvFilesReachTheCompiledPlan) {
  TempDir dir("lupine-build-inputs");
  fs::path vars = dir.path() / "vars.yaml";
  write_file_atomic(vars, "who: world\ncount: 3\n");
  EXPECT_EQ(read_vars_file(vars), (std::map<std::string, std::string>{{"who", "world"}, {"count", "3"}}));
  write_file_atomic(dir.path() / "list.yaml", "- a\n");
  EXPECT_THROW(read_vars_file(dir.path() / "list.yaml"), Error);

  fs::path recipe = dir.path() / "r.yaml";
  write_file_atomic(recipe, R"(package:
  name: r
  version: "1"
  epoch: 0
  description: d
  copyright:
    - license: MIT
vars:
  who: nobody
environment:
  environment:
    KEPT: recipe
pipeline:
  - runs: echo ${{vars.who}}
)");
  PipelineLibrary library(PipelineLibrary::search_path_with_builtin({}));
  CompileOptions options;
  options.vars = read_vars_file(vars);
  options.environment = {{"KEPT", "env-file"}, {"ADDED", "env-file"}};
  Diagnostics diagnostics;
  auto plan = compile_recipe_file(recipe.string(), library, options, diagnostics);
  ASSERT_FALSE(diagnostics.has_errors()) << diagnostics.str();
  EXPECT_EQ(plan->package.pipeline.at(0).runs, "echo world");
  EXPECT_EQ(plan->environment.environment.at("KEPT"), "recipe");  // the recipe's values win
  EXPECT_EQ(plan->environment.environment.at("ADDED"), "env-file");
}

TEST(BuildWorkspace, CopiesRegularFilesExceptIgnoredOnes) {
  TempDir dir("lupine-build-ws");
  fs::path source = dir.path() / "hello";
  fs::create_directories(source / "patches" / "old");
  write_file_atomic(source / "fix.patch", "patch\n");
  write_file_atomic(source / "run.sh", "#!/bin/sh\n", 0755);
  write_file_atomic(source / "patches" / "a.patch", "a\n");
  write_file_atomic(source / "patches" / "old" / "b.patch", "b\n");
  write_file_atomic(source / "notes.txt", "n\n");
  fs::create_symlink("fix.patch", source / "link.patch");
  write_file_atomic(source / ".melangeignore", "# not these\n*.txt\npatches/old\n");
  fs::path recipe = dir.path() / "hello.yaml";
  EXPECT_EQ(default_source_dir(recipe, "hello"), source);
  EXPECT_EQ(default_source_dir(recipe, "other"), fs::path());

  BuildWorkspace workspace;
  EXPECT_EQ(copy_source_files(source, workspace.path()), 4u);  // fix.patch run.sh patches/a.patch .melangeignore
  EXPECT_EQ(read_file(workspace.path() / "fix.patch"), "patch\n");
  EXPECT_TRUE(fs::exists(workspace.path() / "patches" / "a.patch"));
  EXPECT_FALSE(fs::exists(workspace.path() / "patches" / "old"));
  EXPECT_FALSE(fs::exists(workspace.path() / "notes.txt"));
  EXPECT_FALSE(fs::exists(fs::symlink_status(workspace.path() / "link.patch")));
  EXPECT_NE(fs::status(workspace.path() / "run.sh").permissions() & fs::perms::owner_exec, fs::perms::none);
}

TEST(BuildWorkspace, TemporaryIsRemovedAndGivenDirectoryIsOnlyClearedWhenLupineMadeIt) {
  fs::path temporary;
  {
    BuildWorkspace workspace;
    temporary = workspace.path();
    EXPECT_TRUE(workspace.temporary());
  }
  EXPECT_FALSE(fs::exists(temporary));

  TempDir dir("lupine-build-ws");
  fs::path foreign = dir.path() / "mine";
  fs::create_directories(foreign);
  write_file_atomic(foreign / "precious", "x");
  EXPECT_THROW(BuildWorkspace{foreign}, Error);
  EXPECT_TRUE(fs::exists(foreign / "precious"));

  fs::path given = dir.path() / "ws";
  {
    BuildWorkspace workspace(given);
    write_file_atomic(given / "stale", "old build");
  }
  EXPECT_TRUE(fs::exists(given / "stale"));  // kept after the build
  BuildWorkspace again(given);
  EXPECT_FALSE(fs::exists(given / "stale"));  // emptied before the next
}

TEST(BuildRoot, KeyDependsOnPackagesArchAndAccountsNotOrder) {
  CompiledAccounts accounts;
  std::string key = build_root_key("x86_64", {"Q1aaa", "Q1bbb"}, accounts);
  EXPECT_EQ(key.size(), 64u);
  EXPECT_EQ(key, build_root_key("x86_64", {"Q1bbb", "Q1aaa"}, accounts));
  EXPECT_NE(key, build_root_key("aarch64", {"Q1aaa", "Q1bbb"}, accounts));
  EXPECT_NE(key, build_root_key("x86_64", {"Q1aaa", "Q1ccc"}, accounts));
  accounts.users.push_back({"build", 1000, 1000, "", ""});
  EXPECT_NE(key, build_root_key("x86_64", {"Q1aaa", "Q1bbb"}, accounts));
}

TEST(BuildRoot, AbandonedTemporaryRootsAreRemovedButNotOnesBeingFilled) {
  TempDir cache("lupine-build-cache");
  fs::path roots = cache.path() / "roots";
  for (const char* name : {".tmp-dead", ".tmp-busy", ".tmp-young", "0123abcd"}) fs::create_directories(roots / name);
  auto old = fs::file_time_type::clock::now() - std::chrono::hours(2);
  for (const char* name : {".tmp-dead", ".tmp-busy", "0123abcd"}) fs::last_write_time(roots / name, old);
  int busy = ::open((roots / ".tmp-busy").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(busy, 0);
  ASSERT_EQ(::flock(busy, LOCK_EX), 0);  // another build is installing into it
  remove_abandoned_roots(cache.path());
  ::close(busy);
  EXPECT_FALSE(fs::exists(roots / ".tmp-dead"));
  EXPECT_TRUE(fs::exists(roots / ".tmp-busy"));
  EXPECT_TRUE(fs::exists(roots / ".tmp-young"));  // maybe between mkdtemp and flock
  EXPECT_TRUE(fs::exists(roots / "0123abcd"));    // a finished root
}

TEST(BuildRoot, PruningKeepsRecentAndLeasedRoots) {
  TempDir cache("lupine-build-cache");
  fs::path roots = cache.path() / "roots";
  auto now = fs::file_time_type::clock::now();
  const char* names[] = {"r-newest", "r-new", "r-old-leased", "r-old", "r-oldest"};
  for (size_t i = 0; i < 5; ++i) {
    fs::create_directories(roots / names[i] / "bin");
    fs::last_write_time(roots / names[i], now - std::chrono::hours(i));
  }
  auto lease = lease_root(roots / "r-old-leased");  // also marks it used now...
  ASSERT_TRUE(lease);
  fs::last_write_time(roots / "r-old-leased", now - std::chrono::hours(2));  // ...undone to test the lock
  std::vector<std::string> lines;
  EXPECT_EQ(prune_roots(cache.path(), 2, [&](const std::string& line) { lines.push_back(line); }), 2u);
  EXPECT_TRUE(fs::exists(roots / "r-newest"));
  EXPECT_TRUE(fs::exists(roots / "r-new"));
  EXPECT_TRUE(fs::exists(roots / "r-old-leased"));  // in use
  EXPECT_FALSE(fs::exists(roots / "r-old"));
  EXPECT_FALSE(fs::exists(roots / "r-oldest"));
  EXPECT_EQ(lines.size(), 2u);
  size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(roots)) ++entries;
  EXPECT_EQ(entries, 3u);  // nothing left behind under a temporary name
  EXPECT_FALSE(lease_root(roots / "r-old"));
}

}  // namespace
}  // namespace lupine::builder
