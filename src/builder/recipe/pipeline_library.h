// The pipelines a step names with `uses: NAME`: NAME.yaml in the --pipeline-dir directories, in the
// order given, then in the built-in library (melange: --pipeline-dir, then the embedded
// pkg/build/pipelines). Files are parsed once per process and shared (melange's usesCache);
// lookups are thread-safe.
#pragma once

#include "common/diagnostics.h"
#include "builder/recipe/recipe.h"

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lupine::builder {

struct PipelineDefinition {
  std::string uses;                  // the name it was found by ("autoconf/make")
  std::filesystem::path path;        // the file
  Step step;                         // name, inputs, needs, pipeline, ...
  Diagnostics diagnostics;           // problems in the file itself, reported by every recipe using it
  const Input* find_input(std::string_view name) const;
};

// The built-in library directory: $LUPINE_PIPELINE_DIR when set, else
// <directory of the lupine binary>/../melange-recipes/pipelines, else the source tree's
// melange-recipes/pipelines; nullopt when none exists.
std::optional<std::filesystem::path> builtin_pipeline_dir();

class PipelineLibrary {
 public:
  // Searches exactly `search_path`, in order.
  explicit PipelineLibrary(std::vector<std::filesystem::path> search_path);

  // `pipeline_dirs` (from --pipeline-dir) followed by builtin_pipeline_dir() when it exists.
  static std::vector<std::filesystem::path> search_path_with_builtin(std::vector<std::filesystem::path> pipeline_dirs);

  const std::vector<std::filesystem::path>& search_path() const { return search_path_; }

  // Why `uses` cannot name a pipeline file (melange rejects absolute paths and ".."), or "".
  static std::string invalid_name_reason(std::string_view uses);

  // The definition, or nullptr when no directory has NAME.yaml (or the name is invalid).
  std::shared_ptr<const PipelineDefinition> find(std::string_view uses) const;

  // Every NAME available, sorted (for "did you mean" hints and listings).
  std::vector<std::string> available() const;

 private:
  std::vector<std::filesystem::path> search_path_;
  mutable std::mutex mutex_;
  mutable std::map<std::string, std::shared_ptr<const PipelineDefinition>, std::less<>> cache_;
};

}  // namespace lupine::builder
