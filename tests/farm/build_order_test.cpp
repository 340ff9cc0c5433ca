// Levels, cycles and unbuildable recipes of small recipe trees.
#include "farm/build_order.h"
#include "farm/plan_render.h"
#include "recipe_tree.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lupine::farm {
namespace {

using testing::level_names;
using testing::node_index;
using testing::RecipeSpec;
using testing::RecipeTree;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(BuildOrder, ChainIsOneRecipePerLevel) {
  RecipeTree tree;
  tree.add(RecipeSpec("a").build({"b"}));
  tree.add(RecipeSpec("b").build({"c"}));
  tree.add(RecipeSpec("c").build({"busybox"}));
  FarmPlan plan = tree.plan();
  EXPECT_THAT(level_names(plan), ElementsAre(ElementsAre("c"), ElementsAre("b"), ElementsAre("a")));
  EXPECT_TRUE(plan.order.cycles.empty());
}

TEST(BuildOrder, DiamondBuildsTheMiddleTogether) {
  RecipeTree tree;
  tree.add(RecipeSpec("top").build({"left", "right"}));
  tree.add(RecipeSpec("left").build({"base"}));
  tree.add(RecipeSpec("right").build({"so:libbase.so.1"}));
  tree.add(RecipeSpec("base").subpackage("base-libs", {"so:libbase.so.1"}));
  FarmPlan plan = tree.plan();
  EXPECT_THAT(level_names(plan),
              ElementsAre(ElementsAre("base"), ElementsAre("left", "right"), ElementsAre("top")));
}

TEST(BuildOrder, CycleIsReportedInFullWithEachInput) {
  RecipeTree tree;
  tree.add(RecipeSpec("a").build({"b-dev"}));
  tree.add(RecipeSpec("b").test({"a"}).subpackage("b-dev", {}));
  tree.add(RecipeSpec("c").build({"a"}));
  FarmPlan plan = tree.plan();
  ASSERT_EQ(plan.order.cycles.size(), 1u);
  EXPECT_EQ(describe_cycle(plan.graph, plan.order.cycles[0]), "a -> b -> a (a needs b-dev; b needs a for tests)");
  // The cycle is one group at level 0; what needs it comes after.
  EXPECT_THAT(level_names(plan), ElementsAre(ElementsAre("a", "b"), ElementsAre("c")));
  EXPECT_THAT(plan_text(plan), HasSubstr("cycles (1):\n  a -> b -> a (a needs b-dev; b needs a for tests)\n"));
}

TEST(BuildOrder, ThreeRecipeCycle) {
  RecipeTree tree;
  tree.add(RecipeSpec("a").build({"b"}));
  tree.add(RecipeSpec("b").build({"c"}));
  tree.add(RecipeSpec("c").build({"a"}));
  FarmPlan plan = tree.plan();
  ASSERT_EQ(plan.order.cycles.size(), 1u);
  EXPECT_EQ(describe_cycle(plan.graph, plan.order.cycles[0]), "a -> b -> c -> a (a needs b; b needs c; c needs a)");
}

// When every member names another (a loop of direct inputs), an input no repository offers still
// orders its maker first: a's b-dev is only the tree's, while a repository stands in for a.
TEST(BuildOrder, ACycleMemberComesAfterTheMakerOfWhatNoRepositoryOffers) {
  RecipeTree tree;
  tree.add(RecipeSpec("a").build({"b-dev", "c"}));
  tree.add(RecipeSpec("b").build({"a"}).subpackage("b-dev", {}));
  tree.add(RecipeSpec("c").build({"a"}));
  FarmPlan plan = tree.plan();
  auto names = [&](const BuildOrder& order) {
    std::vector<std::string> out;
    for (size_t node : order.cycles.at(0).sequence) out.push_back(plan.graph.nodes[node].name);
    return out;
  };
  EXPECT_THAT(names(order_builds(plan.graph)), ElementsAre("a", "b", "c"));  // nothing offered: by name
  EXPECT_THAT(names(order_builds(plan.graph, {"a", "c"})), ElementsAre("b", "a", "c"));
}

TEST(BuildOrder, FailedAndSkippedRecipesBlockTheirDependents) {
  RecipeTree tree;
  tree.add(RecipeSpec("broken").uses({"no-such-pipeline"}));
  tree.add(RecipeSpec("arm-only").extra("  target-architecture:\n    - aarch64\n"));
  tree.add(RecipeSpec("a").build({"broken"}));
  tree.add(RecipeSpec("b").build({"a"}));
  tree.add(RecipeSpec("c").build({"arm-only"}));
  tree.add(RecipeSpec("fine"));
  FarmPlan plan = tree.plan();
  EXPECT_EQ(plan.graph.nodes[node_index(plan, "broken")].state, NodeState::error);
  EXPECT_THAT(plan.graph.nodes[node_index(plan, "broken")].reason, HasSubstr("no-such-pipeline"));
  EXPECT_EQ(plan.graph.nodes[node_index(plan, "arm-only")].state, NodeState::skipped);
  EXPECT_THAT(level_names(plan), ElementsAre(ElementsAre("fine")));
  EXPECT_EQ(plan.order.blocked.size(), 3u);
  std::string text = plan_text(plan);
  EXPECT_THAT(text, HasSubstr("  b: needs a from a\n"));
  EXPECT_THAT(text, HasSubstr("  c: needs arm-only from arm-only\n"));
  EXPECT_THAT(text, HasSubstr("  arm-only: skipped: x86_64 is not in its target-architecture\n"));
  EXPECT_THAT(text, HasSubstr("planned 6 recipes: 1 in 1 levels, 0 cycles (0 recipes), 1 failed to compile, "
                              "1 skipped for the arch, 3 blocked;"));
}

TEST(BuildOrder, TextJsonAndDotNameEverything) {
  RecipeTree tree;
  tree.add(RecipeSpec("a").build({"b", "gcc"}));
  tree.add(RecipeSpec("b"));
  FarmPlan plan = tree.plan();
  std::string text = plan_text(plan);
  EXPECT_THAT(text, HasSubstr("level 0 (1 recipes):\n  b\nlevel 1 (1 recipes):\n  a\n"));
  EXPECT_THAT(text, HasSubstr("external inputs (1):\n  gcc: needed by a\n"));
  EXPECT_THAT(plan_json(plan), HasSubstr("\"levels\": [\n    [\n      \"b\"\n    ],\n    [\n      \"a\"\n    ]\n  ]"));
  EXPECT_THAT(plan_dot(plan), HasSubstr("  \"a\" -> \"b\" [label=\"b\"];\n"));
}

}  // namespace
}  // namespace lupine::farm
