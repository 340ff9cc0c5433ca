// The up-to-date key changes with what can change a build's output, and with nothing else.
#include "farm/build_key.h"

#include "common/fs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

namespace lupine::farm {
namespace {

namespace fs = std::filesystem;

class BuildKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file_atomic(dir_.path() / "hello.yaml", "package:\n  name: hello\n");
    fs::create_directories(dir_.path() / "hello" / "patches");
    write_file_atomic(dir_.path() / "hello" / "fix.patch", "--- a\n+++ b\n");
    write_file_atomic(dir_.path() / "hello" / "patches" / "two.patch", "two\n");
  }
  BuildKeyInputs inputs() const {
    return {dir_.path() / "hello.yaml", "hello", "x86_64", {"Q1aaa=", "Q1bbb="}, "0.1.0", ""};
  }
  TempDir dir_{"lupine-build-key"};
};

TEST_F(BuildKeyTest, IsStableAndShaped) {
  std::string key = build_key(inputs());
  EXPECT_EQ(key, build_key(inputs()));
  EXPECT_THAT(key, ::testing::MatchesRegex("sha256:[0-9a-f]{64}"));
}

TEST_F(BuildKeyTest, LocalFilesAreFoundRecursivelyAndSorted) {
  EXPECT_EQ(recipe_local_files(dir_.path() / "hello.yaml", "hello"),
            (std::vector<fs::path>{"fix.patch", "patches/two.patch"}));
  EXPECT_TRUE(recipe_local_files(dir_.path() / "hello.yaml", "other").empty());
}

TEST_F(BuildKeyTest, ChangesWithTheRecipe) {
  std::string before = build_key(inputs());
  write_file_atomic(dir_.path() / "hello.yaml", "package:\n  name: hello\n  epoch: 1\n");
  EXPECT_NE(build_key(inputs()), before);
}

TEST_F(BuildKeyTest, ChangesWithTheCompiledSteps) {
  // A `uses:` pipeline from a --pipeline-dir changes what runs without changing the recipe file.
  BuildKeyInputs changed = inputs();
  changed.steps = "package hello\nstep 0 autoconf/make\nruns 4\nmake\n";
  EXPECT_NE(build_key(changed), build_key(inputs()));
}

TEST_F(BuildKeyTest, CompiledStepsTextHasEveryEnabledStepInOrder) {
  builder::BuildPlan plan;
  plan.package.name = "hello";
  builder::CompiledStep configure;
  configure.name = "configure";
  configure.runs = "./configure";
  configure.environment = {{"CC", "gcc"}};
  builder::CompiledStep skipped;
  skipped.name = "skipped";
  skipped.enabled = false;
  skipped.runs = "never";
  plan.package.pipeline = {configure, skipped};
  std::string text = compiled_steps_text(plan);
  EXPECT_THAT(text, ::testing::HasSubstr("step 0 configure\n"));
  EXPECT_THAT(text, ::testing::HasSubstr("env 2 CC 3\ngcc\n"));
  EXPECT_THAT(text, ::testing::HasSubstr("runs 11\n./configure\n"));
  EXPECT_THAT(text, ::testing::Not(::testing::HasSubstr("never")));
}

TEST_F(BuildKeyTest, ChangesWithALocalFileItsNameOrANewOne) {
  std::string before = build_key(inputs());
  write_file_atomic(dir_.path() / "hello" / "fix.patch", "--- a\n+++ c\n");
  std::string edited = build_key(inputs());
  EXPECT_NE(edited, before);
  fs::rename(dir_.path() / "hello" / "fix.patch", dir_.path() / "hello" / "fix2.patch");
  std::string renamed = build_key(inputs());
  EXPECT_NE(renamed, edited);
  write_file_atomic(dir_.path() / "hello" / "patches" / "three.patch", "");
  EXPECT_NE(build_key(inputs()), renamed);
}

TEST_F(BuildKeyTest, ChangesWithARootIdentityTheArchOrTheVersion) {
  std::string before = build_key(inputs());
  BuildKeyInputs changed = inputs();
  changed.root_identities[1] = "Q1ccc=";
  EXPECT_NE(build_key(changed), before);
  changed = inputs();
  changed.root_identities.push_back("Q1ddd=");
  EXPECT_NE(build_key(changed), before);
  changed = inputs();
  changed.arch = "aarch64";
  EXPECT_NE(build_key(changed), before);
  changed = inputs();
  changed.lupine_version = "0.2.0";
  EXPECT_NE(build_key(changed), before);
}

TEST_F(BuildKeyTest, IgnoresRootOrderFileTimesAndUnrelatedFiles) {
  std::string before = build_key(inputs());
  BuildKeyInputs reordered = inputs();
  std::swap(reordered.root_identities[0], reordered.root_identities[1]);
  EXPECT_EQ(build_key(reordered), before);
  fs::last_write_time(dir_.path() / "hello" / "fix.patch", fs::file_time_type::clock::now() - std::chrono::hours(5));
  write_file_atomic(dir_.path() / "other.yaml", "package:\n  name: other\n");
  fs::create_directories(dir_.path() / "other");
  write_file_atomic(dir_.path() / "other" / "x.patch", "x");
  EXPECT_EQ(build_key(inputs()), before);
}

TEST_F(BuildKeyTest, DoesNotDependOnWhereTheTreeIs) {
  std::string before = build_key(inputs());
  TempDir moved{"lupine-build-key-moved"};
  fs::copy(dir_.path(), moved.path(), fs::copy_options::recursive);
  BuildKeyInputs elsewhere = inputs();
  elsewhere.recipe = moved.path() / "hello.yaml";
  EXPECT_EQ(build_key(elsewhere), before);
}

}  // namespace
}  // namespace lupine::farm
