// What only a bootstrap could give a farm run: inputs nobody makes, and a cycle's first round.
#include "farm/unmet_inputs.h"
#include "recipe_tree.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lupine::farm {
namespace {

using testing::RecipeSpec;
using testing::RecipeTree;
using ::testing::ElementsAre;

TEST(UnmetInputs, NamesWhatNoRecipeMakesAndWhatACyclesFirstRoundTakes) {
  RecipeTree tree;
  tree.add(RecipeSpec("a").build({"b", "make"}));
  tree.add(RecipeSpec("b").build({"a"}));
  tree.add(RecipeSpec("c").build({"a", "make", "perl"}));
  FarmPlan plan = tree.plan();
  ASSERT_EQ(plan.order.cycles.size(), 1u);
  // a is built first (ties go by name), on a b that only a repository could give.
  EXPECT_THAT(unmet_inputs(plan, nullptr),
              ElementsAre("make (needed by a, c)", "perl (needed by c)",
                          "b (needed by a before b's recipe is built: a cycle's first round)"));
}

TEST(UnmetInputs, NothingWithoutCyclesOrExternalInputs) {
  RecipeTree tree;
  tree.add(RecipeSpec("a"));
  tree.add(RecipeSpec("b").build({"a"}));
  EXPECT_TRUE(unmet_inputs(tree.plan(), nullptr).empty());
}

}  // namespace
}  // namespace lupine::farm
