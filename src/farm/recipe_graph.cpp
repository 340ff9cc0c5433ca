#include "farm/recipe_graph.h"

#include "apk/dependency.h"
#include "apk/version.h"
#include "common/error.h"

#include <algorithm>
#include <set>
#include <tuple>

namespace lupine::farm {
namespace {

// The better provider of `name` of two recipes (see link_recipes).
bool better_provider(const RecipeNode& a, const RecipeNode& b, const std::string& name) {
  bool a_named = makes_package(a, name), b_named = makes_package(b, name);
  if (a_named != b_named) return a_named;
  if (a.outputs.provider_priority != b.outputs.provider_priority)
    return a.outputs.provider_priority > b.outputs.provider_priority;
  if (!a.version.empty() && !b.version.empty()) {
    int order = apk::version_compare(a.version, b.version);
    if (order == apk::GREATER) return true;
    if (order == apk::LESS) return false;
  }
  return false;  // keep the earlier one (nodes are sorted by name)
}

void map_providers(RecipeGraph& graph) {
  std::map<std::string, std::vector<size_t>> producers;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    std::set<std::string> names(graph.nodes[i].outputs.packages.begin(), graph.nodes[i].outputs.packages.end());
    names.insert(graph.nodes[i].outputs.provides.begin(), graph.nodes[i].outputs.provides.end());
    for (const auto& name : names) producers[name].push_back(i);
  }
  for (auto& [name, candidates] : producers) {
    size_t chosen = candidates.front();
    for (size_t candidate : candidates)
      if (better_provider(graph.nodes[candidate], graph.nodes[chosen], name)) chosen = candidate;
    graph.provider[name] = chosen;
    if (candidates.size() < 2) continue;
    size_t named = std::count_if(candidates.begin(), candidates.end(),
                                 [&](size_t c) { return makes_package(graph.nodes[c], name); });
    if (named != 1) graph.ambiguities.push_back({name, candidates, chosen});
  }
}

}  // namespace

RecipeGraph link_recipes(std::vector<RecipeNode> nodes) {
  RecipeGraph graph;
  std::sort(nodes.begin(), nodes.end(),
            [](const RecipeNode& a, const RecipeNode& b) { return std::tie(a.name, a.path) < std::tie(b.name, b.path); });
  graph.nodes = std::move(nodes);
  map_providers(graph);

  std::set<std::tuple<size_t, size_t, std::string>> seen;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    for (const RecipeInput& input : graph.nodes[i].inputs) {
      auto found = graph.provider.find(input.name);
      if (found == graph.provider.end()) {
        auto& needers = graph.external[input.name];
        if (needers.empty() || needers.back() != i) needers.push_back(i);
        continue;
      }
      // Inputs the recipe produces itself were dropped when the node was made; a name another
      // recipe is chosen for, but which this one also produces, is still its own.
      if (found->second == i) continue;
      const auto& own = graph.nodes[i].outputs;
      if (makes_package(graph.nodes[i], input.name) ||
          std::find(own.provides.begin(), own.provides.end(), input.name) != own.provides.end())
        continue;
      // A build input and a test input of the same name make one edge: the build one.
      if (!seen.insert({i, found->second, input.name}).second) continue;
      graph.edges.push_back({i, found->second, input.name, input.kind, ""});
    }
  }
  index_edges(graph);
  return graph;
}

bool makes_package(const RecipeNode& node, const std::string& name) {
  const auto& packages = node.outputs.packages;
  return std::find(packages.begin(), packages.end(), name) != packages.end();
}

std::string dependency_name(const std::string& atom) {
  try {
    apk::Dependency dependency = apk::parse_dependency(atom);
    return dependency.conflict ? std::string() : dependency.name;
  } catch (const Error&) {
    // Not valid apk grammar (a typo in a recipe): the part before any operator still names it.
    std::string name = atom.substr(0, atom.find_first_of("<>=~"));
    return name.starts_with("!") ? std::string() : name;
  }
}

void index_edges(RecipeGraph& graph) {
  std::sort(graph.edges.begin(), graph.edges.end(), [](const Edge& a, const Edge& b) {
    return std::tie(a.from, a.to, a.input) < std::tie(b.from, b.to, b.input);
  });
  graph.out_edges.assign(graph.nodes.size(), {});
  for (size_t e = 0; e < graph.edges.size(); ++e) graph.out_edges[graph.edges[e].from].push_back(e);
}

}  // namespace lupine::farm
