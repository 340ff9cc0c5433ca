#include "farm/plan_targets.h"

#include "common/error.h"

#include <fmt/format.h>

#include <optional>

namespace lupine::farm {

namespace {

std::optional<size_t> find_target(const RecipeGraph& graph, const std::string& target) {
  // A recipe's own name first: a recipe that failed to compile produces nothing yet is asked for.
  for (size_t i = 0; i < graph.nodes.size(); ++i)
    if (graph.nodes[i].name == target) return i;
  if (auto found = graph.provider.find(target); found != graph.provider.end()) return found->second;
  return std::nullopt;
}

}  // namespace

std::vector<RecipeNode> nodes_needed_by(const RecipeGraph& graph, const std::vector<std::string>& targets,
                                        const std::map<std::string, std::string>& offered) {
  std::vector<bool> needed(graph.nodes.size(), false);
  std::vector<size_t> pending;
  for (const std::string& target : targets) {
    auto node = find_target(graph, target);
    if (!node) fail("--target {}: no recipe given is, or makes a package or provides, {}", target, target);
    if (!needed[*node]) {
      needed[*node] = true;
      pending.push_back(*node);
    }
  }
  while (!pending.empty()) {
    size_t node = pending.back();
    pending.pop_back();
    for (size_t e : graph.out_edges[node]) {
      const Edge& edge = graph.edges[e];
      if (!edge.through.empty() || offered.count(edge.input)) continue;
      size_t to = edge.to;
      if (!needed[to]) {
        needed[to] = true;
        pending.push_back(to);
      }
    }
  }
  std::vector<RecipeNode> kept;
  for (size_t i = 0; i < graph.nodes.size(); ++i)
    if (needed[i]) kept.push_back(graph.nodes[i]);
  return kept;
}

}  // namespace lupine::farm
