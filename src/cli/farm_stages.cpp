// lupine farm stages STAGES.yaml --signing-key K.rsa [--out-dir OUT] [--stage NAME]... [-k KEY]...
//   [-r REPO]... [--cache-dir C] [--arch A] [--pipeline-dir D]... [--timeout T] [--test]
//   [-j N] [--executor local|slurm] [--keep-going] [--partition P] [--cpus-per-task N]
//   [--time-limit T] [--json]
// A bootstrap in stages (farm/stages.h): each stage a farm build into OUT/<stage>/, resolving from
// the earlier stages and — stages marked `bootstrap: true` only — from -r; the others are refused
// when they would need an input only the bootstrap has, and their recorded build roots are checked
// to hold only the stages' packages; a stage with `compare:` has every package compared byte for
// byte with the named stage's (a stage 3, on demand). Resumes where a run stopped (the farm's keys). A summary per
// stage on stdout (or --json), exit 1 when a stage failed, 130 when interrupted.
#include "apk/arch.h"
#include "cli/build_flags.h"
#include "cli/command.h"
#include "cli/executor_flags.h"
#include "cli/farm_summary.h"
#include "cli/signing.h"
#include "common/error.h"
#include "common/process.h"
#include "farm/stages.h"
#include "index/http_fetch.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <memory>

