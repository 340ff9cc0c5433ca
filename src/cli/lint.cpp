// lupine lint RECIPE... [--pipeline-dir D]... [--arch A] [--build-option O]...: every problem of each
// recipe without building it — schema and YAML errors, undefined variables, unknown pipelines and
// inputs, melange's validation, and the package linters that can be judged from the recipe (see
// builder/lint.h). One line per finding on stdout, `file:line: severity: message [rule]`, sorted;
// exit 1 when any finding is an error.
#include "builder/recipe/lint.h"
#include "builder/recipe/pipeline_library.h"
#include "cli/command.h"

#include <fmt/format.h>

#include <memory>

namespace lupine::cli {
namespace {

struct LintArgs {
  std::vector<std::string> recipes;
  std::vector<std::string> pipeline_dirs;
  std::vector<std::string> build_options;
  std::string arch;
};

std::string finding_line(const Diagnostic& finding) {
  return fmt::format("{}: {}: {}{}", finding.where.str(false),
                     finding.severity == Severity::error ? "error" : "warning", finding.message,
                     finding.rule.empty() ? "" : fmt::format(" [{}]", finding.rule));
}

void run(const LintArgs& args) {
  std::vector<std::filesystem::path> dirs(args.pipeline_dirs.begin(), args.pipeline_dirs.end());
  builder::PipelineLibrary library(builder::PipelineLibrary::search_path_with_builtin(dirs));
  builder::CompileOptions options;
  options.arch = args.arch;
  options.build_options = args.build_options;
  size_t errors = 0, warnings = 0, failed = 0;
  for (const std::string& path : args.recipes) {
    Diagnostics diagnostics = builder::lint_recipe_file(path, library, options);
    for (const auto& finding : diagnostics.sorted()) {
      fmt::print("{}\n", finding_line(finding));
      (finding.severity == Severity::error ? errors : warnings) += 1;
    }
    if (diagnostics.has_errors()) ++failed;
  }
  if (args.recipes.size() > 1 || errors || warnings)
    fmt::print(stderr, "lupine lint: {} recipe(s), {} with errors; {} error(s), {} warning(s)\n", args.recipes.size(),
               failed, errors, warnings);
  if (errors) throw Exit{1};
}

void setup(Command& parent) {
  auto args = std::make_shared<LintArgs>();
  auto* command = parent.add_subcommand("lint", "Check recipes for errors without building them");
  command->add_option("RECIPE", args->recipes, "melange recipe(s) (YAML)")->required();
  command->add_option("--pipeline-dir", args->pipeline_dirs,
                      "Directory of `uses:` pipelines, searched before the built-in library (repeatable)");
  command->add_option("--arch", args->arch,
                      "Architecture to compile for (default: the host's, or the recipe's first target)");
  command->add_option("--build-option", args->build_options, "Enable the recipe's options.<NAME> (repeatable)");
  command->callback([args] { run(*args); });
}

LUPINE_COMMAND(105, setup);

}  // namespace
}  // namespace lupine::cli
