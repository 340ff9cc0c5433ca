#include "farm/build_key.h"

#include "common/encoding.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/hash.h"

#include <fmt/format.h>

#include <algorithm>

namespace lupine::farm {
namespace fs = std::filesystem;

std::vector<fs::path> recipe_local_files(const fs::path& recipe, const std::string& package_name) {
  std::vector<fs::path> out;
  fs::path dir = recipe.parent_path() / package_name;
  if (package_name.empty() || !fs::is_directory(fs::symlink_status(dir))) return out;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    fs::file_status status = it->symlink_status();
    if (fs::is_regular_file(status) || fs::is_symlink(status)) out.push_back(it->path().lexically_relative(dir));
  }
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

// Each field is length-prefixed, so no two different inputs hash the same byte stream.
void field(Hasher& hasher, std::string_view tag, std::string_view value) {
  std::string header = fmt::format("{} {}\n", tag, value.size());
  hasher.update(header);
  hasher.update(value);
  hasher.update("\n");
}

void append_steps(std::string& out, const std::vector<builder::CompiledStep>& steps, int depth) {
  for (const auto& step : steps) {
    if (!step.enabled) continue;
    out += fmt::format("step {} {}\n", depth, step.display_name());
    out += fmt::format("workdir {}\n", step.workdir());
    for (const auto& [key, value] : step.environment) out += fmt::format("env {} {} {}\n", key.size(), key, value.size()) + value + "\n";
    out += fmt::format("runs {}\n", step.runs.size()) + step.runs + "\n";
    append_steps(out, step.pipeline, depth + 1);
  }
}

}  // namespace

std::string compiled_steps_text(const builder::BuildPlan& plan) {
  std::string out = "package " + plan.package.name + "\n";
  append_steps(out, plan.package.pipeline, 0);
  for (const auto& sub : plan.subpackages) {
    if (!sub.enabled) continue;
    out += "subpackage " + sub.name + "\n";
    append_steps(out, sub.pipeline, 0);
  }
  return out;
}

std::vector<std::string> root_key_entries(const std::vector<RootKeyPackage>& root, const std::set<std::string>& own) {
  std::vector<std::string> entries;
  for (const RootKeyPackage& package : root) {
    if (own.count(package.name)) continue;
    if (package.source_key.empty()) entries.push_back(package.identity);
    else entries.push_back(fmt::format("{}-{} {}", package.name, package.version, package.source_key));
  }
  return entries;
}

namespace {

// Everything but the root, under `kind` ("build" or "source").
Hasher recipe_hasher(const BuildKeyInputs& inputs, std::string_view kind) {
  Hasher hasher(HashAlgorithm::sha256);
  field(hasher, "format", std::to_string(kBuildKeyFormat));
  field(hasher, "kind", kind);
  field(hasher, "lupine", inputs.lupine_version);
  field(hasher, "arch", inputs.arch);
  field(hasher, "recipe", read_file(inputs.recipe));
  field(hasher, "steps", inputs.steps);
  fs::path dir = inputs.recipe.parent_path() / inputs.package_name;
  for (const fs::path& relative : recipe_local_files(inputs.recipe, inputs.package_name)) {
    fs::path file = dir / relative;
    field(hasher, "path", relative.generic_string());
    if (fs::is_symlink(fs::symlink_status(file))) field(hasher, "symlink", fs::read_symlink(file).string());
    else field(hasher, "file", read_file(file));
  }
  return hasher;
}

}  // namespace

std::string build_key(const BuildKeyInputs& inputs) {
  Hasher hasher = recipe_hasher(inputs, "build");
  std::vector<std::string> identities = inputs.root_identities;
  std::sort(identities.begin(), identities.end());
  identities.erase(std::unique(identities.begin(), identities.end()), identities.end());
  for (const std::string& identity : identities) field(hasher, "root", identity);
  return "sha256:" + hex_encode(hasher.finish());
}

std::string source_key(const BuildKeyInputs& inputs) {
  Hasher hasher = recipe_hasher(inputs, "source");
  return "sha256:" + hex_encode(hasher.finish());
}

}  // namespace lupine::farm
