#include "builder/recipe/pipeline_library.h"

#include "builder/recipe/recipe_reader.h"
#include "common/yaml.h"

#include <algorithm>
#include <cstdlib>
#include <set>
#include <system_error>

namespace lupine::builder {

namespace fs = std::filesystem;

const Input* PipelineDefinition::find_input(std::string_view name) const {
  for (const Input& input : step.inputs)
    if (input.name.value == name) return &input;
  return nullptr;
}

std::optional<fs::path> builtin_pipeline_dir() {
  if (const char* env = std::getenv("LUPINE_PIPELINE_DIR"); env && *env) return fs::path(env);
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path beside = exe.parent_path().parent_path() / "melange-recipes" / "pipelines";
    if (fs::is_directory(beside, ec)) return beside;
  }
#ifdef LUPINE_SOURCE_PIPELINE_DIR
  fs::path source = LUPINE_SOURCE_PIPELINE_DIR;
  if (fs::is_directory(source, ec)) return source;
#endif
  return std::nullopt;
}

PipelineLibrary::PipelineLibrary(std::vector<fs::path> search_path) : search_path_(std::move(search_path)) {}

std::vector<fs::path> PipelineLibrary::search_path_with_builtin(std::vector<fs::path> pipeline_dirs) {
  if (auto builtin = builtin_pipeline_dir()) pipeline_dirs.push_back(*builtin);
  return pipeline_dirs;
}

std::string PipelineLibrary::invalid_name_reason(std::string_view uses) {
  if (uses.empty()) return "the pipeline name is empty";
  if (uses.front() == '/') return "must not be an absolute path";
  if (uses.find("..") != std::string_view::npos) return "must not contain \"..\"";
  return "";
}

std::shared_ptr<const PipelineDefinition> PipelineLibrary::find(std::string_view uses) const {
  {
    std::lock_guard lock(mutex_);
    if (auto cached = cache_.find(uses); cached != cache_.end()) return cached->second;
  }
  std::shared_ptr<PipelineDefinition> definition;
  if (invalid_name_reason(uses).empty()) {
    std::error_code ec;
    for (const fs::path& dir : search_path_) {
      fs::path candidate = dir / (std::string(uses) + ".yaml");
      if (!fs::is_regular_file(candidate, ec)) continue;
      definition = std::make_shared<PipelineDefinition>();
      definition->uses = std::string(uses);
      definition->path = candidate;
      std::shared_ptr<const SourceFile> source;
      try {
        source = read_source_file(candidate.string());
      } catch (const std::exception& e) {
        auto unreadable = std::make_shared<SourceFile>();
        unreadable->path = candidate.string();
        definition->diagnostics.error(Location{unreadable, 0, 0, 0}, e.what());
        break;
      }
      definition->step = read_pipeline_file(source, definition->diagnostics);
      break;
    }
  }
  std::lock_guard lock(mutex_);
  auto [it, inserted] = cache_.emplace(std::string(uses), std::move(definition));
  return it->second;
}

std::vector<std::string> PipelineLibrary::available() const {
  std::set<std::string> names;
  std::error_code ec;
  for (const fs::path& dir : search_path_) {
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (!it->is_regular_file(ec) || it->path().extension() != ".yaml") continue;
      fs::path relative = it->path().lexically_relative(dir);
      relative.replace_extension();
      names.insert(relative.generic_string());
    }
  }
  return {names.begin(), names.end()};
}

}  // namespace lupine::builder
