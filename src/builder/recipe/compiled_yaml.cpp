#include "builder/recipe/compiled_yaml.h"

#include <yaml-cpp/yaml.h>

namespace lupine::builder {

namespace {

void key_value(YAML::Emitter& out, const char* key, const std::string& value) {
  if (value.empty()) return;
  out << YAML::Key << key << YAML::Value;
  // Scripts keep their lines: a literal block, as melange writes them, where one holds the value
  // exactly (it keeps one final newline and cannot start with a space); else quoted with escapes.
  bool literal = value.size() > 1 && value.back() == '\n' && value[value.size() - 2] != '\n' &&
                 value.front() != ' ' && value.front() != '\n';
  if (literal)
    out << YAML::Literal << value;
  else
    out << YAML::DoubleQuoted << value;
}

void key_list(YAML::Emitter& out, const char* key, const std::vector<std::string>& values) {
  if (values.empty()) return;
  out << YAML::Key << key << YAML::Value << YAML::BeginSeq;
  for (const auto& value : values) out << YAML::DoubleQuoted << value;
  out << YAML::EndSeq;
}

void key_map(YAML::Emitter& out, const char* key, const std::map<std::string, std::string>& values) {
  if (values.empty()) return;
  out << YAML::Key << key << YAML::Value << YAML::BeginMap;
  for (const auto& [name, value] : values) out << YAML::Key << name << YAML::Value << YAML::DoubleQuoted << value;
  out << YAML::EndMap;
}

// What a step sets itself: its working directory and variables where they differ from what it
// inherits (`parent`), so that compiling the text merges them down to the same values again.
void emit_step(YAML::Emitter& out, const CompiledStep& step, const std::string& parent_workdir,
               const std::map<std::string, std::string>& parent_environment) {
  out << YAML::BeginMap;
  key_value(out, "name", step.name);
  // `uses` with `with` only where the nested steps are there to run: a pipeline whose own keys
  // were a script (`runs`) is written as that script.
  bool nested = !step.pipeline.empty();
  if (nested && !step.uses.empty()) {
    key_value(out, "uses", step.uses);
    key_map(out, "with", step.with);
  }
  if (step.working_directory != parent_workdir) {
    out << YAML::Key << "working-directory" << YAML::Value
        << YAML::DoubleQuoted << (step.working_directory.empty() ? std::string(kWorkspaceDir) : step.working_directory);
  }
  std::map<std::string, std::string> own;
  for (const auto& [name, value] : step.environment) {
    auto inherited = parent_environment.find(name);
    if (inherited == parent_environment.end() || inherited->second != value) own.emplace(name, value);
  }
  key_map(out, "environment", own);
  key_value(out, "runs", step.runs);
  if (step.required_steps) {
    out << YAML::Key << "assertions" << YAML::Value << YAML::BeginMap << YAML::Key << "required-steps"
        << YAML::Value << *step.required_steps << YAML::EndMap;
  }
  if (nested) {
    out << YAML::Key << "pipeline" << YAML::Value << YAML::BeginSeq;
    for (const auto& child : step.pipeline)
      if (child.enabled) emit_step(out, child, step.working_directory, step.environment);
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;
}

void emit_pipeline(YAML::Emitter& out, const std::vector<CompiledStep>& steps) {
  bool any = false;
  for (const auto& step : steps) any = any || step.enabled;
  if (!any) return;
  out << YAML::Key << "pipeline" << YAML::Value << YAML::BeginSeq;
  for (const auto& step : steps)
    if (step.enabled) emit_step(out, step, "", {});
  out << YAML::EndSeq;
}

void emit_accounts(YAML::Emitter& out, const CompiledAccounts& accounts) {
  if (accounts.run_as.empty() && accounts.users.empty() && accounts.groups.empty()) return;
  out << YAML::Key << "accounts" << YAML::Value << YAML::BeginMap;
  key_value(out, "run-as", accounts.run_as);
  if (!accounts.users.empty()) {
    out << YAML::Key << "users" << YAML::Value << YAML::BeginSeq;
    for (const auto& user : accounts.users) {
      out << YAML::BeginMap;
      key_value(out, "username", user.username);
      out << YAML::Key << "uid" << YAML::Value << user.uid;
      if (user.gid) out << YAML::Key << "gid" << YAML::Value << *user.gid;
      key_value(out, "shell", user.shell);
      key_value(out, "homedir", user.homedir);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  if (!accounts.groups.empty()) {
    out << YAML::Key << "groups" << YAML::Value << YAML::BeginSeq;
    for (const auto& group : accounts.groups) {
      out << YAML::BeginMap;
      key_value(out, "groupname", group.groupname);
      out << YAML::Key << "gid" << YAML::Value << group.gid;
      key_list(out, "members", group.members);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;
}

void emit_environment(YAML::Emitter& out, const CompiledEnvironment& environment,
                      const std::vector<std::string>& packages) {
  out << YAML::Key << "environment" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "contents" << YAML::Value << YAML::BeginMap;
  key_list(out, "repositories", environment.repositories);
  key_list(out, "keyring", environment.keyring);
  key_list(out, "packages", packages);
  out << YAML::EndMap;
  emit_accounts(out, environment.accounts);
  key_map(out, "environment", environment.environment);
  out << YAML::EndMap;
}

void emit_dependencies(YAML::Emitter& out, const CompiledDependencies& dependencies) {
  if (dependencies.runtime.empty() && dependencies.provides.empty() && dependencies.replaces.empty() &&
      dependencies.provider_priority.empty() && dependencies.replaces_priority.empty())
    return;
  out << YAML::Key << "dependencies" << YAML::Value << YAML::BeginMap;
  key_list(out, "runtime", dependencies.runtime);
  key_list(out, "provides", dependencies.provides);
  key_list(out, "replaces", dependencies.replaces);
  key_value(out, "provider-priority", dependencies.provider_priority);
  key_value(out, "replaces-priority", dependencies.replaces_priority);
  out << YAML::EndMap;
}

// The keys a package and a subpackage share.
void emit_package_body(YAML::Emitter& out, const CompiledPackage& package) {
  key_value(out, "description", package.description);
  key_value(out, "url", package.url);
  key_value(out, "commit", package.commit);
  key_map(out, "annotations", package.annotations);
  emit_dependencies(out, package.dependencies);
  if (package.no_provides || package.no_depends || package.no_commands || package.no_versioned_shlib_deps) {
    out << YAML::Key << "options" << YAML::Value << YAML::BeginMap;
    if (package.no_provides) out << YAML::Key << "no-provides" << YAML::Value << true;
    if (package.no_depends) out << YAML::Key << "no-depends" << YAML::Value << true;
    if (package.no_commands) out << YAML::Key << "no-commands" << YAML::Value << true;
    if (package.no_versioned_shlib_deps) out << YAML::Key << "no-versioned-shlib-deps" << YAML::Value << true;
    out << YAML::EndMap;
  }
  const CompiledScriptlets& s = package.scriptlets;
  if (!s.trigger_script.empty() || !s.pre_install.empty() || !s.post_install.empty() || !s.pre_deinstall.empty() ||
      !s.post_deinstall.empty() || !s.pre_upgrade.empty() || !s.post_upgrade.empty()) {
    out << YAML::Key << "scriptlets" << YAML::Value << YAML::BeginMap;
    if (!s.trigger_script.empty()) {
      out << YAML::Key << "trigger" << YAML::Value << YAML::BeginMap;
      key_value(out, "script", s.trigger_script);
      key_list(out, "paths", s.trigger_paths);
      out << YAML::EndMap;
    }
    key_value(out, "pre-install", s.pre_install);
    key_value(out, "post-install", s.post_install);
    key_value(out, "pre-deinstall", s.pre_deinstall);
    key_value(out, "post-deinstall", s.post_deinstall);
    key_value(out, "pre-upgrade", s.pre_upgrade);
    key_value(out, "post-upgrade", s.post_upgrade);
    out << YAML::EndMap;
  }
  if (!package.checks_disabled.empty()) {
    out << YAML::Key << "checks" << YAML::Value << YAML::BeginMap;
    key_list(out, "disabled", package.checks_disabled);
    out << YAML::EndMap;
  }
  if (!package.setcap.empty()) {
    out << YAML::Key << "setcap" << YAML::Value << YAML::BeginSeq;
    for (const auto& entry : package.setcap) {
      out << YAML::BeginMap;
      key_value(out, "path", entry.path);
      key_map(out, "add", entry.add);
      key_value(out, "reason", entry.reason);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
}

void emit_test(YAML::Emitter& out, const std::optional<CompiledTest>& test) {
  if (!test) return;
  out << YAML::Key << "test" << YAML::Value << YAML::BeginMap;
  emit_environment(out, test->environment, test->environment.packages);
  emit_pipeline(out, test->pipeline);
  out << YAML::EndMap;
}

}  // namespace

std::string compiled_recipe_yaml(const BuildPlan& plan, const std::vector<std::string>& locked_packages) {
  YAML::Emitter out;
  out.SetIndent(2);
  out << YAML::BeginMap;

  out << YAML::Key << "package" << YAML::Value << YAML::BeginMap;
  key_value(out, "name", plan.package.name);
  key_value(out, "version", plan.version);
  out << YAML::Key << "epoch" << YAML::Value << plan.epoch;
  emit_package_body(out, plan.package);
  const auto& copyright = plan.recipe.package.copyright;
  if (!copyright.empty()) {
    out << YAML::Key << "copyright" << YAML::Value << YAML::BeginSeq;
    for (const auto& entry : copyright) {
      out << YAML::BeginMap;
      std::vector<std::string> paths;
      for (const auto& path : entry.paths) paths.push_back(path.value);
      key_list(out, "paths", paths);
      key_value(out, "attestation", entry.attestation.value);
      key_value(out, "license", entry.license.value);
      key_value(out, "license-path", entry.license_path.value);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  key_list(out, "target-architecture", {plan.arch.apk});
  out << YAML::EndMap;

  emit_environment(out, plan.environment, locked_packages.empty() ? plan.environment.packages : locked_packages);
  if (!plan.capabilities_add.empty() || !plan.capabilities_drop.empty()) {
    out << YAML::Key << "capabilities" << YAML::Value << YAML::BeginMap;
    key_list(out, "add", plan.capabilities_add);
    key_list(out, "drop", plan.capabilities_drop);
    out << YAML::EndMap;
  }
  emit_pipeline(out, plan.package.pipeline);

  bool any_subpackage = false;
  for (const auto& sub : plan.subpackages) any_subpackage = any_subpackage || sub.enabled;
  if (any_subpackage) {
    out << YAML::Key << "subpackages" << YAML::Value << YAML::BeginSeq;
    for (const auto& sub : plan.subpackages) {
      if (!sub.enabled) continue;
      out << YAML::BeginMap;
      key_value(out, "name", sub.name);
      emit_package_body(out, sub);
      emit_pipeline(out, sub.pipeline);
      emit_test(out, sub.test);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  emit_test(out, plan.package.test);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace lupine::builder
