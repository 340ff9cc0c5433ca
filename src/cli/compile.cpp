// lupine compile RECIPE... [--pipeline-dir D]... [--arch A] [--build-option O]... [--json|--yaml] [--check]:
// the fully resolved build plan of each recipe, as `melange compile` shows it: every `uses:` loaded,
// every ${{…}} substituted, conditions evaluated, needs merged into the build environment. Errors
// (all of them, each with file:line:column) go to stderr; exit 1 when any recipe has one.
// --yaml prints the compiled recipe as a recipe (what a package embeds as .melange.yaml:
// compiled_yaml.h); --check prints nothing but errors; the hidden --timing prints how long compiling took (bench/compile).
#include "builder/recipe/compile.h"
#include "builder/recipe/compiled_yaml.h"
#include "builder/recipe/pipeline_library.h"
#include "cli/command.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

namespace lupine::cli {
namespace {

using builder::BuildPlan;
using builder::CompiledPackage;
using builder::CompiledStep;
using builder::CompiledTest;
using nlohmann::json;

struct CompileArgs {
  std::vector<std::string> recipes;
  std::vector<std::string> pipeline_dirs;
  std::vector<std::string> build_options;
  std::string arch;
  std::string libc_flavor = "gnu";
  bool json = false;
  bool yaml = false;
  bool check = false;
  bool timing = false;
};

// ---- JSON, with melange's keys (omitempty: empty values left out) ----

void put(json& out, const char* key, const std::string& value) {
  if (!value.empty()) out[key] = value;
}
void put(json& out, const char* key, const std::vector<std::string>& value) {
  if (!value.empty()) out[key] = value;
}
void put(json& out, const char* key, const std::map<std::string, std::string>& value) {
  if (!value.empty()) out[key] = value;
}

json step_json(const CompiledStep& step) {
  json out = json::object();
  put(out, "name", step.name);
  put(out, "uses", step.uses);
  put(out, "with", step.with);
  put(out, "runs", step.runs);
  put(out, "if", step.if_condition);
  put(out, "working-directory", step.working_directory);
  put(out, "environment", step.environment);
  put(out, "label", step.label);
  if (step.required_steps) out["assertions"] = {{"required-steps", *step.required_steps}};
  if (!step.pipeline.empty()) {
    json children = json::array();
    for (const auto& child : step.pipeline) children.push_back(step_json(child));
    out["pipeline"] = children;
  }
  if (!step.enabled) out["enabled"] = false;  // lupine: the condition is false, the step is skipped
  return out;
}

json steps_json(const std::vector<CompiledStep>& steps) {
  json out = json::array();
  for (const auto& step : steps) out.push_back(step_json(step));
  return out;
}

json environment_json(const builder::CompiledEnvironment& environment) {
  json contents = json::object();
  put(contents, "repositories", environment.repositories);
  put(contents, "keyring", environment.keyring);
  put(contents, "packages", environment.packages);
  json accounts = json::object();
  put(accounts, "run-as", environment.accounts.run_as);
  for (const auto& user : environment.accounts.users) {
    json u = {{"username", user.username}, {"uid", user.uid}};
    if (user.gid) u["gid"] = *user.gid;
    put(u, "shell", user.shell);
    put(u, "homedir", user.homedir);
    accounts["users"].push_back(u);
  }
  for (const auto& group : environment.accounts.groups) {
    json g = {{"groupname", group.groupname}, {"gid", group.gid}};
    put(g, "members", group.members);
    accounts["groups"].push_back(g);
  }
  json out = {{"contents", contents}, {"accounts", accounts}};
  put(out, "environment", environment.environment);
  return out;
}

json test_json(const CompiledTest& test) {
  return {{"environment", environment_json(test.environment)}, {"pipeline", steps_json(test.pipeline)}};
}

json package_fields_json(const CompiledPackage& package) {
  json out = json::object();
  json deps = json::object();
  put(deps, "runtime", package.dependencies.runtime);
  put(deps, "provides", package.dependencies.provides);
  put(deps, "replaces", package.dependencies.replaces);
  put(deps, "provider-priority", package.dependencies.provider_priority);
  put(deps, "replaces-priority", package.dependencies.replaces_priority);
  out["dependencies"] = deps;
  json options = json::object();
  if (package.no_provides) options["no-provides"] = true;
  if (package.no_depends) options["no-depends"] = true;
  if (package.no_commands) options["no-commands"] = true;
  if (package.no_versioned_shlib_deps) options["no-versioned-shlib-deps"] = true;
  if (!options.empty()) out["options"] = options;
  json scriptlets = json::object();
  put(scriptlets, "pre-install", package.scriptlets.pre_install);
  put(scriptlets, "post-install", package.scriptlets.post_install);
  put(scriptlets, "pre-deinstall", package.scriptlets.pre_deinstall);
  put(scriptlets, "post-deinstall", package.scriptlets.post_deinstall);
  put(scriptlets, "pre-upgrade", package.scriptlets.pre_upgrade);
  put(scriptlets, "post-upgrade", package.scriptlets.post_upgrade);
  if (!package.scriptlets.trigger_script.empty())
    scriptlets["trigger"] = {{"script", package.scriptlets.trigger_script}, {"paths", package.scriptlets.trigger_paths}};
  if (!scriptlets.empty()) out["scriptlets"] = scriptlets;
  out["checks"] = json::object();
  put(out["checks"], "disabled", package.checks_disabled);
  put(out, "description", package.description);
  put(out, "url", package.url);
  put(out, "commit", package.commit);
  put(out, "annotations", package.annotations);
  for (const auto& cap : package.setcap)
    out["setcap"].push_back({{"path", cap.path}, {"add", cap.add}, {"reason", cap.reason}});
  return out;
}

json plan_json(const BuildPlan& plan) {
  const builder::Package& recipe_package = plan.recipe.package;
  json package = package_fields_json(plan.package);
  package["name"] = plan.package.name;
  package["version"] = plan.version;
  package["epoch"] = plan.epoch;
  std::vector<std::string> targets;
  for (const auto& t : recipe_package.target_architecture) targets.push_back(t.value);
  put(package, "target-architecture", targets);
  for (const auto& copyright : recipe_package.copyright) {
    json c = {{"license", copyright.license.value}};
    std::vector<std::string> paths;
    for (const auto& p : copyright.paths) paths.push_back(p.value);
    put(c, "paths", paths);
    put(c, "attestation", copyright.attestation.value);
    put(c, "license-path", copyright.license_path.value);
    put(c, "detection-override", copyright.detection_override.value);
    package["copyright"].push_back(c);
  }
  const auto& resources = recipe_package.resources;
  if (resources.set) {
    json r = json::object();
    put(r, "cpu", resources.cpu.value);
    put(r, "cpumodel", resources.cpumodel.value);
    put(r, "memory", resources.memory.value);
    put(r, "disk", resources.disk.value);
    package["resources"] = r;
  }

  json out;
  out["package"] = package;
  out["environment"] = environment_json(plan.environment);
  json capabilities = json::object();
  put(capabilities, "add", plan.capabilities_add);
  put(capabilities, "drop", plan.capabilities_drop);
  out["capabilities"] = capabilities;
  out["pipeline"] = steps_json(plan.package.pipeline);
  json subpackages = json::array();
  for (const auto& sub : plan.subpackages) {
    json s = package_fields_json(sub);
    s["name"] = sub.name;
    put(s, "if", sub.if_condition);
    s["pipeline"] = steps_json(sub.pipeline);
    if (sub.test) s["test"] = test_json(*sub.test);
    if (!sub.enabled) s["enabled"] = false;
    subpackages.push_back(s);
  }
  if (!subpackages.empty()) out["subpackages"] = subpackages;
  put(out, "vars", plan.vars);
  if (plan.package.test) out["test"] = test_json(*plan.package.test);
  out["lupine"] = {{"arch", plan.arch.apk},
                   {"arch-supported", plan.arch_supported},
                   {"full-version", plan.full_version()},
                   {"build-options", plan.build_options}};
  return out;
}

// ---- text ----

void print_block(std::string& out, std::string_view indent, std::string_view text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    out += fmt::format("{}| {}\n", indent, text.substr(start, end - start));
    start = end + 1;
  }
}

void print_steps(std::string& out, const std::vector<CompiledStep>& steps, const std::string& prefix, int depth) {
  std::string indent(static_cast<size_t>(2 + depth * 2), ' ');
  for (size_t i = 0; i < steps.size(); ++i) {
    const CompiledStep& step = steps[i];
    std::string number = prefix.empty() ? std::to_string(i + 1) : prefix + "." + std::to_string(i + 1);
    out += fmt::format("{}[{}] {}", indent, number, step.display_name());
    if (!step.uses.empty() && step.uses != step.display_name()) out += fmt::format(" (uses {})", step.uses);
    if (!step.enabled) out += "  -- skipped";
    out += '\n';
    std::string detail = indent + "    ";
    if (!step.if_condition.empty()) out += fmt::format("{}if: {}\n", detail, step.if_condition);
    if (!step.runs.empty()) {
      out += fmt::format("{}workdir: {}\n", detail, step.workdir());
      for (const auto& [key, value] : step.environment) out += fmt::format("{}env: {}={}\n", detail, key, value);
      print_block(out, detail, step.runs);
    }
    print_steps(out, step.pipeline, number, depth + 1);
  }
}

void print_environment(std::string& out, const builder::CompiledEnvironment& environment, std::string_view indent) {
  out += fmt::format("{}packages: {}\n", indent, fmt::join(environment.packages, " "));
  if (!environment.repositories.empty())
    out += fmt::format("{}repositories: {}\n", indent, fmt::join(environment.repositories, " "));
  for (const auto& [key, value] : environment.environment) out += fmt::format("{}env: {}={}\n", indent, key, value);
}

std::string plan_text(const BuildPlan& plan) {
  std::string out = fmt::format("{} {} for {}{}\n", plan.package.name, plan.full_version(), plan.arch.apk,
                                plan.arch_supported ? "" : " (not in target-architecture: melange skips this build)");
  out += "build environment:\n";
  print_environment(out, plan.environment, "  ");
  out += fmt::format("package {}:\n", plan.package.name);
  print_steps(out, plan.package.pipeline, "", 0);
  for (const auto& sub : plan.subpackages) {
    out += fmt::format("subpackage {}:{}\n", sub.name, sub.enabled ? "" : fmt::format("  -- skipped ({})", sub.if_condition));
    print_steps(out, sub.pipeline, "", 0);
  }
  auto print_test = [&](const std::string& name, const std::optional<CompiledTest>& test) {
    if (!test) return;
    out += fmt::format("test {}:\n", name);
    print_environment(out, test->environment, "  ");
    print_steps(out, test->pipeline, "", 0);
  };
  print_test(plan.package.name, plan.package.test);
  for (const auto& sub : plan.subpackages) print_test(sub.name, sub.test);
  return out;
}

void print_timing(std::vector<std::pair<double, std::string>> times, double total) {
  if (times.empty()) return;
  std::sort(times.begin(), times.end());
  auto at = [&](double q) { return times[std::min(times.size() - 1, static_cast<size_t>(q * static_cast<double>(times.size())))].first; };
  fmt::print(stderr, "compiled {} recipes in {:.3f} s: median {:.2f} ms, p90 {:.2f} ms, max {:.2f} ms ({})\n",
             times.size(), total, at(0.5) * 1e3, at(0.9) * 1e3, times.back().first * 1e3, times.back().second);
}

void run(const CompileArgs& args) {
  std::vector<std::filesystem::path> dirs(args.pipeline_dirs.begin(), args.pipeline_dirs.end());
  builder::PipelineLibrary library(builder::PipelineLibrary::search_path_with_builtin(dirs));
  builder::CompileOptions options;
  options.arch = args.arch;
  options.build_options = args.build_options;
  options.libc_flavor = args.libc_flavor;

  size_t failed = 0;
  std::vector<std::pair<double, std::string>> times;
  auto begin = std::chrono::steady_clock::now();
  for (const std::string& path : args.recipes) {
    auto start = std::chrono::steady_clock::now();
    Diagnostics diagnostics;
    auto plan = builder::compile_recipe_file(path, library, options, diagnostics);
    times.emplace_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), path);
    if (!diagnostics.empty()) fmt::print(stderr, "{}", diagnostics.str());
    if (diagnostics.has_errors()) {
      ++failed;
      continue;
    }
    if (args.check || !plan) continue;
    if (args.json) fmt::print("{}\n", plan_json(*plan).dump(2));
    else if (args.yaml) fmt::print("{}{}", &path == &args.recipes.front() ? "" : "---\n", builder::compiled_recipe_yaml(*plan));
    else fmt::print("{}", plan_text(*plan));
  }
  double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  if (args.timing) print_timing(times, total);
  if (args.recipes.size() > 1 && (args.check || failed))
    fmt::print(stderr, "{} of {} recipes compiled, {} failed\n", args.recipes.size() - failed, args.recipes.size(), failed);
  if (failed) throw Exit{1};
}

