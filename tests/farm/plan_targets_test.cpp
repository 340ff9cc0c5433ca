// Narrowing a tree to what named recipes need (farm plan/build --target).
#include "farm/plan_targets.h"

#include "common/error.h"
#include "farm/plan.h"
#include "recipe_tree.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lupine::farm {
namespace {

using testing::RecipeSpec;
using testing::RecipeTree;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> names(const std::vector<RecipeNode>& nodes) {
  std::vector<std::string> out;
  for (const auto& node : nodes) out.push_back(node.name);
  return out;
}

// app needs lib (through its -dev subpackage), lib's test needs checker; other is unrelated.
void add_tree(RecipeTree& tree) {
  tree.add(RecipeSpec("app").build({"lib-dev", "busybox"}));
  tree.add(RecipeSpec("lib").subpackage("lib-dev", {}).test({"checker"}));
  tree.add(RecipeSpec("checker"));
  tree.add(RecipeSpec("busybox"));
  tree.add(RecipeSpec("other").build({"lib-dev"}));
}

TEST(PlanTargets, KeepsTheTargetAndWhatItReachesThroughBuildAndTestInputs) {
  RecipeTree tree;
  add_tree(tree);
  FarmPlan plan = tree.plan();
  EXPECT_THAT(names(nodes_needed_by(plan.graph, {"app"}, {})), ElementsAre("app", "busybox", "checker", "lib"));
  // A subpackage's name finds its recipe.
  EXPECT_THAT(names(nodes_needed_by(plan.graph, {"lib-dev"}, {})), ElementsAre("checker", "lib"));
}

TEST(PlanTargets, WhatARepositoryOffersPullsInNoRecipe) {
  RecipeTree tree;
  add_tree(tree);
  FarmPlan plan = tree.plan();
  std::map<std::string, std::string> offered{{"busybox", "busybox-1.37.0-r0"}, {"lib-dev", "lib-dev-1.0-r0"}};
  EXPECT_THAT(names(nodes_needed_by(plan.graph, {"app"}, offered)), ElementsAre("app"));
  // Asked for by name, a recipe is kept even when the repository has its package.
  EXPECT_THAT(names(nodes_needed_by(plan.graph, {"app", "lib"}, offered)), ElementsAre("app", "checker", "lib"));
}

TEST(PlanTargets, AnUnknownTargetIsAnError) {
  RecipeTree tree;
  add_tree(tree);
  FarmPlan plan = tree.plan();
  try {
    nodes_needed_by(plan.graph, {"apps"}, {});
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("--target apps: no recipe"));
  }
}

TEST(PlanTargets, ThePlanHasOnlyTheKeptRecipes) {
  RecipeTree tree;
  add_tree(tree);
  PlanOptions options;
  options.recipe_paths = {tree.recipes()};
  options.compile.arch = "x86_64";
  options.targets = {"other"};
  FarmPlan plan = make_plan(options);
  EXPECT_THAT(testing::level_names(plan), ElementsAre(ElementsAre("checker"), ElementsAre("lib"),
                                                       ElementsAre("other")));
}

}  // namespace
}  // namespace lupine::farm
