// Compiling a recipe (melange pkg/build/compile.go Build.Compile, pipeline.go NewSubstitutionMap):
// the parse-time expansion, then the compile-time variables per package, then every pipeline.
#include "builder/recipe/compile.h"

#include "builder/recipe/compile_steps.h"
#include "builder/recipe/condition.h"
#include "builder/recipe/recipe_reader.h"
#include "common/yaml.h"
#include "builder/recipe/recipe_expand.h"
#include "builder/recipe/recipe_validate.h"
#include "builder/recipe/substitution.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace lupine::builder {

std::string CompiledStep::display_name() const {
  if (!name.empty()) return name;
  if (!uses.empty()) return uses;
  return "???";
}

std::string CompiledStep::workdir() const {
  if (working_directory.empty()) return kWorkspaceDir;
  if (working_directory.front() == '/') return working_directory;
  std::string relative = working_directory;
  while (relative.starts_with("./")) relative.erase(0, 2);
  while (relative.size() > 1 && relative.back() == '/') relative.pop_back();
  if (relative.empty() || relative == ".") return kWorkspaceDir;
  return std::string(kWorkspaceDir) + "/" + relative;
}

std::map<std::string, std::string> effective_environment(const CompiledEnvironment& environment,
                                                         const CompiledStep& step) {
  std::map<std::string, std::string> out = environment.environment;
  out["PATH"] = kStepPath;
  for (const auto& [key, value] : step.environment) out[key] = value;
  return out;
}

namespace {

using detail::StepCompiler;

// The compile-time variables every pipeline of the recipe sees (melange NewSubstitutionMap).
// Variable values are resolved here, recursively: melange's MutateWith substitutes map values once
// before each step, which is what lets a var-transform result hold a ${{host.triplet.gnu}}.
class BaseVariables {
 public:
  BaseVariables(const Recipe& recipe, const apk::Arch& arch, const CompileOptions& options, Diagnostics& diagnostics)
      : recipe_(recipe), diagnostics_(diagnostics) {
    const Package& p = recipe.package;
    std::string destdir = std::string(kOutputDir) + "/" + p.name.value;
    builtins_.set("package.name", p.name.value);
    builtins_.set("package.version", p.version.value);
    builtins_.set("package.epoch", std::to_string(p.epoch.value));
    builtins_.set("package.full-version", fmt::format("{}-r{}", p.version.value, p.epoch.value));
    builtins_.set("package.srcdir", kWorkspaceDir);
    builtins_.set("targets.outdir", kOutputDir);
    builtins_.set("targets.destdir", destdir);
    builtins_.set("targets.contextdir", destdir);
    builtins_.set("context.name", p.name.value);
    builtins_.set("host.triplet.gnu", arch.gnu_triplet(options.libc_flavor));
    builtins_.set("host.triplet.rust", arch.rust_triplet(options.libc_flavor));
    builtins_.set("cross.triplet.gnu.glibc", arch.gnu_triplet("gnu"));
    builtins_.set("cross.triplet.gnu.musl", arch.gnu_triplet("musl"));
    builtins_.set("cross.triplet.rust.glibc", arch.rust_triplet("gnu"));
    builtins_.set("cross.triplet.rust.musl", arch.rust_triplet("musl"));
    builtins_.set("build.arch", arch.apk);
    builtins_.set("build.goarch", arch.go);
    builtins_.set("targets.package." + p.name.value, destdir);
    for (const Subpackage& sub : recipe.subpackages)
      builtins_.set("targets.package." + sub.name.value, std::string(kOutputDir) + "/" + sub.name.value);
    for (const BuildOption& option : recipe.options) builtins_.set("options." + option.name.value + ".enabled", "false");
    for (const std::string& name : options.build_options) builtins_.set("options." + name + ".enabled", "true");

    for (const auto& [key, value] : recipe.vars.entries) vars_.set("vars." + key.value, value.value);  // for hints
    for (const auto& [key, value] : recipe.vars.entries) resolve_var(key.value);
    for (const auto& [name, value] : resolved_) vars_.set("vars." + name, value);
  }

