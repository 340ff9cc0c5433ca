#include "farm/plan.h"

#include "builder/recipe/pipeline_library.h"
#include "farm/bootstrap_edges.h"
#include "farm/external_inputs.h"
#include "farm/plan_targets.h"
#include "farm/recipe_load.h"
#include "farm/runtime_edges.h"

#include <algorithm>
#include <chrono>
#include <set>

namespace lupine::farm {

size_t FarmPlan::count(NodeState state) const {
  return std::count_if(graph.nodes.begin(), graph.nodes.end(), [&](const RecipeNode& n) { return n.state == state; });
}

size_t FarmPlan::count(ExternalStatus status) const {
  return std::count_if(external.begin(), external.end(), [&](const ExternalInput& e) { return e.status == status; });
}

FarmPlan make_plan(const PlanOptions& options) {
  auto started = std::chrono::steady_clock::now();
  builder::PipelineLibrary library(builder::PipelineLibrary::search_path_with_builtin(options.pipeline_dirs));
  std::vector<RecipeNode> nodes =
      load_recipes(find_recipes(options.recipe_paths), library, options.compile, options.threads);
  // Only the targets and what they need, linked again on their own below: which recipe provides a
  // name, and the cycles, are those of the recipes kept. (Edges through a repository's packages
  // pull in nothing, so the whole tree is linked without them.)
  if (!options.targets.empty()) {
    std::map<std::string, std::string> offered;
    if (options.repositories) offered = repository_names(*options.repositories);
    nodes = nodes_needed_by(link_recipes(std::move(nodes)), options.targets, offered);
  }
  FarmPlan plan;
  plan.graph = link_recipes(std::move(nodes));
  add_runtime_edges(plan.graph);
  if (options.repositories) {
    std::vector<const index::IndexRecord*> external;
    for (const auto& loaded : options.repositories->indexes())
      for (const auto& record : loaded.records) external.push_back(&record);
    add_bootstrap_edges(plan.graph, external);
  }
  std::set<std::string> offered;
  if (options.repositories)
    for (const auto& [name, package] : repository_names(*options.repositories)) offered.insert(name);
  plan.order = order_builds(plan.graph, offered);
  plan.external = classify_external(plan.graph, options.repositories);
  plan.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return plan;
}

}  // namespace lupine::farm
