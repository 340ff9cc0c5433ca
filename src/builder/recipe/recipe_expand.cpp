#include "builder/recipe/recipe_expand.h"

#include "builder/recipe/substitution.h"
#include "builder/recipe/var_transforms.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

namespace lupine::builder {

namespace {

using TextVisitor = std::function<void(Text&)>;

// ---- walking the fields melange's replacer covers (config.go replace*) ----

void visit_all(std::vector<Text>& texts, const TextVisitor& visit) {
  for (Text& text : texts) visit(text);
}

void visit_values(TextMap& map, const TextVisitor& visit) {
  for (auto& entry : map.entries) visit(entry.second);
}

void visit_dependencies(Dependencies& deps, const TextVisitor& visit) {
  visit_all(deps.runtime, visit);
  visit_all(deps.provides, visit);
  visit_all(deps.replaces, visit);
  visit(deps.provider_priority);
  visit(deps.replaces_priority);
}

void visit_scriptlets(Scriptlets& scriptlets, const TextVisitor& visit) {
  visit(scriptlets.trigger.script);
  visit_all(scriptlets.trigger.paths, visit);
  for (Text* text : {&scriptlets.pre_install, &scriptlets.post_install, &scriptlets.pre_deinstall,
                     &scriptlets.post_deinstall, &scriptlets.pre_upgrade, &scriptlets.post_upgrade})
    visit(*text);
}

void visit_steps(std::vector<Step>& steps, const TextVisitor& visit) {
  for (Step& step : steps) {
    visit(step.name);
    visit_values(step.with, visit);
    visit(step.runs);
    visit_steps(step.pipeline, visit);
    visit_all(step.needs, visit);
    visit(step.if_condition);
    visit(step.working_directory);
    visit_values(step.environment, visit);
  }
}

void visit_image(ImageConfiguration& image, const TextVisitor& visit) {
  visit_all(image.contents.build_repositories, visit);
  visit_all(image.contents.repositories, visit);
  visit_all(image.contents.keyring, visit);
  visit_all(image.contents.packages, visit);
  visit(image.entrypoint.command);
  visit(image.entrypoint.shell_fragment);
  visit_values(image.entrypoint.services, visit);
  visit(image.cmd);
  visit(image.stop_signal);
  visit(image.work_dir);
  visit_values(image.environment, visit);
  visit(image.vcs_url);
  visit_values(image.annotations, visit);
  visit_all(image.volumes, visit);
}

void visit_test(std::optional<Test>& test, const TextVisitor& visit) {
  if (!test) return;
  visit_image(test->environment, visit);
  visit_steps(test->pipeline, visit);
}

void visit_package(Package& package, const TextVisitor& visit) {
  visit(package.name);
  visit(package.version);
  visit(package.description);
  visit_values(package.annotations, visit);
  visit(package.url);
  visit_all(package.target_architecture, visit);
  for (Copyright& copyright : package.copyright) {
    visit_all(copyright.paths, visit);
    visit(copyright.license);
    visit(copyright.license_path);
  }
  visit_dependencies(package.dependencies, visit);
  visit_scriptlets(package.scriptlets, visit);
}

void visit_subpackage(Subpackage& sub, const TextVisitor& visit) {
  visit(sub.if_condition);
  visit(sub.name);
  visit_steps(sub.pipeline, visit);
  visit_dependencies(sub.dependencies, visit);
  visit_scriptlets(sub.scriptlets, visit);
  visit(sub.description);
  visit_values(sub.annotations, visit);
  visit(sub.url);
  visit_test(sub.test, visit);
}

void visit_update(Update& update, const TextVisitor& visit) {
  visit(update.release_monitor.version_filter_contains);
  visit(update.release_monitor.version_filter_prefix);
  visit(update.github.identifier);
  visit(update.github.tag_filter);
  visit(update.github.tag_filter_prefix);
  visit(update.github.tag_filter_contains);
  visit(update.git.tag_filter_prefix);
  visit(update.git.tag_filter_contains);
}

// ---- the parse-time variables ----

class ParseTimeVariables {
 public:
  explicit ParseTimeVariables(const Recipe& recipe) {
    const Package& p = recipe.package;
    scope_.set("package.name", p.name.value);
    scope_.set("package.version", p.version.value);
    scope_.set("package.description", p.description.value);
    scope_.set("package.epoch", std::to_string(p.epoch.value));
    scope_.set("package.full-version", fmt::format("{}-r{}", p.version.value, p.epoch.value));
    for (const auto& [key, value] : recipe.vars.entries) scope_.set("vars." + key.value, value.value);
  }

