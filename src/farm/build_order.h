// The order a farm builds a recipe graph in: levels of recipes that can be built together, each
// depending only on earlier levels (Kahn's algorithm over the graph's strongly connected
// components). Recipes that depend on each other in a cycle are found with Tarjan's algorithm,
// reported with one full cycle each, and placed together in one level: such a group can only be
// built with a bootstrap (an earlier build of one of them from a repository). Recipes that failed
// to compile or are skipped for the arch are left out, and so is everything that depends on them.
#pragma once

#include "farm/recipe_graph.h"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace lupine::farm {

struct Cycle {
  std::vector<size_t> members;  // the strongly connected component, sorted (by name)
  std::vector<size_t> edges;    // one full cycle through members[0]: edge i leads to edge i+1's start
  size_t level = 0;
  // The members in the order a farm builds them, each after the earlier ones it has an edge to:
  // first every member's inputs that it names itself (only the tree can make those: perl's
  // zlib-dev), and among those ready the ones the bootstrap stands on least first, the foundation
  // last (fewest, then most bootstrap_dependents; then by name). glibc, whose root holds busybox and zlib while theirs
  // hold glibc-dev, is built once on the tree's busybox and zlib (made with the bootstrap's C
  // library), and they are rebuilt on its glibc-dev in a second round of the same run, before
  // anything that needs them (farm_build.cpp); with the farm's keys (build_key.h) the next run
  // finds glibc, and the whole cycle, up to date.
  std::vector<size_t> sequence;
};

struct BuildOrder {
  std::vector<std::vector<size_t>> levels;  // node indices, sorted within a level
  std::vector<Cycle> cycles;                // sorted by their first member
  std::vector<size_t> unavailable;          // nodes in state error or skipped
  std::map<size_t, size_t> blocked;         // node -> the edge to an unavailable or blocked recipe

  size_t placed() const;  // nodes in some level
};

// `offered`: the names (and provides) the repositories offer, which can stand in for a cycle
// member's input in its first build (Cycle::sequence).
BuildOrder order_builds(const RecipeGraph& graph, const std::set<std::string>& offered = {});

// "a -> b -> a (a needs b-dev; b needs a for tests)": the cycle and, for each edge, its input.
std::string describe_cycle(const RecipeGraph& graph, const Cycle& cycle);

}  // namespace lupine::farm
