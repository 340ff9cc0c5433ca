// lupine farm plan DIR... [--pipeline-dir D]... [--arch A] [--repository-append R]...
//                  [--keyring-append K]... [--allow-untrusted] [--json|--dot] [--strict] [-j N]
// The recipe graph of one or more recipe trees and the order to build it in (farm/plan.h):
// levels of recipes that can be built together, cycles, recipes that cannot be built, and the
// inputs no recipe produces — checked against the given repositories, else just listed.
// Exit 1 with --strict when an input is in no recipe nor repository or a recipe fails to compile.
#include "apk/arch.h"
#include "cli/command.h"
#include "common/error.h"
#include "farm/plan.h"
#include "farm/plan_render.h"
#include "index/package_add.h"

#include <fmt/format.h>

#include <memory>
#include <optional>

namespace lupine::cli {
namespace {

struct PlanArgs {
  std::vector<std::string> recipe_paths;
  std::vector<std::string> targets;
  std::vector<std::string> pipeline_dirs;
  std::string arch;
  std::vector<std::string> build_options;
  std::vector<std::string> repositories;
  std::vector<std::string> keyrings;
  bool allow_untrusted = false;
  std::string cache_dir;
  bool json = false;
  bool dot = false;
  bool strict = false;
  unsigned jobs = 0;
};

void plan(const PlanArgs& args) {
  farm::PlanOptions options;
  options.recipe_paths.assign(args.recipe_paths.begin(), args.recipe_paths.end());
  options.targets = args.targets;
  options.pipeline_dirs.assign(args.pipeline_dirs.begin(), args.pipeline_dirs.end());
  options.compile.arch = args.arch;
  options.compile.build_options = args.build_options;
  options.threads = args.jobs;

  std::optional<index::RepositorySet> repositories;
  if (!args.repositories.empty()) {
    std::string arch = apk::apk_arch_or_host(args.arch);
    apk::Keyring keyring;
    for (const auto& path : args.keyrings) keyring.add(path);
    index::FetchOptions fetch;
    fetch.cache_dir = args.cache_dir.empty() ? index::default_cache_dir() : std::filesystem::path(args.cache_dir);
    repositories.emplace(args.repositories, arch, keyring, args.allow_untrusted, fetch,
                         [](const std::string& warning) { fmt::print(stderr, "WARNING: {}\n", warning); });
    options.repositories = &*repositories;
  }

  farm::FarmPlan result = farm::make_plan(options);
  if (args.json) {
    fmt::print("{}", farm::plan_json(result));
  } else if (args.dot) {
    fmt::print("{}", farm::plan_dot(result));
    fmt::print(stderr, "{}\n", farm::plan_summary(result));
  } else {
    fmt::print("{}", farm::plan_text(result));
  }
  // Strict: every input must come from a recipe or a repository; without repositories, any
  // external input counts as missing.
  size_t missing = result.external.size() - result.count(farm::ExternalStatus::in_repository);
  if (args.strict && (missing || result.count(farm::NodeState::error))) {
    fmt::print(stderr, "--strict: {} input(s) neither produced by a recipe nor in a repository, {} recipe(s) failing to compile\n",
               missing, result.count(farm::NodeState::error));
    throw Exit{1};
  }
}

void setup(Command& app) {
  auto* farm = app.add_subcommand("farm", "Build whole recipe trees in dependency order");
  farm->require_subcommand(1);

  auto args = std::make_shared<PlanArgs>();
  auto* plan_command = farm->add_subcommand("plan", "Show the recipe graph and the order to build it in");
  plan_command->add_option("DIR", args->recipe_paths, "Directories of recipes (*.yaml) and/or recipe files")->required();
  plan_command->add_option("--target", args->targets,
                           "Plan only this recipe (or the recipe making this package) and what it needs (repeatable)");
  plan_command->add_option("--pipeline-dir", args->pipeline_dirs,
                           "Directory of `uses:` pipelines, searched before the built-in library (repeatable)");
  plan_command->add_option("--arch", args->arch, "Architecture to plan for (default: the host's)");
  plan_command->add_option("--build-option", args->build_options, "Enable options.<NAME> in every recipe (repeatable)");
  plan_command->add_option("--repository-append,-X", args->repositories,
                           "Repository that inputs no recipe produces may come from (repeatable)");
  plan_command->add_option("--keyring-append,-k", args->keyrings, "Trusted public key file or directory (repeatable)");
  plan_command->add_flag("--allow-untrusted", args->allow_untrusted, "Accept repository indexes with unknown signatures");
  plan_command->add_option("--cache-dir", args->cache_dir, "Download cache (default: ~/.cache/lupine)");
  auto* json = plan_command->add_flag("--json", args->json, "Print the graph and order as JSON");
  plan_command->add_flag("--dot", args->dot, "Print the graph for graphviz (a -> b: a needs b)")->excludes(json);
  plan_command->add_flag("--strict", args->strict, "Exit 1 when an input is in no recipe nor repository, or a recipe fails to compile");
  plan_command->add_option("-j,--jobs", args->jobs, "Threads compiling recipes (default: one per core)");
  plan_command->callback([args] { plan(*args); });
}

LUPINE_COMMAND(160, setup);

}  // namespace
}  // namespace lupine::cli
