#include "farm/plan_render.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <set>

namespace lupine::farm {
namespace {

const char* kind_name(InputKind kind) { return kind == InputKind::build ? "build" : "test"; }

const char* state_name(NodeState state) {
  switch (state) {
    case NodeState::ok: return "ok";
    case NodeState::error: return "error";
    case NodeState::skipped: return "skipped";
  }
  return "?";
}

const char* status_name(ExternalStatus status) {
  switch (status) {
    case ExternalStatus::unchecked: return "external";
    case ExternalStatus::in_repository: return "repository";
    case ExternalStatus::missing: return "missing";
  }
  return "?";
}

// Names of `nodes`, wrapped into indented lines of about 100 columns.
std::string wrapped_names(const RecipeGraph& graph, const std::vector<size_t>& nodes, std::string_view indent) {
  std::string out, line(indent);
  for (size_t node : nodes) {
    const std::string& name = graph.nodes[node].name;
    if (line.size() > indent.size() && line.size() + 1 + name.size() > 100) {
      out += line + "\n";
      line = indent;
    }
    if (line.size() > indent.size()) line += ' ';
    line += name;
  }
  if (line.size() > indent.size()) out += line + "\n";
  return out;
}

// "a, b, c and 12 more"
std::string some_names(const RecipeGraph& graph, const std::vector<size_t>& nodes, size_t shown = 6) {
  std::vector<std::string> names;
  for (size_t i = 0; i < nodes.size() && i < shown; ++i) names.push_back(graph.nodes[nodes[i]].name);
  std::string out = fmt::format("{}", fmt::join(names, ", "));
  if (nodes.size() > shown) out += fmt::format(" and {} more", nodes.size() - shown);
  return out;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

size_t cycle_members(const BuildOrder& order) {
  size_t count = 0;
  for (const auto& cycle : order.cycles) count += cycle.members.size();
  return count;
}

}  // namespace

std::string plan_summary(const FarmPlan& plan) {
  const size_t externals = plan.external.size();
  std::string inputs = fmt::format("{} external input{}", externals, externals == 1 ? "" : "s");
  if (plan.count(ExternalStatus::unchecked) != externals)
    inputs += fmt::format(" ({} in repositories, {} missing)", plan.count(ExternalStatus::in_repository),
                          plan.count(ExternalStatus::missing));
  return fmt::format(
      "planned {} recipes: {} in {} levels, {} cycles ({} recipes), {} failed to compile, {} skipped for the arch, "
      "{} blocked; {}; {} edges; {:.2f} s",
      plan.graph.nodes.size(), plan.order.placed(), plan.order.levels.size(), plan.order.cycles.size(),
      cycle_members(plan.order), plan.count(NodeState::error), plan.count(NodeState::skipped),
      plan.order.blocked.size(), inputs, plan.graph.edges.size(), plan.seconds);
}

std::string plan_text(const FarmPlan& plan) {
  const RecipeGraph& graph = plan.graph;
  const BuildOrder& order = plan.order;
  std::string out;
  for (size_t l = 0; l < order.levels.size(); ++l) {
    out += fmt::format("level {} ({} recipes):\n", l, order.levels[l].size());
    out += wrapped_names(graph, order.levels[l], "  ");
  }
  if (!order.cycles.empty()) {
    out += fmt::format("cycles ({}):\n", order.cycles.size());
    for (const Cycle& cycle : order.cycles) {
      out += fmt::format("  {}\n", describe_cycle(graph, cycle));
      if (cycle.members.size() > cycle.edges.size())
        out += fmt::format("    in a group of {} recipes built together at level {}: {}\n", cycle.members.size(),
                           cycle.level, some_names(graph, cycle.members, 12));
      out += fmt::format("    built in the order {} (the foundation last)\n", some_names(graph, cycle.sequence, 12));
    }
  }
  if (!order.unavailable.empty()) {
    out += fmt::format("cannot be built ({}):\n", order.unavailable.size());
    for (size_t node : order.unavailable)
      out += fmt::format("  {}: {}: {}\n", graph.nodes[node].name, state_name(graph.nodes[node].state),
                         first_line(graph.nodes[node].reason));
  }
  if (!order.blocked.empty()) {
    out += fmt::format("blocked ({}):\n", order.blocked.size());
    for (const auto& [node, edge] : order.blocked)
      out += fmt::format("  {}: needs {} from {}\n", graph.nodes[node].name, graph.edges[edge].input,
                         graph.nodes[graph.edges[edge].to].name);
  }
  if (!graph.ambiguities.empty()) {
    out += fmt::format("provided by several recipes ({}):\n", graph.ambiguities.size());
    for (const Ambiguity& a : graph.ambiguities)
      out += fmt::format("  {}: {}; using {}\n", a.name, some_names(graph, a.providers), graph.nodes[a.chosen].name);
  }
  auto list_inputs = [&](ExternalStatus status, const char* title) {
    size_t count = plan.count(status);
    if (count == 0) return;
    out += fmt::format("{} ({}):\n", title, count);
    for (const ExternalInput& input : plan.external) {
      if (input.status != status) continue;
      out += fmt::format("  {}{}: needed by {}\n", input.name,
                         input.provider.empty() ? "" : fmt::format(" ({})", input.provider),
                         some_names(graph, input.needed_by));
    }
  };
  list_inputs(ExternalStatus::unchecked, "external inputs");
  list_inputs(ExternalStatus::in_repository, "inputs from repositories");
  list_inputs(ExternalStatus::missing, "missing inputs");
  out += plan_summary(plan) + "\n";
  return out;
}

std::string plan_json(const FarmPlan& plan) {
  using nlohmann::ordered_json;
  const RecipeGraph& graph = plan.graph;
  std::vector<int64_t> level_of(graph.nodes.size(), -1);
  for (size_t l = 0; l < plan.order.levels.size(); ++l)
    for (size_t node : plan.order.levels[l]) level_of[node] = static_cast<int64_t>(l);

  ordered_json recipes = ordered_json::array();
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const RecipeNode& node = graph.nodes[i];
    ordered_json inputs = ordered_json::array();
    for (const RecipeInput& input : node.inputs) {
      ordered_json entry = {{"atom", input.atom}, {"name", input.name}, {"kind", kind_name(input.kind)}};
      auto found = graph.provider.find(input.name);
      if (found != graph.provider.end()) entry["from"] = graph.nodes[found->second].name;
      inputs.push_back(entry);
    }
    ordered_json recipe = {{"name", node.name},         {"path", node.path},
                           {"version", node.version},   {"state", state_name(node.state)},
                           {"packages", node.outputs.packages}, {"provides", node.outputs.provides},
                           {"inputs", inputs}};
    if (level_of[i] >= 0) recipe["level"] = level_of[i];
    if (!node.reason.empty()) recipe["reason"] = node.reason;
    if (auto blocked = plan.order.blocked.find(i); blocked != plan.order.blocked.end())
      recipe["blocked_by"] = graph.nodes[graph.edges[blocked->second].to].name;
    recipes.push_back(recipe);
  }
  auto names = [&](const std::vector<size_t>& nodes) {
    std::vector<std::string> out;
    for (size_t node : nodes) out.push_back(graph.nodes[node].name);
    return out;
  };
  ordered_json levels = ordered_json::array();
  for (const auto& level : plan.order.levels) levels.push_back(names(level));
  ordered_json cycles = ordered_json::array();
  for (const Cycle& cycle : plan.order.cycles) {
    ordered_json path = ordered_json::array();
    for (size_t e : cycle.edges)
      path.push_back({{"from", graph.nodes[graph.edges[e].from].name},
                      {"to", graph.nodes[graph.edges[e].to].name},
                      {"input", graph.edges[e].input},
                      {"kind", kind_name(graph.edges[e].kind)},
                      {"through", graph.edges[e].through}});
    cycles.push_back({{"text", describe_cycle(graph, cycle)}, {"level", cycle.level},
                      {"members", names(cycle.members)}, {"sequence", names(cycle.sequence)}, {"path", path}});
  }
  ordered_json external = ordered_json::array();
  for (const ExternalInput& input : plan.external) {
    ordered_json entry = {{"name", input.name}, {"status", status_name(input.status)}, {"needed_by", names(input.needed_by)}};
    if (!input.provider.empty()) entry["provider"] = input.provider;
    external.push_back(entry);
  }
  ordered_json ambiguities = ordered_json::array();
  for (const Ambiguity& a : graph.ambiguities)
    ambiguities.push_back({{"name", a.name}, {"providers", names(a.providers)}, {"chosen", graph.nodes[a.chosen].name}});