  const VariableScope& scope() const { return vars_; }
  const std::map<std::string, std::string>& vars() const { return resolved_; }

 private:
  const std::string& resolve_var(const std::string& name) {
    if (auto done = resolved_.find(name); done != resolved_.end()) return done->second;
    const Text* text = recipe_.vars.find(name);
    if (resolving_.count(name)) {
      diagnostics_.error(text->where, fmt::format("vars.{} refers to itself", name));
      return resolved_[name];
    }
    resolving_.insert(name);
    std::vector<SubstitutionError> errors;
    VariableLookup lookup = [&](std::string_view variable) -> const std::string* {
      if (variable.starts_with("vars.")) {
        std::string other(variable.substr(5));
        if (recipe_.vars.find(other)) return &resolve_var(other);
      }
      return builtins_.find(variable);
    };
    std::string value = substitute(text->value, lookup, errors);
    for (const auto& e : errors)
      diagnostics_.error(locate_reference(*text, e.name), fmt::format("vars.{}: {}", name, describe(e, vars_)));
    resolving_.erase(name);
    return resolved_[name] = std::move(value);
  }

  const Recipe& recipe_;
  Diagnostics& diagnostics_;
  VariableScope builtins_;
  VariableScope vars_{&builtins_};
  std::map<std::string, std::string> resolved_;
  std::set<std::string> resolving_;
};

// melange SubstitutionMap.Subpackage: the subpackage's name and directories.
void set_subpackage_variables(VariableScope& scope, const std::string& name) {
  std::string dir = std::string(kOutputDir) + "/" + name;
  scope.set("subpkg.name", name);
  scope.set("context.name", name);
  scope.set("targets.subpkgdir", dir);
  scope.set("targets.contextdir", dir);
}

std::vector<std::string> values(const std::vector<Text>& texts) {
  std::vector<std::string> out;
  out.reserve(texts.size());
  for (const Text& text : texts) out.push_back(text.value);
  return out;
}

std::map<std::string, std::string> values(const TextMap& map) {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : map.entries) out[key.value] = value.value;
  return out;
}

