#include "farm/bootstrap_edges.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

namespace lupine::farm {
namespace {

class ExternalNames {
 public:
  explicit ExternalNames(const std::vector<const index::IndexRecord*>& records) {
    for (const index::IndexRecord* record : records) {
      by_name_[record->name].push_back(record);
      for (const auto& provided : record->provides) {
        std::string name = dependency_name(provided);
        if (!name.empty()) by_provides_[name].push_back(record);
      }
    }
  }
  // The packages a dependency on `name` may be met by: those of that name, else its providers.
  const std::vector<const index::IndexRecord*>& candidates(const std::string& name) const {
    if (auto it = by_name_.find(name); it != by_name_.end()) return it->second;
    if (auto it = by_provides_.find(name); it != by_provides_.end()) return it->second;
    return none_;
  }

 private:
  std::map<std::string, std::vector<const index::IndexRecord*>> by_name_, by_provides_;
  std::vector<const index::IndexRecord*> none_;
};

}  // namespace

void add_bootstrap_edges(RecipeGraph& graph, const std::vector<const index::IndexRecord*>& external) {
  ExternalNames names(external);
  std::set<std::pair<size_t, size_t>> linked;
  for (const Edge& edge : graph.edges) linked.insert({edge.from, edge.to});
  std::vector<Edge> added;

  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const RecipeNode& node = graph.nodes[i];
    if (node.state != NodeState::ok) continue;
    for (const RecipeInput& input : node.inputs) {
      if (graph.provider.count(input.name)) continue;  // the tree makes it: a direct edge already
      // Breadth-first through the repositories from this input, stopping at tree-made names.
      std::set<const index::IndexRecord*> seen;
      std::deque<std::string> queue{input.name};
      std::set<std::string> queued{input.name};
      while (!queue.empty()) {
        std::string name = std::move(queue.front());
        queue.pop_front();
        for (const index::IndexRecord* record : names.candidates(name)) {
          if (!seen.insert(record).second) continue;
          if (makes_package(node, record->name)) continue;  // its own package: the bootstrap's copy of it
          if (auto maker = graph.provider.find(record->name); maker != graph.provider.end()) {
            if (maker->second != i && linked.insert({i, maker->second}).second)
              added.push_back({i, maker->second, record->name, input.kind, input.name});
            continue;
          }
          for (const auto& atom : record->depends) {
            std::string dependency = dependency_name(atom);
            if (!dependency.empty() && queued.insert(dependency).second) queue.push_back(std::move(dependency));
          }
        }
      }
    }
  }

  // What the bootstrap stands on: repository packages depending on a name a tree package has.
  std::vector<std::set<const index::IndexRecord*>> dependents(graph.nodes.size());
  for (const index::IndexRecord* record : external)
    for (const auto& atom : record->depends)
      for (const index::IndexRecord* met_by : names.candidates(dependency_name(atom)))
        if (auto maker = graph.provider.find(met_by->name); maker != graph.provider.end())
          dependents[maker->second].insert(record);
  for (size_t i = 0; i < graph.nodes.size(); ++i) graph.nodes[i].bootstrap_dependents = dependents[i].size();

  graph.edges.insert(graph.edges.end(), added.begin(), added.end());
  index_edges(graph);
}

}  // namespace lupine::farm
