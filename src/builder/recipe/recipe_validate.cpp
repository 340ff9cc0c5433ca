#include "builder/recipe/recipe_validate.h"

#include "apk/version.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>

namespace lupine::builder {

namespace {

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// strconv.Atoi: an optional sign and decimal digits.
bool is_integer(std::string_view text) {
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) text.remove_prefix(1);
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void validate_priorities(const Dependencies& deps, Diagnostics& diagnostics) {
  for (const Text* priority : {&deps.provider_priority, &deps.replaces_priority}) {
    if (!priority->value.empty() && !is_integer(priority->value))
      diagnostics.error(priority->where, fmt::format("priority must be an integer, found \"{}\"", priority->value));
  }
}

// melange validatePipelines, applied to every pipeline of the recipe (melange checks the build
// pipelines only; the same mistakes in a test pipeline fail later there).
void validate_steps(const std::vector<Step>& steps, Diagnostics& diagnostics) {
  for (const Step& step : steps) {
    bool has_uses = !step.uses.value.empty();
    if (!step.with.entries.empty() && !has_uses)
      diagnostics.error(step.with.where, "a step with `with` must also have `uses` (with gives the inputs of a "
                                         "`uses` pipeline)");
    if (has_uses && !step.runs.value.empty())
      diagnostics.error(step.runs.where,
                        fmt::format("a step cannot have both `uses` (\"{}\") and `runs`", step.uses.value));
    if (!step.with.entries.empty() && !step.runs.value.empty())
      diagnostics.error(step.runs.where, "a step cannot have both `with` and `runs`");
    if (has_uses && !step.pipeline.empty())
      diagnostics.warning(step.uses.where, fmt::format("step has both `uses` (\"{}\") and a nested `pipeline`: the "
                                                       "nested steps run and \"{}\" is not loaded",
                                                       step.uses.value, step.uses.value));
    validate_steps(step.pipeline, diagnostics);
  }
}

// The capabilities melange can encode (config.go validCapabilities).
constexpr std::string_view kCapabilities[] = {"cap_net_bind_service", "cap_net_admin", "cap_net_raw", "cap_ipc_lock",
                                              "cap_sys_admin"};

void validate_setcap(const std::vector<SetCap>& setcap, Diagnostics& diagnostics) {
  for (const SetCap& cap : setcap) {
    for (const auto& [names, flags] : cap.add.entries) {
      std::string_view list = names.value;
      while (!list.empty()) {
        size_t comma = list.find(',');
        std::string_view name = list.substr(0, comma);
        if (std::find(std::begin(kCapabilities), std::end(kCapabilities), name) == std::end(kCapabilities))
          diagnostics.error(names.where, fmt::format("invalid capability \"{}\" for path \"{}\" (allowed: "
                                                     "cap_net_bind_service, cap_net_admin, cap_net_raw, cap_ipc_lock, "
                                                     "cap_sys_admin)",
                                                     name, cap.path.value));
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
      }
    }
    if (cap.reason.value.empty())
      diagnostics.error(cap.where, fmt::format("setcap for \"{}\" needs a `reason`", cap.path.value));
  }
}

bool valid_cpe_field(std::string_view value) {
  if (value.empty()) return true;
  unsigned char first = static_cast<unsigned char>(value[0]);
  if (!(std::islower(first) || std::isdigit(first))) return false;
  return std::all_of(value.begin(), value.end(), [](char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return std::islower(u) || std::isdigit(u) || c == '+' || c == '_' || c == '.' || c == '-';
  });
}

void validate_cpe(const Cpe& cpe, Diagnostics& diagnostics) {
  if (!cpe.part.value.empty() && cpe.part.value != "a" && cpe.part.value != "o")
    diagnostics.error(cpe.part.where, fmt::format("invalid CPE part \"{}\" (must be a or o)", cpe.part.value));
  if (cpe.vendor.value.empty() != cpe.product.value.empty())
    diagnostics.error(cpe.where, "CPE vendor and product must each be set if the other is set");
  for (const Text* field : {&cpe.vendor, &cpe.product}) {
    if (field->value == "*") diagnostics.error(field->where, "CPE vendor and product cannot be \"*\"");
  }
  for (const Text* field : {&cpe.vendor, &cpe.product, &cpe.edition, &cpe.language, &cpe.sw_edition, &cpe.target_sw,
                            &cpe.target_hw, &cpe.other}) {
    if (field->value != "*" && !valid_cpe_field(field->value))
      diagnostics.error(field->where,
                        fmt::format("invalid CPE field value \"{}\" (must match ^[a-z\\d][a-z\\d+_.-]*$)", field->value));
  }
}

}  // namespace

bool valid_package_name(std::string_view name) {
  if (name.empty() || !is_alnum(name[0])) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return is_alnum(c) || c == '+' || c == '_' || c == '.' || c == '-'; });
}

void validate_recipe(const Recipe& recipe, Diagnostics& diagnostics) {
  const Package& package = recipe.package;
  if (!valid_package_name(package.name.value))
    diagnostics.error(package.name.set ? package.name.where : package.where,
                      package.name.value.empty()
                          ? std::string("package name is missing")
                          : fmt::format("package name \"{}\" must match ^[a-zA-Z\\d][a-zA-Z\\d+_.-]*$", package.name.value));
  if (package.version.value.empty()) {
    diagnostics.error(package.version.set ? package.version.where : package.where, "package version is missing");
  } else if (!apk::version_valid(package.version.value)) {
    diagnostics.error(package.version.where,
                      fmt::format("package version \"{}\" is not a valid APK version", package.version.value));
  }
  validate_priorities(package.dependencies, diagnostics);
  validate_steps(recipe.pipeline, diagnostics);
  validate_setcap(package.setcap, diagnostics);
  validate_cpe(package.cpe, diagnostics);
  if (recipe.test) validate_steps(recipe.test->pipeline, diagnostics);

  std::map<std::string, const Subpackage*> seen;
  for (const Subpackage& sub : recipe.subpackages) {
    const std::string& name = sub.name.value;
    const Location& where = sub.name.set ? sub.name.where : sub.where;
    if (name == package.name.value && !name.empty()) {
      diagnostics.error(where, fmt::format("subpackage \"{}\" has the same name as the main package", name));
    } else if (auto [it, inserted] = seen.emplace(name, &sub); !inserted) {
      diagnostics.error(where, fmt::format("duplicate subpackage name \"{}\" (also at line {})", name,
                                           it->second->name.where.line));
    }
    if (name.empty()) {
      diagnostics.error(where, "subpackage has no name");
    } else if (!valid_package_name(name)) {
      diagnostics.error(where, fmt::format("subpackage name \"{}\" must match ^[a-zA-Z\\d][a-zA-Z\\d+_.-]*$", name));
    }
    validate_priorities(sub.dependencies, diagnostics);
    validate_steps(sub.pipeline, diagnostics);
    validate_setcap(sub.setcap, diagnostics);
    if (sub.test) validate_steps(sub.test->pipeline, diagnostics);
  }
}

}  // namespace lupine::builder