void append_unique(std::vector<std::string>& list, const std::vector<std::string>& more) {
  for (const std::string& item : more)
    if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

void sort_unique(std::vector<std::string>& list) {
  std::sort(list.begin(), list.end());
  list.erase(std::unique(list.begin(), list.end()), list.end());
}

CompiledAccounts compile_accounts(const Accounts& accounts) {
  CompiledAccounts out;
  out.run_as = accounts.run_as.value;
  for (const User& user : accounts.users) {
    CompiledAccounts::User u{user.username.value, user.uid.value, std::nullopt, user.shell.value, user.homedir.value};
    if (user.gid.set) u.gid = user.gid.value;
    out.users.push_back(std::move(u));
  }
  for (const Group& group : accounts.groups)
    out.groups.push_back({group.groupname.value, group.gid.value, values(group.members)});
  return out;
}

// The environment variables, substituted strictly (melange leaves them as the parse-time pass did).
std::map<std::string, std::string> compile_variables(const TextMap& environment, const VariableScope& scope,
                                                     Diagnostics& diagnostics) {
  std::map<std::string, std::string> out;
  auto lookup = scope.lookup();
  for (const auto& [key, value] : environment.entries) {
    std::vector<SubstitutionError> errors;
    out[key.value] = substitute(value.value, lookup, errors);
    for (const auto& e : errors)
      diagnostics.error(locate_reference(value, e.name), fmt::format("environment {}: {}", key.value, describe(e, scope)));
  }
  return out;
}

CompiledEnvironment compile_environment(const ImageConfiguration& image, const VariableScope& scope,
                                        Diagnostics& diagnostics) {
  CompiledEnvironment out;
  append_unique(out.packages, values(image.contents.packages));
  out.repositories = values(image.contents.repositories);
  append_unique(out.repositories, values(image.contents.build_repositories));
  out.keyring = values(image.contents.keyring);
  out.environment = compile_variables(image.environment, scope, diagnostics);
  out.accounts = compile_accounts(image.accounts);
  return out;
}

std::optional<CompiledTest> compile_test(const std::optional<Test>& test, const std::string& package_name,
                                         const VariableScope& scope, StepCompiler& compiler, Diagnostics& diagnostics) {
  if (!test) return std::nullopt;
  CompiledTest out;
  out.environment = compile_environment(test->environment, scope, diagnostics);
  std::vector<std::string> needs;
  out.pipeline = compiler.compile(test->pipeline, scope, needs);
  // melange Compile: the test's packages, plus what its steps need, plus the package under test,
  // sorted and deduplicated.
  out.environment.packages.insert(out.environment.packages.end(), needs.begin(), needs.end());
  out.environment.packages.push_back(package_name);
  sort_unique(out.environment.packages);
  return out;
}

CompiledDependencies compile_dependencies(const Dependencies& deps) {
  return {values(deps.runtime), values(deps.provides), values(deps.replaces), deps.provider_priority.value,
          deps.replaces_priority.value};
}

CompiledScriptlets compile_scriptlets(const Scriptlets& s) {
  return {s.trigger.script.value, values(s.trigger.paths), s.pre_install.value, s.post_install.value,
          s.pre_deinstall.value, s.post_deinstall.value, s.pre_upgrade.value, s.post_upgrade.value};
}

std::vector<CompiledSetCap> compile_setcap(const std::vector<SetCap>& setcap) {
  std::vector<CompiledSetCap> out;
  for (const SetCap& cap : setcap) out.push_back({cap.path.value, values(cap.add), cap.reason.value});
  return out;
}

void fill_options(CompiledPackage& out, const PackageOptions& options) {
  out.no_provides = options.no_provides.value;
  out.no_depends = options.no_depends.value;
  out.no_commands = options.no_commands.value;
  out.no_versioned_shlib_deps = options.no_versioned_shlib_deps.value;
}

apk::Arch resolve_arch(const Recipe& recipe, const CompileOptions& options, bool& supported, Diagnostics& diagnostics) {
  std::string wanted = options.arch.empty() ? apk::host_apk_arch() : options.arch;
  auto arch = apk::parse_arch(wanted);
  if (!arch) {
    diagnostics.error(recipe.package.where, fmt::format("unknown architecture \"{}\"", wanted));
    arch = apk::parse_arch("x86_64");
  }
  const auto& targets = recipe.package.target_architecture;
  supported = true;
  if (!targets.empty() && !(targets.size() == 1 && targets[0].value == "all")) {
    supported = std::any_of(targets.begin(), targets.end(), [&](const Text& t) {
      auto target = apk::parse_arch(t.value);
      return target && target->apk == arch->apk;
    });
  }
  return *arch;
}

// --vars-file and --env-file, merged before anything is substituted (melange ParseConfiguration).
Recipe with_overrides(const Recipe& recipe, const CompileOptions& options) {
  Recipe merged = recipe;
  const Location& where = recipe.package.where;
  for (const auto& [key, value] : options.vars) merged.vars.put(Text{key, where, true}, Text{value, where, true});
  for (const auto& [key, value] : options.environment)
    if (!merged.environment.environment.find(key))
      merged.environment.environment.put(Text{key, where, true}, Text{value, where, true});
  return merged;
}

}  // namespace

