// Edges through the runtime dependencies the tree's packages declare.
#include "farm/runtime_edges.h"
#include "recipe_tree.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lupine::farm {
namespace {

using testing::node_index;
using testing::RecipeTree;

std::string recipe(const std::string& name, const std::string& subpackage, const std::vector<std::string>& runtime,
                   const std::vector<std::string>& build = {}) {
  std::string yaml = "package:\n  name: " + name + "\n  version: 1.0\n  epoch: 0\n  description: x\n";
  if (subpackage.empty() && !runtime.empty()) {
    yaml += "  dependencies:\n    runtime:\n";
    for (const auto& r : runtime) yaml += "      - " + r + "\n";
  }
  if (!build.empty()) {
    yaml += "environment:\n  contents:\n    packages:\n";
    for (const auto& b : build) yaml += "      - " + b + "\n";
  }
  yaml += "pipeline:\n  - runs: echo build\n";
  if (!subpackage.empty()) {
    yaml += "subpackages:\n  - name: " + subpackage + "\n    pipeline:\n      - runs: echo split\n";
    if (!runtime.empty()) {
      yaml += "    dependencies:\n      runtime:\n";
      for (const auto& r : runtime) yaml += "        - " + r + "\n";
    }
  }
  return yaml;
}

// app names base-dev, which needs crypt-dev: app depends on crypt through base-dev; app2 names only
// meta, whose package needs base-dev: through it base, and through base-dev crypt.
TEST(RuntimeEdges, FollowTheDeclaredRuntimeDependenciesOfTheTreesPackages) {
  RecipeTree tree;
  tree.add_raw("base", recipe("base", "base-dev", {"crypt-dev"}));
  tree.add_raw("crypt", recipe("crypt", "crypt-dev", {}));
  tree.add_raw("meta", recipe("meta", "", {"base-dev", "busybox"}));
  tree.add_raw("app", recipe("app", "", {}, {"base-dev"}));
  tree.add_raw("app2", recipe("app2", "", {}, {"meta"}));
  FarmPlan plan = tree.plan();  // make_plan adds them
  auto edges_of = [&](const std::string& name) {
    std::vector<std::string> out;
    for (size_t e : plan.graph.out_edges[node_index(plan, name)]) {
      const Edge& edge = plan.graph.edges[e];
      out.push_back(plan.graph.nodes[edge.to].name + " " + edge.input + (edge.through.empty() ? "" : " through " + edge.through));
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_THAT(edges_of("app"), ::testing::ElementsAre("base base-dev", "crypt crypt-dev through base-dev"));
  EXPECT_THAT(edges_of("app2"),
              ::testing::ElementsAre("base base-dev through meta", "crypt crypt-dev through base-dev", "meta meta"));
  EXPECT_THAT(edges_of("crypt"), ::testing::IsEmpty());
  // Levels follow: crypt before app, base and meta before app2.
  EXPECT_TRUE(plan.order.cycles.empty());
}

}  // namespace
}  // namespace lupine::farm
