// Outputs, inputs and edges of small recipe trees.
#include "farm/plan.h"
#include "recipe_tree.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lupine::farm {
namespace {

using testing::node_index;
using testing::RecipeSpec;
using testing::RecipeTree;
using ::testing::ElementsAre;

// The inputs of `name` that are edges, as "input->provider".
std::vector<std::string> edges_of(const FarmPlan& plan, const std::string& name) {
  std::vector<std::string> out;
  for (size_t e : plan.graph.out_edges[node_index(plan, name)])
    out.push_back(plan.graph.edges[e].input + "->" + plan.graph.nodes[plan.graph.edges[e].to].name);
  return out;
}

TEST(RecipeGraph, OutputsAreThePackageEnabledSubpackagesAndProvides) {
  RecipeTree tree;
  tree.add(RecipeSpec("b")
               .provides({"b-compat=${{package.full-version}}"})
               .subpackage("b-dev", {"so:libb.so.1", "pc:b=1.0"}));
  FarmPlan plan = tree.plan();
  const RecipeNode& b = plan.graph.nodes[node_index(plan, "b")];
  EXPECT_THAT(b.outputs.packages, ElementsAre("b", "b-dev"));
  EXPECT_THAT(b.outputs.provides, ElementsAre("b-compat", "pc:b", "so:libb.so.1"));
  EXPECT_EQ(b.version, "1.0-r0");
}

TEST(RecipeGraph, SubpackageAndProvidesAliasAreEdgesToTheirRecipe) {
  RecipeTree tree;
  tree.add(RecipeSpec("a").build({"b-dev", "so:libb.so.1", "b-compat>=1"}));
  tree.add(RecipeSpec("b").provides({"b-compat=1.0"}).subpackage("b-dev", {"so:libb.so.1"}));
  FarmPlan plan = tree.plan();
  EXPECT_THAT(edges_of(plan, "a"), ElementsAre("b-compat->b", "b-dev->b", "so:libb.so.1->b"));
  EXPECT_TRUE(plan.external.empty());
}

TEST(RecipeGraph, PipelineNeedsAreInputs) {
  RecipeTree tree;
  tree.add_pipeline("with-tool", {"tool"});
  tree.add(RecipeSpec("a").uses({"with-tool"}));
  tree.add(RecipeSpec("tool"));
  FarmPlan plan = tree.plan();
  EXPECT_THAT(edges_of(plan, "a"), ElementsAre("tool->tool"));
  EXPECT_THAT(testing::level_names(plan), ElementsAre(ElementsAre("tool"), ElementsAre("a")));
}

TEST(RecipeGraph, TestEnvironmentsAreInputsButNotThePackageUnderTest) {
  RecipeTree tree;
  tree.add(RecipeSpec("a").test({"checker"}));
  tree.add(RecipeSpec("checker"));
  FarmPlan plan = tree.plan();
  const RecipeNode& a = plan.graph.nodes[node_index(plan, "a")];
  ASSERT_EQ(a.inputs.size(), 1u);  // "a" itself (the package under test) is not an input
  EXPECT_EQ(a.inputs[0].name, "checker");
  EXPECT_EQ(a.inputs[0].kind, InputKind::test);
  EXPECT_THAT(edges_of(plan, "a"), ElementsAre("checker->checker"));
}

// A test installs the package under test, so what it declares at run time is published first:
// perl-json-xs is tested only after perl-common-sense (another recipe) is in the repository.
TEST(RecipeGraph, RuntimeDependenciesOfATestedPackageAreTestInputs) {
  RecipeTree tree;
  tree.add_raw("a", R"(package:
  name: a
  version: 1.0
  epoch: 0
  description: a
  dependencies:
    runtime:
      - lib-b
pipeline:
  - runs: echo build
test:
  pipeline:
    - runs: echo test
)");
  tree.add_raw("untested", R"(package:
  name: untested
  version: 1.0
  epoch: 0
  description: untested
  dependencies:
    runtime:
      - lib-b
pipeline:
  - runs: echo build
)");
  tree.add(RecipeSpec("b").subpackage("lib-b", {}));
  FarmPlan plan = tree.plan();
  const RecipeNode& a = plan.graph.nodes[node_index(plan, "a")];
  ASSERT_EQ(a.inputs.size(), 1u);
  EXPECT_EQ(a.inputs[0].name, "lib-b");
  EXPECT_EQ(a.inputs[0].kind, InputKind::test);
  EXPECT_THAT(edges_of(plan, "a"), ElementsAre("lib-b->b"));
  // Without a test nothing installs it during the farm's run: no edge to wait on.
  EXPECT_TRUE(edges_of(plan, "untested").empty());
}

TEST(RecipeGraph, OwnOutputsAndConflictsAreNoInputs) {
  RecipeTree tree;
  tree.add(RecipeSpec("a").build({"a-dev", "!b", "busybox"}).subpackage("a-dev", {}));
  tree.add(RecipeSpec("b"));
  FarmPlan plan = tree.plan();
  const RecipeNode& a = plan.graph.nodes[node_index(plan, "a")];
  ASSERT_EQ(a.inputs.size(), 1u);
  EXPECT_EQ(a.inputs[0].name, "busybox");
  EXPECT_TRUE(edges_of(plan, "a").empty());
}

TEST(RecipeGraph, MissingInputIsExternalWithWhoNeedsIt) {
  RecipeTree tree;
  tree.add(RecipeSpec("a").build({"nowhere>=2", "b"}));
  tree.add(RecipeSpec("b").build({"nowhere"}));
  FarmPlan plan = tree.plan();
  ASSERT_EQ(plan.external.size(), 1u);
  EXPECT_EQ(plan.external[0].name, "nowhere");
  EXPECT_EQ(plan.external[0].status, ExternalStatus::unchecked);
  EXPECT_EQ(plan.external[0].needed_by, (std::vector<size_t>{node_index(plan, "a"), node_index(plan, "b")}));
}

TEST(RecipeGraph, PackageNamedLikeTheInputWinsOverAProvides) {
  RecipeTree tree;
  tree.add(RecipeSpec("a").build({"java"}));
  tree.add(RecipeSpec("java"));
  tree.add(RecipeSpec("openjdk").provides({"java=17"}));
  FarmPlan plan = tree.plan();
  EXPECT_THAT(edges_of(plan, "a"), ElementsAre("java->java"));
  EXPECT_TRUE(plan.graph.ambiguities.empty());
}

TEST(RecipeGraph, SeveralProvidersAreReportedAndOneIsPickedDeterministically) {
  RecipeTree tree;
  tree.add(RecipeSpec("a").build({"jdk"}));
  tree.add(RecipeSpec("openjdk-17").provides({"jdk=17"}));
  tree.add(RecipeSpec("openjdk-21").provides({"jdk=21"}));
  FarmPlan plan = tree.plan();
  ASSERT_EQ(plan.graph.ambiguities.size(), 1u);
  EXPECT_EQ(plan.graph.ambiguities[0].name, "jdk");
  EXPECT_EQ(plan.graph.ambiguities[0].providers.size(), 2u);
  // Same priority and version: the first by name.
  EXPECT_THAT(edges_of(plan, "a"), ElementsAre("jdk->openjdk-17"));
}

}  // namespace
}  // namespace lupine::farm
