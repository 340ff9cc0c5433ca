// Inputs no recipe produces, checked against a repository index (names and provides).
#include "farm/external_inputs.h"
#include "farm/plan_render.h"
#include "index/index_archive.h"
#include "recipe_tree.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lupine::farm {
namespace {

using testing::RecipeSpec;
using testing::RecipeTree;
using ::testing::HasSubstr;

index::IndexRecord record(std::string name, std::string version, std::vector<std::string> provides) {
  index::IndexRecord r;
  r.identity = "Q1" + std::string(27, 'A') + "=";
  r.name = std::move(name);
  r.version = std::move(version);
  r.arch = "x86_64";
  r.provides = std::move(provides);
  return r;
}

TEST(ExternalInputs, FoundInTheRepositoryByNameOrProvidesElseMissing) {
  TempDir repo{"lupine-farm-repo"};
  std::filesystem::create_directories(repo.path() / "x86_64");
  write_file_atomic(repo.path() / "x86_64" / "APKINDEX.tar.gz",
                    index::make_index_member({record("gcc", "14.2-r0", {}), record("zlib", "1.3-r1", {"so:libz.so.1=1"})},
                                             "test", 0));
  index::RepositorySet repositories({repo.path().string()}, "x86_64", apk::Keyring{}, true, index::FetchOptions{});

  RecipeTree tree;
  tree.add(RecipeSpec("a").build({"gcc", "so:libz.so.1", "nowhere", "b"}));
  tree.add(RecipeSpec("b"));
  FarmPlan plan = tree.plan(&repositories);
  ASSERT_EQ(plan.external.size(), 3u);
  EXPECT_EQ(plan.external[0].name, "gcc");
  EXPECT_EQ(plan.external[0].status, ExternalStatus::in_repository);
  EXPECT_EQ(plan.external[0].provider, "gcc-14.2-r0");
  EXPECT_EQ(plan.external[1].name, "nowhere");
  EXPECT_EQ(plan.external[1].status, ExternalStatus::missing);
  EXPECT_EQ(plan.external[2].name, "so:libz.so.1");
  EXPECT_EQ(plan.external[2].provider, "zlib-1.3-r1");
  std::string text = plan_text(plan);
  EXPECT_THAT(text, HasSubstr("inputs from repositories (2):\n  gcc (gcc-14.2-r0): needed by a\n"));
  EXPECT_THAT(text, HasSubstr("missing inputs (1):\n  nowhere: needed by a\n"));
  EXPECT_THAT(text, HasSubstr("3 external inputs (2 in repositories, 1 missing)"));
}

TEST(ExternalInputs, UncheckedWithoutRepositories) {
  RecipeTree tree;
  tree.add(RecipeSpec("a").build({"gcc"}));
  FarmPlan plan = tree.plan();
  ASSERT_EQ(plan.external.size(), 1u);
  EXPECT_EQ(plan.external[0].status, ExternalStatus::unchecked);
  EXPECT_THAT(plan_summary(plan), HasSubstr("; 1 external input; "));
}

}  // namespace
}  // namespace lupine::farm
