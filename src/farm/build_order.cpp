#include "farm/build_order.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>

namespace lupine::farm {

size_t BuildOrder::placed() const {
  size_t count = 0;
  for (const auto& level : levels) count += level.size();
  return count;
}

namespace {

// Marks every ok node that (transitively) needs an unavailable one.
void find_blocked(const RecipeGraph& graph, BuildOrder& order) {
  std::vector<std::vector<size_t>> in_edges(graph.nodes.size());
  for (size_t e = 0; e < graph.edges.size(); ++e) in_edges[graph.edges[e].to].push_back(e);
  std::deque<size_t> queue(order.unavailable.begin(), order.unavailable.end());
  while (!queue.empty()) {
    size_t node = queue.front();
    queue.pop_front();
    for (size_t e : in_edges[node]) {
      size_t dependent = graph.edges[e].from;
      if (graph.nodes[dependent].state != NodeState::ok || order.blocked.count(dependent)) continue;
      order.blocked[dependent] = e;
      queue.push_back(dependent);
    }
  }
}

// Tarjan's strongly connected components over the nodes where `active` holds. Returns the
// component of each node (SIZE_MAX for inactive ones) and the number of components.
std::pair<std::vector<size_t>, size_t> components(const RecipeGraph& graph, const std::vector<bool>& active) {
  const size_t n = graph.nodes.size(), unset = SIZE_MAX;
  std::vector<size_t> index(n, unset), low(n, 0), component(n, unset), stack;
  std::vector<bool> on_stack(n, false);
  size_t counter = 0, count = 0;
  std::function<void(size_t)> visit = [&](size_t v) {
    index[v] = low[v] = counter++;
    stack.push_back(v);
    on_stack[v] = true;
    for (size_t e : graph.out_edges[v]) {
      size_t w = graph.edges[e].to;
      if (!active[w]) continue;
      if (index[w] == unset) {
        visit(w);
        low[v] = std::min(low[v], low[w]);
      } else if (on_stack[w]) {
        low[v] = std::min(low[v], index[w]);
      }
    }
    if (low[v] != index[v]) return;
    size_t w;
    do {
      w = stack.back();
      stack.pop_back();
      on_stack[w] = false;
      component[w] = count;
    } while (w != v);
    ++count;
  };
  for (size_t v = 0; v < n; ++v)
    if (active[v] && index[v] == unset) visit(v);
  return {component, count};
}

// The shortest cycle through `start` inside its component (breadth-first from `start`).
std::vector<size_t> cycle_through(const RecipeGraph& graph, const std::vector<size_t>& component, size_t start) {
  std::vector<size_t> via(graph.nodes.size(), SIZE_MAX);  // edge that reached the node
  std::deque<size_t> queue{start};
  std::vector<bool> seen(graph.nodes.size(), false);
  seen[start] = true;
  while (!queue.empty()) {
    size_t v = queue.front();
    queue.pop_front();
    for (size_t e : graph.out_edges[v]) {
      size_t w = graph.edges[e].to;
      if (component[w] != component[start]) continue;
      if (w == start) {
        std::vector<size_t> edges{e};
        for (size_t at = v; at != start; at = graph.edges[via[at]].from) edges.push_back(via[at]);
        std::reverse(edges.begin(), edges.end());
        return edges;
      }
      if (seen[w]) continue;
      seen[w] = true;
      via[w] = e;
      queue.push_back(w);
    }
  }
  return {};  // unreachable for a component of two or more
}

// The order a cycle's members are built in (Cycle::sequence). An input a member names itself (an
// edge without `through`) is built before it where the order allows; one that no repository offers
// must be (python names bzip2-dev, which only the tree makes): nothing else can stand in for it in
// the first build. An input that comes through a repository's package (build-base bringing
// glibc-dev), or that a repository also offers, has that repository's package to stand in. So: a
// topological order of the direct edges among the members, choosing among the members whose direct
// inputs are built the one the bootstrap stands on least (fewest bootstrap_dependents, then the
// lower index); when only direct edges in a loop are left, the same choice among the members whose
// inputs no repository offers are built, and only when those loop too, among all that are left.
std::vector<size_t> cycle_sequence(const RecipeGraph& graph, const std::vector<size_t>& members,
                                   const std::set<std::string>& offered) {
  std::set<size_t> in_cycle(members.begin(), members.end());
  std::map<size_t, std::set<size_t>> direct_needs, unoffered_needs;  // member -> members it names directly
  for (const Edge& edge : graph.edges)
    if (edge.through.empty() && edge.from != edge.to && in_cycle.count(edge.from) && in_cycle.count(edge.to)) {
      direct_needs[edge.from].insert(edge.to);
      if (!offered.count(edge.input)) unoffered_needs[edge.from].insert(edge.to);
    }
  auto before = [&](size_t a, size_t b) {
    const auto &x = graph.nodes[a], &y = graph.nodes[b];
    return x.bootstrap_dependents != y.bootstrap_dependents ? x.bootstrap_dependents < y.bootstrap_dependents : a < b;
  };
  std::vector<size_t> sequence;
  std::set<size_t> left = in_cycle;
  // The member to build next among those whose `needs` are all built, if any.
  auto pick = [&](std::map<size_t, std::set<size_t>>& needs) {
    std::optional<size_t> next;
    for (size_t member : left) {
      bool ready = true;
      for (size_t need : needs[member]) ready = ready && !left.count(need);
      if (ready && (!next || before(member, *next))) next = member;
    }
    return next;
  };
  while (!left.empty()) {
    std::optional<size_t> next = pick(direct_needs);
    if (!next) next = pick(unoffered_needs);
    if (!next)  // even inputs no repository offers loop: the heuristic alone decides
      for (size_t member : left)
        if (!next || before(member, *next)) next = member;
    sequence.push_back(*next);
    left.erase(*next);
  }
  return sequence;
}

}  // namespace

BuildOrder order_builds(const RecipeGraph& graph, const std::set<std::string>& offered) {
  BuildOrder order;
  const size_t n = graph.nodes.size();
  for (size_t i = 0; i < n; ++i)
    if (graph.nodes[i].state != NodeState::ok) order.unavailable.push_back(i);
  find_blocked(graph, order);

  std::vector<bool> active(n);
  for (size_t i = 0; i < n; ++i) active[i] = graph.nodes[i].state == NodeState::ok && !order.blocked.count(i);
  auto [component, count] = components(graph, active);

  // Kahn's algorithm over the condensation: a component is ready when every component it needs is built.
  std::vector<std::vector<size_t>> members(count);
  for (size_t i = 0; i < n; ++i)
    if (active[i]) members[component[i]].push_back(i);
  std::vector<std::set<size_t>> needs(count), needed_by(count);
  for (const Edge& edge : graph.edges) {
    if (!active[edge.from] || !active[edge.to]) continue;
    size_t a = component[edge.from], b = component[edge.to];
    if (a == b) continue;
    needs[a].insert(b);
    needed_by[b].insert(a);
  }
  std::vector<size_t> waiting(count), ready, level_of(count);
  for (size_t c = 0; c < count; ++c)
    if ((waiting[c] = needs[c].size()) == 0) ready.push_back(c);
  while (!ready.empty()) {
    std::vector<size_t> level, next;
    for (size_t c : ready) {
      level_of[c] = order.levels.size();
      level.insert(level.end(), members[c].begin(), members[c].end());
      for (size_t dependent : needed_by[c])
        if (--waiting[dependent] == 0) next.push_back(dependent);
    }
    std::sort(level.begin(), level.end());
    order.levels.push_back(std::move(level));
    ready = std::move(next);
  }

  for (size_t c = 0; c < count; ++c) {
    if (members[c].size() < 2) continue;  // inputs a recipe produces itself are not edges: no self-loops
    Cycle cycle;
    cycle.members = members[c];  // ascending already
    cycle.edges = cycle_through(graph, component, cycle.members.front());
    cycle.level = level_of[c];
    cycle.sequence = cycle_sequence(graph, cycle.members, offered);
    order.cycles.push_back(std::move(cycle));
  }
  std::sort(order.cycles.begin(), order.cycles.end(),
            [](const Cycle& a, const Cycle& b) { return a.members.front() < b.members.front(); });
  return order;
}

std::string describe_cycle(const RecipeGraph& graph, const Cycle& cycle) {
  if (cycle.edges.empty()) return {};
  std::string path = graph.nodes[graph.edges[cycle.edges.front()].from].name;
  std::vector<std::string> reasons;
  for (size_t e : cycle.edges) {
    const Edge& edge = graph.edges[e];
    path += " -> " + graph.nodes[edge.to].name;
    reasons.push_back(fmt::format("{} needs {}{}{}", graph.nodes[edge.from].name, edge.input,
                                  edge.through.empty() ? "" : " through " + edge.through,
                                  edge.kind == InputKind::test ? " for tests" : ""));
  }
  return fmt::format("{} ({})", path, fmt::join(reasons, "; "));
}

}  // namespace lupine::farm
