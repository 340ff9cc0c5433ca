// `lupine farm plan` as a library call: the recipes found under some paths, compiled, linked into
// a graph, ordered into levels, their external inputs checked against repositories.
#pragma once

#include "builder/recipe/compile.h"
#include "farm/build_order.h"
#include "farm/external_inputs.h"
#include "farm/recipe_graph.h"

#include <filesystem>
#include <vector>

namespace lupine::farm {

struct PlanOptions {
  std::vector<std::filesystem::path> recipe_paths;   // directories of recipes and/or recipe files
  std::vector<std::filesystem::path> pipeline_dirs;  // searched before the built-in pipeline library
  builder::CompileOptions compile;                    // arch ("" = the host's), build options
  unsigned threads = 0;                               // compile threads, 0 = one per core
  // Where external inputs may come from; their dependencies also give the bootstrap edges
  // (bootstrap_edges.h).
  const index::RepositorySet* repositories = nullptr;
  // When set, only these recipes and what they need (plan_targets.h): a recipe name or a name one
  // produces.
  std::vector<std::string> targets;
};

struct FarmPlan {
  RecipeGraph graph;
  BuildOrder order;
  std::vector<ExternalInput> external;
  double seconds = 0;  // wall time of make_plan

  size_t count(NodeState state) const;
  size_t count(ExternalStatus status) const;
};

// Throws Error when a recipe path does not exist.
FarmPlan make_plan(const PlanOptions& options);

}  // namespace lupine::farm
