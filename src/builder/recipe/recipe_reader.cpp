// Field tables for the recipe: one entry per key melange's config.go declares (yaml tags), in its
// order. The apko environment and the update block are in recipe_reader_image.cpp and
// recipe_reader_update.cpp.
#include "builder/recipe/recipe_reader.h"

#include "builder/recipe/recipe_fields.h"
#include "common/yaml.h"

#include <fmt/format.h>

namespace lupine::builder {

using detail::Field;
using detail::FieldReader;

namespace {

void read_dependencies(FieldReader& r, const YamlNode& node, Dependencies& out) {
  r.mapping(node, "dependencies",
            {
                {"runtime", [&](const YamlNode& n) { r.texts(n, out.runtime); }},
                {"provides", [&](const YamlNode& n) { r.texts(n, out.provides); }},
                {"replaces", [&](const YamlNode& n) { r.texts(n, out.replaces); }},
                {"provider-priority", [&](const YamlNode& n) { r.text(n, out.provider_priority); }},
                {"replaces-priority", [&](const YamlNode& n) { r.text(n, out.replaces_priority); }},
            });
}

void read_copyright(FieldReader& r, const YamlNode& node, Copyright& out) {
  out.where = node.where;
  r.mapping(node, "copyright entry",
            {
                {"paths", [&](const YamlNode& n) { r.texts(n, out.paths); }},
                {"attestation", [&](const YamlNode& n) { r.text(n, out.attestation); }},
                {"license", [&](const YamlNode& n) { r.text(n, out.license); }},
                {"license-path", [&](const YamlNode& n) { r.text(n, out.license_path); }},
                {"detection-override", [&](const YamlNode& n) { r.text(n, out.detection_override); }},
            });
}

void read_package_options(FieldReader& r, const YamlNode& node, PackageOptions& out) {
  out.set = true;
  r.mapping(node, "options",
            {
                {"no-provides", [&](const YamlNode& n) { r.flag(n, out.no_provides); }},
                {"no-depends", [&](const YamlNode& n) { r.flag(n, out.no_depends); }},
                {"no-commands", [&](const YamlNode& n) { r.flag(n, out.no_commands); }},
                {"no-versioned-shlib-deps", [&](const YamlNode& n) { r.flag(n, out.no_versioned_shlib_deps); }},
            });
}

void read_scriptlets(FieldReader& r, const YamlNode& node, Scriptlets& out) {
  out.set = true;
  r.mapping(node, "scriptlets",
            {
                {"trigger",
                 [&](const YamlNode& n) {
                   r.mapping(n, "trigger",
                             {
                                 {"script", [&](const YamlNode& m) { r.text(m, out.trigger.script); }},
                                 {"paths", [&](const YamlNode& m) { r.texts(m, out.trigger.paths); }},
                             });
                 }},
                {"pre-install", [&](const YamlNode& n) { r.text(n, out.pre_install); }},
                {"post-install", [&](const YamlNode& n) { r.text(n, out.post_install); }},
                {"pre-deinstall", [&](const YamlNode& n) { r.text(n, out.pre_deinstall); }},
                {"post-deinstall", [&](const YamlNode& n) { r.text(n, out.post_deinstall); }},
                {"pre-upgrade", [&](const YamlNode& n) { r.text(n, out.pre_upgrade); }},
                {"post-upgrade", [&](const YamlNode& n) { r.text(n, out.post_upgrade); }},
            });
}

void read_checks(FieldReader& r, const YamlNode& node, Checks& out) {
  r.mapping(node, "checks", {{"disabled", [&](const YamlNode& n) { r.texts(n, out.disabled); }}});
}

void read_cpe(FieldReader& r, const YamlNode& node, Cpe& out) {
  out.where = node.where;
  r.mapping(node, "cpe",
            {
                {"part", [&](const YamlNode& n) { r.text(n, out.part); }},
                {"vendor", [&](const YamlNode& n) { r.text(n, out.vendor); }},
                {"product", [&](const YamlNode& n) { r.text(n, out.product); }},
                {"edition", [&](const YamlNode& n) { r.text(n, out.edition); }},
                {"language", [&](const YamlNode& n) { r.text(n, out.language); }},
                {"sw_edition", [&](const YamlNode& n) { r.text(n, out.sw_edition); }},
                {"target_sw", [&](const YamlNode& n) { r.text(n, out.target_sw); }},
                {"target_hw", [&](const YamlNode& n) { r.text(n, out.target_hw); }},
                {"other", [&](const YamlNode& n) { r.text(n, out.other); }},
            });
}

void read_setcap(FieldReader& r, const YamlNode& node, std::vector<SetCap>& out) {
  r.list(node, out, [&](const YamlNode& item, SetCap& cap) {
    cap.where = item.where;
    r.mapping(item, "setcap entry",
              {
                  {"path", [&](const YamlNode& n) { r.text(n, cap.path); }},
                  {"add", [&](const YamlNode& n) { r.text_map(n, cap.add); }},
                  {"reason", [&](const YamlNode& n) { r.text(n, cap.reason); }},
              });
  });
}

void read_resources(FieldReader& r, const YamlNode& node, Resources& out, std::string_view what) {
  out.set = true;
  r.mapping(node, what,
            {
                {"cpu", [&](const YamlNode& n) { r.text(n, out.cpu); }},
                {"cpumodel", [&](const YamlNode& n) { r.text(n, out.cpumodel); }},
                {"memory", [&](const YamlNode& n) { r.text(n, out.memory); }},
                {"disk", [&](const YamlNode& n) { r.text(n, out.disk); }},
            });
}

void read_package(FieldReader& r, const YamlNode& node, Package& out) {
  out.where = node.where;
  r.mapping(node, "package",
            {
                {"name", [&](const YamlNode& n) { r.text(n, out.name); }},
                {"version", [&](const YamlNode& n) { r.text(n, out.version); }},
                {"epoch", [&](const YamlNode& n) { r.number(n, out.epoch); }},
                {"description", [&](const YamlNode& n) { r.text(n, out.description); }},
                {"annotations", [&](const YamlNode& n) { r.text_map(n, out.annotations); }},
                {"url", [&](const YamlNode& n) { r.text(n, out.url); }},
                {"commit", [&](const YamlNode& n) { r.text(n, out.commit); }},
                {"target-architecture", [&](const YamlNode& n) { r.texts(n, out.target_architecture); }},
                {"copyright",
                 [&](const YamlNode& n) {
                   r.list(n, out.copyright, [&](const YamlNode& item, Copyright& c) { read_copyright(r, item, c); });
                 }},
                {"dependencies", [&](const YamlNode& n) { read_dependencies(r, n, out.dependencies); }},
                {"options", [&](const YamlNode& n) { read_package_options(r, n, out.options); }},
                {"scriptlets", [&](const YamlNode& n) { read_scriptlets(r, n, out.scriptlets); }},
                {"checks", [&](const YamlNode& n) { read_checks(r, n, out.checks); }},
                {"cpe", [&](const YamlNode& n) { read_cpe(r, n, out.cpe); }},
                {"setcap", [&](const YamlNode& n) { read_setcap(r, n, out.setcap); }},
                {"timeout", [&](const YamlNode& n) { r.text(n, out.timeout); }},
                {"resources", [&](const YamlNode& n) { read_resources(r, n, out.resources, "resources"); }},
                {"test-resources", [&](const YamlNode& n) { read_resources(r, n, out.test_resources, "test-resources"); }},
            });
}

void read_inputs(FieldReader& r, const YamlNode& node, std::vector<Input>& out) {
  if (node.is_null()) return;
  if (!node.is_mapping()) {
    r.diagnostics().error(node.where, fmt::format("inputs must be a mapping, found {}", node.kind_name()));
    return;
  }
  for (size_t i = 0; i < node.mapping_size(); ++i) {
    Input input;
    r.text(node.key(i), input.name);
    r.mapping(node.val(i), "input",
              {
                  {"description", [&](const YamlNode& n) { r.text(n, input.description); }},
                  {"default", [&](const YamlNode& n) { r.text(n, input.default_value); }},
                  {"required", [&](const YamlNode& n) { r.flag(n, input.required); }},
              });
    out.push_back(std::move(input));
  }
}

void read_test(FieldReader& r, const YamlNode& node, std::optional<Test>& out) {
  out.emplace();
  out->where = node.where;
  r.mapping(node, "test",
            {
                {"environment",
                 [&](const YamlNode& n) { detail::read_image_configuration(r, n, out->environment, "test environment"); }},
                {"pipeline", [&](const YamlNode& n) { detail::read_steps(r, n, out->pipeline, false); }},
            });
}

void read_subpackage(FieldReader& r, const YamlNode& node, Subpackage& out) {
  out.where = node.where;
  r.mapping(node, "subpackage",
            {
                {"if", [&](const YamlNode& n) { r.text(n, out.if_condition); }},
                {"range", [&](const YamlNode& n) { r.text(n, out.range); }},
                {"name", [&](const YamlNode& n) { r.text(n, out.name); }},
                {"pipeline", [&](const YamlNode& n) { detail::read_steps(r, n, out.pipeline, false); }},
                {"dependencies", [&](const YamlNode& n) { read_dependencies(r, n, out.dependencies); }},
                {"options", [&](const YamlNode& n) { read_package_options(r, n, out.options); }},
                {"scriptlets", [&](const YamlNode& n) { read_scriptlets(r, n, out.scriptlets); }},
                {"description", [&](const YamlNode& n) { r.text(n, out.description); }},
                {"annotations", [&](const YamlNode& n) { r.text_map(n, out.annotations); }},
                {"url", [&](const YamlNode& n) { r.text(n, out.url); }},
                {"commit", [&](const YamlNode& n) { r.text(n, out.commit); }},
                {"checks", [&](const YamlNode& n) { read_checks(r, n, out.checks); }},
                {"test", [&](const YamlNode& n) { read_test(r, n, out.test); }},
                {"setcap", [&](const YamlNode& n) { read_setcap(r, n, out.setcap); }},
            });
}

void read_data(FieldReader& r, const YamlNode& node, std::vector<DataEntry>& out) {
  r.list(node, out, [&](const YamlNode& item, DataEntry& entry) {
    entry.where = item.where;
    r.mapping(item, "data entry",
              {
                  {"name", [&](const YamlNode& n) { r.text(n, entry.name); }},
                  {"items", [&](const YamlNode& n) { r.text_map(n, entry.items); }},
              });
  });
}

void read_var_transforms(FieldReader& r, const YamlNode& node, std::vector<VarTransform>& out) {
  r.list(node, out, [&](const YamlNode& item, VarTransform& transform) {
    transform.where = item.where;
    r.mapping(item, "var-transform",
              {
                  {"from", [&](const YamlNode& n) { r.text(n, transform.from); }},
                  {"match", [&](const YamlNode& n) { r.text(n, transform.match); }},
                  {"replace", [&](const YamlNode& n) { r.text(n, transform.replace); }},
                  {"to", [&](const YamlNode& n) { r.text(n, transform.to); }},
              });
  });
}

// options: {name: {vars: {...}, environment: {contents: {packages: {add: [..], remove: [..]}}}}}
void read_build_options(FieldReader& r, const YamlNode& node, std::vector<BuildOption>& out) {
  if (node.is_null()) return;
  if (!node.is_mapping()) {
    r.diagnostics().error(node.where, fmt::format("options must be a mapping, found {}", node.kind_name()));
    return;
  }
  for (size_t i = 0; i < node.mapping_size(); ++i) {
    BuildOption option;
    r.text(node.key(i), option.name);
    option.where = node.key(i).where;
    auto read_packages = [&](const YamlNode& n) {
      r.mapping(n, "option packages",
                {
                    {"add", [&](const YamlNode& m) { r.texts(m, option.add_packages); }},
                    {"remove", [&](const YamlNode& m) { r.texts(m, option.remove_packages); }},
                });
    };
    auto read_contents = [&](const YamlNode& n) {
      r.mapping(n, "option contents", {{"packages", read_packages}});
    };
    r.mapping(node.val(i), "build option",
              {
                  {"vars", [&](const YamlNode& n) { r.text_map(n, option.vars); }},
                  {"environment",
                   [&](const YamlNode& n) { r.mapping(n, "option environment", {{"contents", read_contents}}); }},
              });
    out.push_back(std::move(option));
  }
}

void read_capabilities(FieldReader& r, const YamlNode& node, Capabilities& out) {
  r.mapping(node, "capabilities",
            {
                {"add", [&](const YamlNode& n) { r.texts(n, out.add); }},
                {"drop", [&](const YamlNode& n) { r.texts(n, out.drop); }},
            });
}

}  // namespace

namespace detail {

void read_step(FieldReader& r, const YamlNode& node, Step& out, bool pipeline_file) {
  out.where = node.where;
  auto read_needs = [&](const YamlNode& n) {
    out.has_needs = true;
    r.mapping(n, "needs", {{"packages", [&](const YamlNode& m) { r.texts(m, out.needs); }}});
  };
  auto read_assertions = [&](const YamlNode& n) {
    r.mapping(n, "assertions", {{"required-steps", [&](const YamlNode& m) { r.number(m, out.required_steps); }}});
  };
  std::vector<Field> fields = {
      {"if", [&](const YamlNode& n) { r.text(n, out.if_condition); }},
      {"name", [&](const YamlNode& n) { r.text(n, out.name); }},
      {"uses", [&](const YamlNode& n) { r.text(n, out.uses); }},
      {"with", [&](const YamlNode& n) { r.text_map(n, out.with); }},
      {"runs", [&](const YamlNode& n) { r.text(n, out.runs); }},
      {"pipeline", [&](const YamlNode& n) { read_steps(r, n, out.pipeline, pipeline_file); }},
      {"inputs", [&](const YamlNode& n) { read_inputs(r, n, out.inputs); }},
      {"needs", read_needs},
      {"label", [&](const YamlNode& n) { r.text(n, out.label); }},
      {"assertions", read_assertions},
      {"working-directory", [&](const YamlNode& n) { r.text(n, out.working_directory); }},
      {"environment", [&](const YamlNode& n) { r.text_map(n, out.environment); }},
  };
  if (pipeline_file) fields.push_back({"description", [&](const YamlNode& n) { r.text(n, out.description); }});
  r.mapping(node, "pipeline step", fields);
}

void read_steps(FieldReader& r, const YamlNode& node, std::vector<Step>& out, bool pipeline_file) {
  r.list(node, out, [&](const YamlNode& item, Step& step) { read_step(r, item, step, pipeline_file); });
}

}  // namespace detail

Recipe read_recipe(const std::shared_ptr<const SourceFile>& file, Diagnostics& diagnostics) {
  Recipe recipe;
  recipe.source = file;
  YamlNode root = parse_yaml(file, diagnostics);
  FieldReader r(diagnostics);
  if (root.is_null()) {
    if (!diagnostics.has_errors()) diagnostics.error(root.where, "the recipe is empty");
    return recipe;
  }
  bool has_package = false;
  r.mapping(root, "the recipe",
            {
                {"package",
                 [&](const YamlNode& n) {
                   has_package = true;
                   read_package(r, n, recipe.package);
                 }},
                {"environment",
                 [&](const YamlNode& n) { detail::read_image_configuration(r, n, recipe.environment, "environment"); }},
                {"capabilities", [&](const YamlNode& n) { read_capabilities(r, n, recipe.capabilities); }},
                {"pipeline", [&](const YamlNode& n) { detail::read_steps(r, n, recipe.pipeline, false); }},
                {"subpackages",
                 [&](const YamlNode& n) {
                   r.list(n, recipe.subpackages,
                          [&](const YamlNode& item, Subpackage& sub) { read_subpackage(r, item, sub); });
                 }},
                {"data", [&](const YamlNode& n) { read_data(r, n, recipe.data); }},
                {"update", [&](const YamlNode& n) { detail::read_update(r, n, recipe.update); }},
                {"vars", [&](const YamlNode& n) { r.text_map(n, recipe.vars); }},
                {"var-transforms", [&](const YamlNode& n) { read_var_transforms(r, n, recipe.var_transforms); }},
                {"options", [&](const YamlNode& n) { read_build_options(r, n, recipe.options); }},
                {"test", [&](const YamlNode& n) { read_test(r, n, recipe.test); }},
            });
  if (!has_package && root.is_mapping()) diagnostics.error(root.where, "the recipe has no package section");
  if (!recipe.package.where.known()) recipe.package.where = root.where;
  return recipe;
}

Recipe read_recipe_file(const std::string& path, Diagnostics& diagnostics) {
  return read_recipe(read_source_file(path), diagnostics);
}

Step read_pipeline_file(const std::shared_ptr<const SourceFile>& file, Diagnostics& diagnostics) {
  Step step;
  YamlNode root = parse_yaml(file, diagnostics);
  FieldReader r(diagnostics);
  if (root.is_null()) {
    step.where = root.where;
    return step;
  }
  detail::read_step(r, root, step, true);
  return step;
}

}  // namespace lupine::builder
