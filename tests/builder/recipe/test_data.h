// Paths and helpers shared by the builder tests: the small recipes and pipelines in data/.
#pragma once

#include "builder/recipe/compile.h"
#include "builder/recipe/recipe_reader.h"

#include <filesystem>
#include <memory>
#include <string>

namespace lupine::builder::testing {

inline std::filesystem::path data_dir() { return std::filesystem::path(__FILE__).parent_path() / "data"; }
inline std::filesystem::path data_file(const std::string& name) { return data_dir() / name; }

// A library that searches only data/pipelines (not the built-in one), so tests do not depend on it.
inline const PipelineLibrary& test_library() {
  static const PipelineLibrary library({data_dir() / "pipelines"});
  return library;
}

// A recipe held in memory, as if read from `path`.
inline std::shared_ptr<const SourceFile> source(const std::string& yaml, const std::string& path = "test.yaml") {
  auto file = std::make_shared<SourceFile>();
  file->path = path;
  file->contents = yaml;
  return file;
}

inline BuildPlan compile_text(const std::string& yaml, Diagnostics& diagnostics, CompileOptions options = {}) {
  if (options.arch.empty()) options.arch = "x86_64";
  Recipe recipe = read_recipe(source(yaml), diagnostics);
  return compile_recipe(recipe, test_library(), options, diagnostics);
}

inline BuildPlan compile_data(const std::string& name, Diagnostics& diagnostics, CompileOptions options = {}) {
  if (options.arch.empty()) options.arch = "x86_64";
  auto plan = compile_recipe_file(data_file(name).string(), test_library(), options, diagnostics);
  return plan ? std::move(*plan) : BuildPlan{};
}

// The lines of the diagnostics, "line:column: message", for compact expectations.
inline std::vector<std::string> findings(const Diagnostics& diagnostics) {
  std::vector<std::string> out;
  for (const auto& d : diagnostics.sorted())
    out.push_back(std::to_string(d.where.line) + ":" + std::to_string(d.where.column) + ": " + d.message);
  return out;
}

}  // namespace lupine::builder::testing