void setup(Command& parent) {
  auto args = std::make_shared<CompileArgs>();
  auto* command = parent.add_subcommand("compile", "Resolve recipes into build plans (as melange compile)");
  command->add_option("RECIPE", args->recipes, "melange recipe(s) (YAML)")->required();
  command->add_option("--pipeline-dir", args->pipeline_dirs,
                      "Directory of `uses:` pipelines, searched before the built-in library (repeatable)");
  command->add_option("--arch", args->arch, "Architecture to compile for (default: the host's)");
  command->add_option("--build-option", args->build_options, "Enable the recipe's options.<NAME> (repeatable)");
  command->add_option("--override-host-triplet-libc-substitution-flavor", args->libc_flavor,
                      "libc flavor of ${{host.triplet.*}} (gnu, musl)")
      ->capture_default_str();
  auto* json = command->add_flag("--json", args->json, "Print the plan as JSON (melange compile's keys)");
  command->add_flag("--yaml", args->yaml, "Print the compiled recipe as a recipe, as a package embeds it (.melange.yaml)")
      ->excludes(json);
  command->add_flag("--check", args->check, "Only report errors; print no plan");
  command->add_flag("--timing", args->timing, "Print compile times to stderr")->group("");
  command->callback([args] { run(*args); });
}

LUPINE_COMMAND(100, setup);

}  // namespace
}  // namespace lupine::cli