namespace lupine::cli {
namespace {

struct StagesArgs {
  std::string file;
  std::vector<std::string> only;
  std::string out_dir = "./stages";
  std::string signing_key;
  std::vector<std::string> keyring;
  std::vector<std::string> repositories;
  std::string cache_dir;
  std::string arch;
  std::vector<std::string> pipeline_dirs;
  std::string timeout;
  bool test = false;
  bool resume = false;
  ExecutorFlags executor;
  bool json = false;
};

const char* outcome_name(farm::PackageComparison::Outcome outcome) {
  switch (outcome) {
    case farm::PackageComparison::Outcome::identical: return "identical";
    case farm::PackageComparison::Outcome::different: return "different";
    case farm::PackageComparison::Outcome::missing: return "missing";
  }
  return "missing";
}

void run(const StagesArgs& args) {
  farm::StagesOptions options;
  options.stages = farm::load_stages(args.file);
  options.only = args.only;
  farm::FarmBuildOptions& farm = options.farm;
  farm.plan.pipeline_dirs.assign(args.pipeline_dirs.begin(), args.pipeline_dirs.end());
  farm.plan.compile.arch = apk::apk_arch_or_host(args.arch);
  farm.out_dir = args.out_dir;
  farm.signing_key = args.signing_key;
  LoadedSigner signer = load_signer(args.signing_key);
  farm.signer = signer.signer;
  farm.keyring = args.keyring;
  farm.repositories = args.repositories;
  farm.cache_dir = args.cache_dir.empty() ? index::default_cache_dir() : std::filesystem::path(args.cache_dir);
  if (!args.timeout.empty()) farm.job_flags.insert(farm.job_flags.end(), {"--timeout", args.timeout});
  if (args.test) farm.job_flags.push_back("--test");
  if (args.resume) farm.job_flags.push_back("--resume");
  farm.lupine = std::filesystem::read_symlink("/proc/self/exe");
  farm.lupine_version = LUPINE_VERSION;
  std::unique_ptr<farm::Executor> executor = args.executor.make();
  farm.executor = executor.get();

  std::unique_ptr<Progress> progress;
  auto results = farm::run_stages(
      options,
      [&](const farm::Stage& stage, const std::vector<std::string>& repositories) {
        progress.reset();
        fmt::print(stderr, "== {}: {} (from {})\n", stage.name,
                   (std::filesystem::absolute(args.out_dir) / stage.name).lexically_normal().string(),
                   repositories.empty() ? std::string("nothing but its own packages") : fmt::format("{}", fmt::join(repositories, ", ")));
      },
      [&](const farm::RecipeSummary& summary, const farm::JobReport& report, size_t jobs) {
        if (!progress) progress = std::make_unique<Progress>(jobs, stderr_is_terminal());
        progress->update(summary, report);
      });
  if (progress) progress->finish();

  bool ok = true, interrupted = false;
  nlohmann::json stages = nlohmann::json::array();
  for (const auto& result : results) {
    ok = ok && result.ok();
    interrupted = interrupted || result.build.interrupted;
    if (args.json) {
      nlohmann::json violations = nlohmann::json::array();
      for (const auto& v : result.violations)
        violations.push_back({{"record", v.record}, {"package", v.package}, {"identity", v.identity}});
      nlohmann::json stage{{"name", result.name},
                           {"build", result_value(result.build)},
                           {"records_checked", result.records_checked},
                           {"violations", violations},
                           {"unmet_runtime", result.unmet_runtime}};
      if (!result.compared_with.empty()) {
        stage["compared_with"] = result.compared_with;
        stage["comparisons"] = nlohmann::json::array();
        for (const auto& c : result.comparisons)
          stage["comparisons"].push_back({{"file", c.file}, {"outcome", outcome_name(c.outcome)}, {"detail", c.detail}});
      }
      stages.push_back(std::move(stage));
      continue;
    }
    fmt::print("== {}\n{}", result.name, result_table(result.build));
    if (result.records_checked > 0 || !result.violations.empty()) {
      if (result.violations.empty())
        fmt::print("{} build-root records: every package in them is one of the stages'\n", result.records_checked);
      else
        for (const auto& v : result.violations)
          fmt::print("NOT FROM THE STAGES: {} in {} ({})\n", v.package, v.record, v.identity);
    }
    for (const auto& unmet : result.unmet_runtime)
      fmt::print("NOT IN THE STAGES (a later stage cannot install it): {}\n", unmet);
    if (!result.compared_with.empty()) {
      size_t identical = 0;
      for (const auto& c : result.comparisons) {
        if (c.outcome == farm::PackageComparison::Outcome::identical) {
          ++identical;
          continue;
        }
        fmt::print("{} {}: {}\n", c.outcome == farm::PackageComparison::Outcome::missing ? "MISSING" : "DIFFERS",
                   c.file, c.outcome == farm::PackageComparison::Outcome::missing ? c.detail : "");
        if (c.outcome == farm::PackageComparison::Outcome::different) fmt::print("{}", c.detail);
      }
      fmt::print("{} of {} packages identical to {}'s\n", identical, result.comparisons.size(), result.compared_with);
    }
  }
  if (args.json) fmt::print("{}\n", nlohmann::json{{"stages", stages}}.dump(2));
  if (interrupted) throw Exit{130};
  if (!ok) throw Exit{1};
}

void setup(Command& app) {
  Command* farm = app.get_subcommand("farm");
  auto args = std::make_shared<StagesArgs>();
  auto* command = farm->add_subcommand("stages", "Bootstrap in stages: each a farm build on the stages before it");
  command->add_option("STAGES", args->file, "The stages file (YAML: stages: [{name, recipes, bootstrap}])")->required();
  command->add_option("--stage", args->only, "Run only this stage (repeatable; earlier stages' packages are used as they are); on-demand stages run only so");
  command->add_option("--signing-key", args->signing_key, "RSA private key to sign packages and indexes with")->required();
  command->add_option("--out-dir", args->out_dir, "Where the stages' repositories go (<out-dir>/<stage>/<arch>/)")
      ->capture_default_str();
  command->add_option("-k,--keyring-append", args->keyring, "Trusted public key for the repositories (repeatable)");
  command->add_option("-r,--repository-append", args->repositories,
                      "A bootstrap repository, for the stages marked `bootstrap: true` (repeatable)");
  command->add_option("--cache-dir", args->cache_dir, "Cache of sources and build roots (default: ~/.cache/lupine)");
  command->add_option("--arch", args->arch, "Architecture to build for (default: this machine's)");
  command->add_option("--pipeline-dir", args->pipeline_dirs,
                      "Directory of `uses:` pipelines, searched before the built-in library (repeatable)");
  command->add_option("--timeout", args->timeout, "Time limit of each build (2h, 90m, 45s)");
  command->add_flag("--resume", args->resume, kFarmResumeHelp);
  command->add_flag("--test", args->test, "Run each built recipe's tests; a failing test fails the recipe");
  args->executor.add_to(*command, "Builds", true);
  command->add_flag("--json", args->json, "Print the stages' summaries as JSON");
  command->callback([args] { run(*args); });
}

LUPINE_COMMAND(164, setup);

}  // namespace
}  // namespace lupine::cli
