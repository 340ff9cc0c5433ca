#include "farm/unmet_inputs.h"

#include "farm/external_inputs.h"

#include <fmt/format.h>

#include <map>
#include <set>

namespace lupine::farm {

std::vector<std::string> unmet_inputs(const FarmPlan& plan, const index::RepositorySet* repositories) {
  std::map<std::string, std::string> available;
  if (repositories) available = repository_names(*repositories);
  std::vector<std::string> unmet;
  for (const auto& [name, needed_by] : plan.graph.external) {
    if (available.count(name)) continue;
    std::vector<std::string> by;
    for (size_t node : needed_by) by.push_back(plan.graph.nodes[node].name);
    unmet.push_back(fmt::format("{} (needed by {})", name, fmt::join(by, ", ")));
  }
  // A cycle's first round: a member's input made by a member later in the sequence (or by the
  // member itself through another) comes from the repositories, or from nowhere.
  for (const Cycle& cycle : plan.order.cycles) {
    std::map<size_t, size_t> place;
    for (size_t i = 0; i < cycle.sequence.size(); ++i) place[cycle.sequence[i]] = i;
    std::set<std::string> seen;
    for (const Edge& edge : plan.graph.edges) {
      auto from = place.find(edge.from), to = place.find(edge.to);
      if (from == place.end() || to == place.end() || to->second < from->second) continue;
      const std::string& name = edge.input;
      if (available.count(name) || !seen.insert(plan.graph.nodes[edge.from].name + "\n" + name).second) continue;
      unmet.push_back(fmt::format("{} (needed by {} before {}'s recipe is built: a cycle's first round)", name,
                                  plan.graph.nodes[edge.from].name, plan.graph.nodes[edge.to].name));
    }
  }
  return unmet;
}

}  // namespace lupine::farm
