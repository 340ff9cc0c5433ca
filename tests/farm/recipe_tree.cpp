#include "recipe_tree.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace lupine::farm::testing {

namespace {

std::string list(const std::vector<std::string>& items, std::string_view indent) {
  std::string out;
  for (const auto& item : items) out += fmt::format("{}- {}\n", indent, item);
  return out;
}

}  // namespace

void RecipeTree::add(const RecipeSpec& spec) {
  std::string yaml = fmt::format("package:\n  name: {}\n  version: 1.0\n  epoch: 0\n  description: {}\n", spec.name_, spec.name_);
  if (!spec.provides_.empty()) yaml += "  dependencies:\n    provides:\n" + list(spec.provides_, "      ");
  yaml += spec.extra_;
  if (!spec.build_.empty()) yaml += "environment:\n  contents:\n    packages:\n" + list(spec.build_, "      ");
  yaml += "pipeline:\n  - runs: echo build\n";
  for (const auto& uses : spec.uses_) yaml += fmt::format("  - uses: {}\n", uses);
  if (!spec.subpackages_.empty()) yaml += "subpackages:\n";
  for (const auto& [name, provides] : spec.subpackages_) {
    yaml += fmt::format("  - name: {}\n    pipeline:\n      - runs: echo split\n", name);
    if (!provides.empty()) yaml += "    dependencies:\n      provides:\n" + list(provides, "        ");
  }
  if (!spec.test_.empty())
    yaml += "test:\n  environment:\n    contents:\n      packages:\n" + list(spec.test_, "        ") +
            "  pipeline:\n    - runs: echo test\n";
  add_raw(spec.name_, yaml);
}

void RecipeTree::add_pipeline(const std::string& name, const std::vector<std::string>& needs) {
  std::filesystem::create_directories(dir_.path() / "pipelines");
  write_file_atomic(dir_.path() / "pipelines" / (name + ".yaml"),
                    fmt::format("name: {}\nneeds:\n  packages:\n{}pipeline:\n  - runs: echo {}\n", name,
                                list(needs, "    "), name));
}

void RecipeTree::add_raw(const std::string& name, const std::string& yaml) {
  std::filesystem::create_directories(recipes());
  write_file_atomic(recipes() / (name + ".yaml"), yaml);
}

FarmPlan RecipeTree::plan(const index::RepositorySet* repositories) const {
  PlanOptions options;
  options.recipe_paths = {recipes()};
  if (std::filesystem::is_directory(dir_.path() / "pipelines")) options.pipeline_dirs = {dir_.path() / "pipelines"};
  options.compile.arch = "x86_64";
  options.threads = 2;
  options.repositories = repositories;
  return make_plan(options);
}

std::vector<std::vector<std::string>> level_names(const FarmPlan& plan) {
  std::vector<std::vector<std::string>> out;
  for (const auto& level : plan.order.levels) {
    out.emplace_back();
    for (size_t node : level) out.back().push_back(plan.graph.nodes[node].name);
  }
  return out;
}

size_t node_index(const FarmPlan& plan, const std::string& name) {
  for (size_t i = 0; i < plan.graph.nodes.size(); ++i)
    if (plan.graph.nodes[i].name == name) return i;
  ADD_FAILURE() << "no recipe " << name;
  return 0;
}

}  // namespace lupine::farm::testing
