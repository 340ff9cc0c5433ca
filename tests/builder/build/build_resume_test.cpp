// Resuming a failed build (build_resume.h): the units counted as run_pipeline runs them, digests
// that change with a step and everything before it, and where a build may resume and why not.
#include "builder/build/build_resume.h"
#include "builder/recipe/pipeline_library.h"
#include "common/error.h"
#include "common/fs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fs = std::filesystem;
using namespace lupine;
using namespace lupine::builder;

namespace {

// Units: fetch (one, whatever it nests), Configure, Build, the subpackage's script; the disabled
// step and the nameless container step with no script count for nothing.
constexpr const char* kRecipe = R"(package:
  name: r
  version: "1"
  epoch: 0
  description: d
  copyright:
    - license: MIT
pipeline:
  - uses: fetch
    with:
      uri: https://example.org/r-1.tar.gz
      expected-sha256: 0000000000000000000000000000000000000000000000000000000000000001
  - name: Configure
    runs: ./configure CONFIGURE
  - name: Skipped
    if: ${{build.arch}} == 'no-such-arch'
    runs: exit 1
  - name: Build
    pipeline:
      - runs: make
subpackages:
  - name: r-doc
    pipeline:
      - runs: mkdir -p ${{targets.subpkgdir}}
)";

BuildPlan compile(const std::string& configure = "") {
  TempDir dir("lupine-resume");
  std::string text = kRecipe;
  text.replace(text.find("CONFIGURE"), 9, configure);
  fs::path recipe = dir.path() / "r.yaml";
  write_file_atomic(recipe, text);
  PipelineLibrary library(PipelineLibrary::search_path_with_builtin({}));
  Diagnostics diagnostics;
  auto plan = compile_recipe_file(recipe.string(), library, CompileOptions{}, diagnostics);
  EXPECT_FALSE(diagnostics.has_errors()) << diagnostics.str();
  return *plan;
}

TEST(StepUnits, CountWhatRunsInRunOrder) {
  auto units = step_units(compile());
  ASSERT_EQ(units.size(), 4u);
  EXPECT_EQ(units[0].name, "fetch");
  EXPECT_EQ(units[1].name, "Configure");
  EXPECT_EQ(units[2].name, "Build");  // an unnamed child is reported under its parent
  EXPECT_EQ(units[3].package, "r-doc");
  // An unnamed step on its own is named by its place, as the log names it (not "???").
  EXPECT_EQ(units[3].name.rfind("the step at ", 0), 0u) << units[3].name;
  EXPECT_THAT(units[3].name, ::testing::EndsWith("r.yaml:24:9"));
}

TEST(StepUnits, ADigestCoversItsStepAndEveryStepBefore) {
  auto before = step_units(compile());
  auto after = step_units(compile("--enable-x"));
  EXPECT_EQ(before[0].digest, after[0].digest);
  for (size_t i = 1; i < before.size(); ++i) EXPECT_NE(before[i].digest, after[i].digest) << i;
  EXPECT_EQ(step_units(compile())[3].digest, before[3].digest);  // the same recipe, the same digests
}

TEST(ResumePoint, ResumesOnlyWhenEverythingBeforeTheFailedStepIsUnchanged) {
  auto units = step_units(compile());
  std::vector<std::string> digests;
  for (const auto& unit : units) digests.push_back(unit.digest);
  ResumeRecord record{"root", "files", digests, 2};

  EXPECT_EQ(resume_point(record, "root", "files", units).skip, 2u);
  // The failed step itself was fixed: still resumable from it.
  auto fixed = units;
  fixed[2].digest = "other";
  EXPECT_EQ(resume_point(record, "root", "files", fixed).skip, 2u);

  EXPECT_EQ(resume_point(std::nullopt, "root", "files", units).why_not, "no failed build of this recipe is kept");
  EXPECT_EQ(resume_point(record, "new root", "files", units).why_not, "the build root changed");
  EXPECT_EQ(resume_point(record, "root", "new files", units).why_not, "the recipe's local files changed");
  auto changed = step_units(compile("--enable-x"));
  auto point = resume_point(record, "root", "files", changed);
  EXPECT_EQ(point.skip, 0u);
  EXPECT_EQ(point.why_not, "r: step \"Configure\" changed");
  // A build that failed in its first step kept nothing worth going on from, and says so (it said
  // "the kept workspace is gone" while the workspace was there).
  ResumeRecord first{"root", "files", digests, 0};
  EXPECT_EQ(resume_point(first, "root", "files", units).why_not, "its first step failed: no step before it to go on from");
}

TEST(ResumeRecord, RoundTripsAndRefusesWhatLupineDidNotWrite) {
  TempDir dir("lupine-resume-record");
  EXPECT_FALSE(read_resume_record(dir.path()));
  write_resume_record(dir.path(), {"root", "files", {"a", "b"}, 1});
  auto record = read_resume_record(dir.path());
  ASSERT_TRUE(record);
  EXPECT_EQ(record->root_key, "root");
  EXPECT_EQ(record->units, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(record->failed, 1u);
  write_file_atomic(dir.path() / "resume.json", "{\"build_root\": 3}");
  EXPECT_THROW(read_resume_record(dir.path()), Error);
}

TEST(LocalFiles, DigestChangesWithContentNamesAndModes) {
  TempDir dir("lupine-resume-files");
  EXPECT_EQ(local_files_digest(""), "");
  write_file_atomic(dir.path() / "a.patch", "one\n");
  std::string first = local_files_digest(dir.path());
  EXPECT_EQ(local_files_digest(dir.path()), first);
  write_file_atomic(dir.path() / "a.patch", "two\n");
  std::string second = local_files_digest(dir.path());
  EXPECT_NE(second, first);
  fs::permissions(dir.path() / "a.patch", fs::perms::owner_exec, fs::perm_options::add);
  EXPECT_NE(local_files_digest(dir.path()), second);
}

}  // namespace
