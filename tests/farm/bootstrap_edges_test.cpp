// Edges through a bootstrap repository's packages, and the order they give a bootstrap cycle.
#include "farm/bootstrap_edges.h"

#include "farm/build_order.h"
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
using ::testing::UnorderedElementsAre;

index::IndexRecord record(std::string name, std::vector<std::string> depends, std::vector<std::string> provides = {}) {
  index::IndexRecord r;
  r.name = std::move(name);
  r.version = "1-r0";
  r.depends = std::move(depends);
  r.provides = std::move(provides);
  return r;
}

// A stage 0 as `lupine bootstrap` makes it: build-base is a meta package; binutils needs zlib's
// library, gcc the C library's development files.
std::vector<index::IndexRecord> stage0() {
  return {record("build-base", {"binutils", "gcc", "glibc-dev", "make"}),
          record("binutils", {"so:libc.so.6", "so:libz.so.1"}),
          record("gcc", {"binutils", "glibc-dev>=2"}),
          record("glibc-dev", {"glibc=2.36-r0"}),
          record("glibc", {}, {"so:libc.so.6=6", "ld-linux"}),
          record("zlib", {"so:libc.so.6"}, {"so:libz.so.1=1.2.13"}),
          record("make", {"so:libc.so.6"}),
          record("busybox", {"!coreutils"})};
}

std::vector<const index::IndexRecord*> pointers(const std::vector<index::IndexRecord>& records) {
  std::vector<const index::IndexRecord*> out;
  for (const auto& r : records) out.push_back(&r);
  return out;
}

// Edges of `name` as "input->recipe (through)".
std::vector<std::string> edges_of(const FarmPlan& plan, const std::string& name) {
  std::vector<std::string> out;
  for (size_t e : plan.graph.out_edges[node_index(plan, name)]) {
    const Edge& edge = plan.graph.edges[e];
    out.push_back(edge.input + "->" + plan.graph.nodes[edge.to].name +
                  (edge.through.empty() ? "" : " (" + edge.through + ")"));
  }
  return out;
}

class BootstrapEdges : public ::testing::Test {
 protected:
  void SetUp() override {
    tree_.add(RecipeSpec("glibc").build({"build-base", "busybox"}).subpackage("glibc-dev", {}));
    tree_.add(RecipeSpec("zlib").build({"build-base", "busybox"}));
    tree_.add(RecipeSpec("busybox").build({"build-base"}));
    tree_.add(RecipeSpec("hello").build({"build-base", "busybox"}));
    plan_ = tree_.plan();
    add_bootstrap_edges(plan_.graph, pointers(records_));
    plan_.order = order_builds(plan_.graph);
  }
  RecipeTree tree_;
  std::vector<index::IndexRecord> records_ = stage0();
  FarmPlan plan_;
};

TEST_F(BootstrapEdges, InputsBehindABootstrapPackageAreEdgesToTheRecipeThatMakesThem) {
  // build-base brings glibc-dev (gcc, and itself) and zlib (binutils' so:libz.so.1).
  EXPECT_THAT(edges_of(plan_, "hello"),
              ElementsAre("busybox->busybox", "glibc-dev->glibc (build-base)", "zlib->zlib (build-base)"));
  // A recipe's own packages are not edges: glibc is not its own input through gcc.
  EXPECT_THAT(edges_of(plan_, "glibc"), ElementsAre("busybox->busybox", "zlib->zlib (build-base)"));
  // The walk stops at a package the tree makes: zlib's own dependency on so:libc.so.6 is the
  // zlib recipe's business, not hello's.
  EXPECT_THAT(edges_of(plan_, "busybox"), ElementsAre("glibc-dev->glibc (build-base)", "zlib->zlib (build-base)"));
}

TEST_F(BootstrapEdges, BootstrapDependentsCountWhatStandsOnARecipe) {
  // glibc: binutils, make and zlib (so:libc.so.6), build-base and gcc (glibc-dev), and
  // stage 0's glibc-dev (glibc).
  EXPECT_EQ(plan_.graph.nodes[node_index(plan_, "glibc")].bootstrap_dependents, 6u);
  EXPECT_EQ(plan_.graph.nodes[node_index(plan_, "zlib")].bootstrap_dependents, 1u);  // binutils
  EXPECT_EQ(plan_.graph.nodes[node_index(plan_, "busybox")].bootstrap_dependents, 0u);
  EXPECT_EQ(plan_.graph.nodes[node_index(plan_, "hello")].bootstrap_dependents, 0u);
}

TEST_F(BootstrapEdges, ACycleBuildsTheFoundationLast) {
  ASSERT_EQ(plan_.order.cycles.size(), 1u);
  std::vector<std::string> sequence;
  for (size_t node : plan_.order.cycles[0].sequence) sequence.push_back(plan_.graph.nodes[node].name);
  EXPECT_THAT(sequence, ElementsAre("busybox", "zlib", "glibc"));
  // hello is built after the cycle, on its glibc-dev.
  ASSERT_EQ(plan_.order.levels.size(), 2u);
  EXPECT_THAT(plan_.order.levels[1], ElementsAre(node_index(plan_, "hello")));
  EXPECT_THAT(describe_cycle(plan_.graph, plan_.order.cycles[0]), ::testing::HasSubstr("through build-base"));
}

// A stage 0 whose build-base brings perl (through autoconf, say) and no zlib-dev: zlib's root may
// take stage 0's perl for its first build, but perl's needs the zlib-dev only the tree makes, so
// zlib comes first although the bootstrap stands on it more.
TEST(BootstrapEdgesCycle, WhatAMemberNamesItselfIsBuiltBeforeIt) {
  std::vector<index::IndexRecord> records = {record("build-base", {"gcc", "make", "perl"}),
                                             record("gcc", {"so:libz.so.1"}), record("make", {"so:libz.so.1"}),
                                             record("perl", {}), record("zlib", {}, {"so:libz.so.1=1"})};
  RecipeTree tree;
  tree.add(RecipeSpec("perl").build({"build-base", "zlib-dev"}));
  tree.add(RecipeSpec("zlib").build({"build-base"}).subpackage("zlib-dev", {}));
  FarmPlan plan = tree.plan();
  add_bootstrap_edges(plan.graph, pointers(records));
  plan.order = order_builds(plan.graph);
  ASSERT_EQ(plan.order.cycles.size(), 1u);
  EXPECT_GT(plan.graph.nodes[node_index(plan, "zlib")].bootstrap_dependents,
            plan.graph.nodes[node_index(plan, "perl")].bootstrap_dependents);
  std::vector<std::string> sequence;
  for (size_t node : plan.order.cycles[0].sequence) sequence.push_back(plan.graph.nodes[node].name);
  EXPECT_THAT(sequence, ElementsAre("zlib", "perl"));
}

TEST(BootstrapEdgesNone, WithoutTreeMadeNamesBehindThemNothingIsAdded) {
  RecipeTree tree;
  tree.add(RecipeSpec("hello").build({"build-base"}));
  FarmPlan plan = tree.plan();
  auto records = stage0();
  add_bootstrap_edges(plan.graph, pointers(records));
  EXPECT_TRUE(plan.graph.edges.empty());
  EXPECT_EQ(plan.graph.out_edges.size(), 1u);
}

}  // namespace
}  // namespace lupine::farm