  ordered_json out;
  out["recipes"] = recipes;
  out["levels"] = levels;
  out["cycles"] = cycles;
  out["external"] = external;
  out["ambiguities"] = ambiguities;
  out["summary"] = {{"recipes", graph.nodes.size()},
                    {"placed", plan.order.placed()},
                    {"levels", plan.order.levels.size()},
                    {"cycles", plan.order.cycles.size()},
                    {"errors", plan.count(NodeState::error)},
                    {"skipped", plan.count(NodeState::skipped)},
                    {"blocked", plan.order.blocked.size()},
                    {"edges", graph.edges.size()},
                    {"external", plan.external.size()},
                    {"missing", plan.count(ExternalStatus::missing)},
                    {"seconds", plan.seconds}};
  return out.dump(2) + "\n";
}

std::string plan_dot(const FarmPlan& plan) {
  const RecipeGraph& graph = plan.graph;
  std::set<size_t> in_cycle;
  for (const Cycle& cycle : plan.order.cycles) in_cycle.insert(cycle.members.begin(), cycle.members.end());
  auto quoted = [](const std::string& text) { return nlohmann::json(text).dump(); };  // JSON escaping suits DOT
  std::string out = "digraph recipes {\n  rankdir=LR;\n  node [shape=box];\n";
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const RecipeNode& node = graph.nodes[i];
    std::string style;
    if (node.state != NodeState::ok) style = " [style=filled, fillcolor=grey]";
    else if (plan.order.blocked.count(i)) style = " [style=dashed]";
    else if (in_cycle.count(i)) style = " [color=red]";
    out += fmt::format("  {}{};\n", quoted(node.name), style);
  }
  for (const Edge& edge : graph.edges) {
    // Test inputs dotted, inputs through a repository package dashed (labelled with that package).
    std::string label = edge.through.empty() ? edge.input : edge.input + " via " + edge.through;
    std::string style = edge.kind == InputKind::test ? ", style=dotted" : !edge.through.empty() ? ", style=dashed" : "";
    out += fmt::format("  {} -> {} [label={}{}];\n", quoted(graph.nodes[edge.from].name), quoted(graph.nodes[edge.to].name),
                       quoted(label), style);
  }
  out += "}\n";
  return out;
}

}  // namespace lupine::farm
