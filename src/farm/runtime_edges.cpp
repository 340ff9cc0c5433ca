#include "farm/runtime_edges.h"

#include <deque>
#include <set>
#include <tuple>

namespace lupine::farm {

void add_runtime_edges(RecipeGraph& graph) {
  std::set<std::pair<size_t, size_t>> linked;
  for (const Edge& edge : graph.edges) linked.insert({edge.from, edge.to});
  std::vector<Edge> added;
  for (size_t from = 0; from < graph.nodes.size(); ++from) {
    // (recipe, name it is asked for, kind) still to follow from `from`.
    std::deque<std::tuple<size_t, std::string, InputKind>> pending;
    std::set<std::pair<size_t, std::string>> seen;
    for (const Edge& edge : graph.edges)
      if (edge.from == from && seen.insert({edge.to, edge.input}).second) pending.emplace_back(edge.to, edge.input, edge.kind);
    while (!pending.empty()) {
      auto [maker, name, kind] = pending.front();
      pending.pop_front();
      const RecipeNode& node = graph.nodes[maker];
      // The package met by `name`: that package, or (a provided name) the recipe's main package.
      std::string package = makes_package(node, name) || node.outputs.packages.empty() ? name : node.outputs.packages.front();
      auto declared = node.outputs.runtime.find(package);
      if (declared == node.outputs.runtime.end()) continue;
      for (const std::string& dependency : declared->second) {
        auto provider = graph.provider.find(dependency);
        if (provider == graph.provider.end() || provider->second == from) continue;
        if (linked.insert({from, provider->second}).second) added.push_back({from, provider->second, dependency, kind, package});
        if (seen.insert({provider->second, dependency}).second) pending.emplace_back(provider->second, dependency, kind);
      }
    }
  }
  graph.edges.insert(graph.edges.end(), added.begin(), added.end());
  index_edges(graph);
}

}  // namespace lupine::farm