  VariableScope& scope() { return scope_; }

 private:
  VariableScope scope_;
};

void apply_build_options(Recipe& recipe, const std::vector<std::string>& enabled, Diagnostics& diagnostics) {
  for (const std::string& name : enabled) {
    auto option = std::find_if(recipe.options.begin(), recipe.options.end(),
                               [&](const BuildOption& o) { return o.name.value == name; });
    if (option == recipe.options.end()) {
      diagnostics.warning(recipe.package.where, fmt::format("build option \"{}\" is not defined in the recipe", name));
      continue;
    }
    for (const auto& [key, value] : option->vars.entries) recipe.vars.put(key, value);
    auto& packages = recipe.environment.contents.packages;
    packages.insert(packages.end(), option->add_packages.begin(), option->add_packages.end());
    for (const Text& remove : option->remove_packages)
      std::erase_if(packages, [&](const Text& p) { return p.value == remove.value; });
  }
}

// var-transforms, in order: `from` is substituted strictly (package.* and vars.* so far), the Go
// regexp replacement applied, and the result stored as vars.<to> for the transforms after it.
void apply_var_transforms(Recipe& recipe, ParseTimeVariables& variables, Diagnostics& diagnostics) {
  for (const VarTransform& transform : recipe.var_transforms) {
    if (transform.to.value.empty()) {
      diagnostics.error(transform.where, "var-transform has no `to` (the variable to create)");
      continue;
    }
    std::vector<SubstitutionError> errors;
    std::string from = substitute(transform.from.value, variables.scope().lookup(), errors);
    for (const auto& e : errors)
      diagnostics.error(locate_reference(transform.from, e.name), fmt::format("var-transform from: {}", e.message));
    std::string error;
    auto regex = GoRegexp::compile(transform.match.value, error);
    if (!regex) {
      diagnostics.error(transform.match.where,
                        fmt::format("var-transform match \"{}\" is not a supported regular expression: {}",
                                    transform.match.value, error));
      continue;
    }
    if (!errors.empty()) continue;
    std::string result = regex->replace_all(from, transform.replace.value);
    Text key{transform.to.value, transform.to.where, true};
    recipe.vars.put(key, Text{result, transform.where, true});
    variables.scope().set("vars." + transform.to.value, result);
  }
}

void expand_ranges(Recipe& recipe, ParseTimeVariables& variables, Diagnostics& diagnostics) {
  std::vector<Subpackage> expanded;
  expanded.reserve(recipe.subpackages.size());
  for (Subpackage& sub : recipe.subpackages) {
    if (sub.range.value.empty()) {
      expanded.push_back(std::move(sub));
      continue;
    }
    auto data = std::find_if(recipe.data.begin(), recipe.data.end(),
                             [&](const DataEntry& d) { return d.name.value == sub.range.value; });
    if (data == recipe.data.end()) {
      diagnostics.error(sub.range.where, fmt::format("subpackage \"{}\" uses undefined range \"{}\" (no data entry "
                                                     "of that name)",
                                                     sub.name.value, sub.range.value));
      continue;
    }
    std::vector<const std::pair<Text, Text>*> items;
    for (const auto& item : data->items.entries) items.push_back(&item);
    std::sort(items.begin(), items.end(), [](auto* a, auto* b) { return a->first.value < b->first.value; });
    for (const auto* item : items) {
      VariableScope range_scope(&variables.scope());
      range_scope.set("range.key", item->first.value);
      range_scope.set("range.value", item->second.value);
      Subpackage clone = sub;
      auto lookup = range_scope.lookup();
      visit_subpackage(clone, [&](Text& text) {
        if (has_variable_reference(text.value)) text.value = substitute_lenient(text.value, lookup);
      });
      expanded.push_back(std::move(clone));
    }
  }
  recipe.subpackages = std::move(expanded);
}

// melange applySubstitutionsFor{Provides,Runtime,Replaces,Packages,Priorities}: strict, so a
// reference the parse-time pass could not resolve is an error here.
void check_strict_fields(Recipe& recipe, ParseTimeVariables& variables, Diagnostics& diagnostics) {
  auto lookup = variables.scope().lookup();
  auto strict = [&](Text& text) {
    if (!has_variable_reference(text.value)) return;
    std::vector<SubstitutionError> errors;
    std::string result = substitute(text.value, lookup, errors);
    for (const auto& e : errors)
      diagnostics.error(locate_reference(text, e.name),
                        fmt::format("{} (only package.* and vars.* can be used here)", e.message));
    if (errors.empty()) text.value = std::move(result);
  };
  auto dependencies = [&](Dependencies& deps) {
    visit_all(deps.runtime, strict);
    visit_all(deps.provides, strict);
    visit_all(deps.replaces, strict);
    strict(deps.provider_priority);
    strict(deps.replaces_priority);
  };
  dependencies(recipe.package.dependencies);
  visit_all(recipe.environment.contents.packages, strict);
  if (recipe.test) visit_all(recipe.test->environment.contents.packages, strict);
  for (Subpackage& sub : recipe.subpackages) {
    dependencies(sub.dependencies);
    if (sub.test) visit_all(sub.test->environment.contents.packages, strict);
  }
}

Text synthesized(std::string value, const Location& where) { return Text{std::move(value), where, true}; }

// melange adds the build group (gid 1000, member build) and user (uid/gid 1000) when absent.
void add_build_account(Accounts& accounts, const Location& where) {
  bool has_group = std::any_of(accounts.groups.begin(), accounts.groups.end(),
                               [](const Group& g) { return g.groupname.value == "build"; });
  if (!has_group) {
    Group group;
    group.groupname = synthesized("build", where);
    group.gid = {1000, where, true};
    group.members.push_back(synthesized("build", where));
    accounts.groups.push_back(std::move(group));
  }
  bool has_user = std::any_of(accounts.users.begin(), accounts.users.end(),
                              [](const User& u) { return u.username.value == "build"; });
  if (!has_user) {
    User user;
    user.username = synthesized("build", where);
    user.uid = {1000, where, true};
    user.gid = {1000, where, true};
    accounts.users.push_back(std::move(user));
  }
}

void add_defaults(Recipe& recipe) {
  const Location& where = recipe.environment.where.known() ? recipe.environment.where : recipe.package.where;
  add_build_account(recipe.environment.accounts, where);
  if (recipe.test) add_build_account(recipe.test->environment.accounts, where);
  for (Subpackage& sub : recipe.subpackages)
    if (sub.test && !sub.test->pipeline.empty()) add_build_account(sub.test->environment.accounts, where);

  // config.go: setIfEmpty for the cache locations melange mounts at /var/cache/melange.
  static constexpr std::pair<const char*, const char*> defaults[] = {
      {"HOME", "/home/build"},
      {"GOPATH", "/home/build/.cache/go"},
      {"GOMODCACHE", "/var/cache/melange/gomodcache"},
      {"UV_CACHE_DIR", "/var/cache/melange/uv"},
      {"PIP_CACHE_DIR", "/var/cache/melange/pip"},
      {"COMPOSER_CACHE_DIR", "/var/cache/melange/composer"},
      {"npm_config_cache", "/var/cache/melange/npm"},
  };
  for (const auto& [name, value] : defaults) {
    const Text* existing = recipe.environment.environment.find(name);
    if (!existing || existing->value.empty())
      recipe.environment.environment.put(synthesized(name, where), synthesized(value, where));
  }
}

}  // namespace

Recipe expand_recipe(const Recipe& input, const std::vector<std::string>& build_options, Diagnostics& diagnostics) {
  Recipe recipe = input;
  apply_build_options(recipe, build_options, diagnostics);

  ParseTimeVariables variables(recipe);
  apply_var_transforms(recipe, variables, diagnostics);

  auto lookup = variables.scope().lookup();
  TextVisitor lenient = [&](Text& text) {
    if (has_variable_reference(text.value)) text.value = substitute_lenient(text.value, lookup);
  };
  visit_package(recipe.package, lenient);
  visit_steps(recipe.pipeline, lenient);
  expand_ranges(recipe, variables, diagnostics);
  for (Subpackage& sub : recipe.subpackages) visit_subpackage(sub, lenient);
  visit_image(recipe.environment, lenient);
  visit_test(recipe.test, lenient);
  visit_update(recipe.update, lenient);

  check_strict_fields(recipe, variables, diagnostics);
  add_defaults(recipe);
  return recipe;
}

}  // namespace lupine::builder