BuildPlan compile_recipe(const Recipe& input, const PipelineLibrary& library, const CompileOptions& options,
                         Diagnostics& diagnostics) {
  std::optional<Recipe> merged;
  if (!options.vars.empty() || !options.environment.empty()) merged = with_overrides(input, options);
  const Recipe& recipe = merged ? *merged : input;
  BuildPlan plan;
  plan.arch = resolve_arch(recipe, options, plan.arch_supported, diagnostics);
  plan.build_options = options.build_options;
  plan.recipe = expand_recipe(recipe, options.build_options, diagnostics);
  const Recipe& expanded = plan.recipe;
  validate_recipe(expanded, diagnostics);

  plan.version = expanded.package.version.value;
  plan.epoch = expanded.package.epoch.value;
  BaseVariables base(expanded, plan.arch, options, diagnostics);
  plan.vars = base.vars();
  StepCompiler compiler(library, diagnostics);

  std::vector<std::string> needs;
  const Package& package = expanded.package;
  CompiledPackage& main = plan.package;
  main.name = package.name.value;
  main.description = package.description.value;
  main.url = package.url.value;
  main.commit = package.commit.value;
  main.annotations = values(package.annotations);
  main.dependencies = compile_dependencies(package.dependencies);
  fill_options(main, package.options);
  main.scriptlets = compile_scriptlets(package.scriptlets);
  main.checks_disabled = values(package.checks.disabled);
  main.setcap = compile_setcap(package.setcap);
  main.pipeline = compiler.compile(expanded.pipeline, base.scope(), needs);

  for (const Subpackage& sub : expanded.subpackages) {
    VariableScope scope(&base.scope());
    set_subpackage_variables(scope, sub.name.value);
    CompiledPackage out;
    out.name = sub.name.value;
    if (!sub.if_condition.value.empty()) {
      std::vector<SubstitutionError> errors;
      out.if_condition = substitute_quoted(sub.if_condition.value, scope.lookup(), errors);
      for (const auto& e : errors)
        diagnostics.error(locate_reference(sub.if_condition, e.name), fmt::format("if: {}", describe(e, scope)));
      ConditionResult result = evaluate_condition(out.if_condition);
      if (result.error)
        diagnostics.error(sub.if_condition.where,
                          fmt::format("if: cannot evaluate \"{}\" (after substitution: {}): {}",
                                      sub.if_condition.value, out.if_condition, *result.error) +
                 condition_hint(source_rest_of_line(sub.if_condition.where)));
      out.enabled = result.value && errors.empty();
    }
    out.description = sub.description.value;
    out.url = sub.url.value;
    out.commit = sub.commit.value.empty() ? package.commit.value : sub.commit.value;
    out.annotations = values(sub.annotations);
    out.dependencies = compile_dependencies(sub.dependencies);
    fill_options(out, sub.options);
    out.scriptlets = compile_scriptlets(sub.scriptlets);
    out.checks_disabled = values(sub.checks.disabled);
    out.setcap = compile_setcap(sub.setcap);
    // melange gathers the needs of every subpackage's steps into the build environment, even of a
    // subpackage whose `if` is false (the filter runs after Compile).
    out.pipeline = compiler.compile(sub.pipeline, scope, needs);
    out.test = compile_test(sub.test, sub.name.value, scope, compiler, diagnostics);
    plan.subpackages.push_back(std::move(out));
  }

  plan.environment = compile_environment(expanded.environment, base.scope(), diagnostics);
  append_unique(plan.environment.packages, needs);
  main.test = compile_test(expanded.test, package.name.value, base.scope(), compiler, diagnostics);
  plan.capabilities_add = values(expanded.capabilities.add);
  plan.capabilities_drop = values(expanded.capabilities.drop);
  return plan;
}

std::optional<BuildPlan> compile_recipe_file(const std::string& path, const PipelineLibrary& library,
                                             const CompileOptions& options, Diagnostics& diagnostics) {
  std::shared_ptr<const SourceFile> source;
  try {
    source = read_source_file(path);
  } catch (const std::exception& e) {
    auto missing = std::make_shared<SourceFile>();
    missing->path = path;
    diagnostics.error(Location{missing, 0, 0, 0}, e.what());
    return std::nullopt;
  }
  Recipe recipe = read_recipe(source, diagnostics);
  return compile_recipe(recipe, library, options, diagnostics);
}

}  // namespace lupine::builder
