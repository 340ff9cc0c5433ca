#include "farm/recipe_load.h"

#include "apk/dependency.h"
#include "common/error.h"
#include "common/parallel.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>

namespace lupine::farm {
namespace fs = std::filesystem;

std::vector<fs::path> find_recipes(const std::vector<fs::path>& paths) {
  std::vector<fs::path> out;
  for (const fs::path& path : paths) {
    if (fs::is_directory(path)) {
      for (const auto& entry : fs::directory_iterator(path)) {
        const fs::path& file = entry.path();
        if (file.extension() == ".yaml" && !file.filename().string().starts_with(".") && entry.is_regular_file())
          out.push_back(file);
      }
    } else if (fs::is_regular_file(path)) {
      out.push_back(path);
    } else {
      fail("{}: not a recipe file or directory", path.string());
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

namespace {

int64_t parse_priority(const std::string& text) {
  int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

RecipeOutputs outputs_of(const builder::BuildPlan& plan) {
  RecipeOutputs outputs;
  auto add = [&](const builder::CompiledPackage& package) {
    outputs.packages.push_back(package.name);
    for (const auto& atom : package.dependencies.provides)
      if (std::string name = dependency_name(atom); !name.empty()) outputs.provides.push_back(name);
    for (const auto& atom : package.dependencies.runtime)
      if (std::string name = dependency_name(atom); !name.empty()) outputs.runtime[package.name].push_back(name);
  };
  add(plan.package);
  for (const auto& sub : plan.subpackages)
    if (sub.enabled) add(sub);
  std::sort(outputs.provides.begin(), outputs.provides.end());
  outputs.provides.erase(std::unique(outputs.provides.begin(), outputs.provides.end()), outputs.provides.end());
  outputs.provider_priority = parse_priority(plan.package.dependencies.provider_priority);
  return outputs;
}

}  // namespace

RecipeNode node_from_plan(const std::string& path, const builder::BuildPlan& plan) {
  RecipeNode node;
  node.path = path;
  node.name = plan.package.name;
  node.version = plan.full_version();
  node.outputs = outputs_of(plan);

  std::set<std::string> own(node.outputs.packages.begin(), node.outputs.packages.end());
  own.insert(node.outputs.provides.begin(), node.outputs.provides.end());
  std::set<std::string> seen;  // a name needed for the build and a test is one (build) input
  auto add_inputs = [&](const std::vector<std::string>& atoms, InputKind kind) {
    for (const std::string& atom : atoms) {
      std::string name = dependency_name(atom);
      if (name.empty() || own.count(name) || !seen.insert(name).second) continue;
      node.inputs.push_back({atom, name, kind});
    }
  };
  add_inputs(plan.environment.packages, InputKind::build);
  // A test installs the package it tests, so the runtime dependencies that package declares must
  // be published first too (perl-json-xs's test needs perl-common-sense from another recipe).
  auto add_test_inputs = [&](const builder::CompiledPackage& package) {
    if (!package.test) return;
    add_inputs(package.test->environment.packages, InputKind::test);
    add_inputs(package.dependencies.runtime, InputKind::test);
  };
  add_test_inputs(plan.package);
  for (const auto& sub : plan.subpackages)
    if (sub.enabled) add_test_inputs(sub);
  return node;
}

namespace {

RecipeNode load_one(const fs::path& path, const builder::PipelineLibrary& library,
                    const builder::CompileOptions& options) {
  Diagnostics diagnostics;
  std::optional<builder::BuildPlan> plan;
  std::string thrown;
  try {
    plan = builder::compile_recipe_file(path.string(), library, options, diagnostics);
  } catch (const std::exception& e) {
    thrown = fmt::format("{}: {}", path.string(), e.what());
  }
  RecipeNode node;
  if (plan) node = node_from_plan(path.string(), *plan);
  node.path = path.string();
  if (node.name.empty()) node.name = path.stem().string();
  if (diagnostics.has_errors() || !thrown.empty()) {
    node.state = NodeState::error;
    node.inputs.clear();  // not trustworthy; the node is not built anyway
    node.reason = thrown.empty() ? "" : thrown + "\n";
    for (const auto& d : diagnostics.sorted())
      if (d.severity == Severity::error) node.reason += d.str() + "\n";
    if (!node.reason.empty()) node.reason.pop_back();
  } else if (plan && !plan->arch_supported) {
    node.state = NodeState::skipped;
    node.reason = fmt::format("{} is not in its target-architecture", plan->arch.apk);
  }
  return node;
}

}  // namespace

std::vector<RecipeNode> load_recipes(const std::vector<fs::path>& recipes, const builder::PipelineLibrary& library,
                                     const builder::CompileOptions& options, unsigned threads) {
  std::vector<RecipeNode> nodes(recipes.size());
  parallel_for(recipes.size(), threads, [&](size_t i) { nodes[i] = load_one(recipes[i], library, options); });
  return nodes;
}

}  // namespace lupine::farm
