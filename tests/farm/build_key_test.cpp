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

TEST_F(BuildKeyTest, TheSourceKeyLeavesTheRootOutAndDiffersFromTheBuildKey) {
  std::string source = source_key(inputs());
  EXPECT_THAT(source, ::testing::MatchesRegex("sha256:[0-9a-f]{64}"));
  BuildKeyInputs other_root = inputs();
  other_root.root_identities = {"Q1zzz="};
  EXPECT_EQ(source_key(other_root), source);
  EXPECT_NE(source, build_key(inputs()));
  write_file_atomic(dir_.path() / "hello" / "fix.patch", "--- a\n+++ b\n@@ changed\n");
  EXPECT_NE(source_key(inputs()), source) << "a local file is part of the source";
}

TEST(RootKeyEntries, OwnPackagesAreLeftOutTreePackagesCountBySourceKeyOthersByIdentity) {
  std::vector<RootKeyPackage> root{
      {"glibc-dev", "2.41-r0", "Q1own=", "sha256:glibc"},    // its own package, from its last build
      {"zlib", "1.3.1-r0", "Q1zlib=", "sha256:zlib"},        // made by the tree
      {"binutils", "2.40_p2-r0", "Q1binutils=", ""},         // a bootstrap's
  };
  EXPECT_EQ(root_key_entries(root, {"glibc", "glibc-dev"}),
            (std::vector<std::string>{"zlib-1.3.1-r0 sha256:zlib", "Q1binutils="}));
  // A bootstrap's copy of its own package is left out too: glibc built on stage 0's glibc-dev and
  // then on its own is the same build.
  root[0] = {"glibc-dev", "2.36_p9-r14", "Q1stage0=", ""};
  EXPECT_EQ(root_key_entries(root, {"glibc", "glibc-dev"}),
            (std::vector<std::string>{"zlib-1.3.1-r0 sha256:zlib", "Q1binutils="}));
}

TEST(RootKeyEntries, ATreePackageRebuiltOnANewRootKeepsItsEntryAChangedRecipeOrVersionDoesNot) {
  RootKeyPackage zlib{"zlib", "1.3.1-r0", "Q1first=", "sha256:zlib"};
  auto entries = root_key_entries({zlib}, {"hello"});
  zlib.identity = "Q1rebuilt=";  // new bytes (its SBOM names a new root), same recipe
  EXPECT_EQ(root_key_entries({zlib}, {"hello"}), entries);
  zlib.source_key = "sha256:zlib-patched";
  EXPECT_NE(root_key_entries({zlib}, {"hello"}), entries);
  zlib = {"zlib", "1.3.2-r0", "Q1first=", "sha256:zlib"};
  EXPECT_NE(root_key_entries({zlib}, {"hello"}), entries);
  // The same package from a bootstrap (no source key): its identity, so it differs as well.
  zlib = {"zlib", "1.3.1-r0", "Q1first=", ""};
  EXPECT_NE(root_key_entries({zlib}, {"hello"}), entries);
}

}  // namespace
}  // namespace lupine::farm
