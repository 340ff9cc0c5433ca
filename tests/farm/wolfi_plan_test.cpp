// The whole Wolfi recipe tree in the fixtures, planned as `lupine farm plan` does: every recipe is
// a node, and every one that compiles is in a level (cycles are placed as groups) or blocked by a
// recipe that cannot be built. The figures and the time go to the test output.
#include "farm/plan.h"
#include "farm/plan_render.h"
#include "farm/recipe_load.h"
#include "support/fixtures.h"

#include <gtest/gtest.h>

#include <iostream>
#include <set>

namespace lupine::farm {
namespace {

TEST(WolfiPlan, EveryRecipeIsPlanned) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  PlanOptions options;
  options.recipe_paths = {fixtures / "wolfi" / "recipes"};
  options.pipeline_dirs = {fixtures / "wolfi" / "pipelines"};
  options.compile.arch = "x86_64";
  FarmPlan plan = make_plan(options);

  size_t files = find_recipes(options.recipe_paths).size();
  ASSERT_GT(files, 1000u);
  EXPECT_EQ(plan.graph.nodes.size(), files);

  std::set<size_t> seen;
  for (const auto& level : plan.order.levels)
    for (size_t node : level) EXPECT_TRUE(seen.insert(node).second) << plan.graph.nodes[node].name << " twice";
  for (const Cycle& cycle : plan.order.cycles) {
    EXPECT_FALSE(cycle.edges.empty());
    for (size_t member : cycle.members) EXPECT_TRUE(seen.count(member)) << plan.graph.nodes[member].name;
    // The reported cycle is closed: each edge starts where the previous one ended.
    for (size_t i = 0; i < cycle.edges.size(); ++i)
      EXPECT_EQ(plan.graph.edges[cycle.edges[i]].to, plan.graph.edges[cycle.edges[(i + 1) % cycle.edges.size()]].from);
  }
  size_t lost = 0;
  for (size_t i = 0; i < plan.graph.nodes.size(); ++i) {
    bool placed = seen.count(i) > 0, blocked = plan.order.blocked.count(i) > 0;
    bool unbuildable = plan.graph.nodes[i].state != NodeState::ok;
    if (placed + blocked + unbuildable != 1) {
      ++lost;
      ADD_FAILURE() << plan.graph.nodes[i].name << ": placed " << placed << ", blocked " << blocked;
    }
  }
  EXPECT_EQ(lost, 0u);
  // Every level only needs earlier levels (or its own cycle group).
  std::vector<size_t> level_of(plan.graph.nodes.size(), SIZE_MAX);
  for (size_t l = 0; l < plan.order.levels.size(); ++l)
    for (size_t node : plan.order.levels[l]) level_of[node] = l;
  for (const Edge& edge : plan.graph.edges) {
    if (level_of[edge.from] == SIZE_MAX) continue;
    EXPECT_LE(level_of[edge.to], level_of[edge.from]) << edge.input;
  }

  std::cout << plan_summary(plan) << "\n";
  for (const Cycle& cycle : plan.order.cycles) std::cout << "  cycle: " << describe_cycle(plan.graph, cycle) << "\n";
}

}  // namespace
}  // namespace lupine::farm
