// lupine farm build DIR... --signing-key K.rsa [-j N] [--executor local|slurm] [--out-dir OUT]
//   [-k KEY]... [-r REPO]... [--cache-dir C] [--keep-going] [--arch A] [--pipeline-dir D]...
//   [--partition P] [--cpus-per-task N] [--time-limit T] [--json]
// Builds what is out of date in recipe trees, in dependency order (farm/farm_build.h): locally N
// builds at a time, or one Slurm job per build. Progress on stderr (a live status line on a
// terminal; failures always), a summary table on stdout (or --json), exit 1 when anything failed
// or was blocked, 130 when interrupted.
#include "apk/arch.h"
#include "cli/build_flags.h"
#include "cli/command.h"
#include "cli/executor_flags.h"
#include "cli/farm_summary.h"
#include "cli/signing.h"
#include "common/error.h"
#include "farm/farm_build.h"
#include "index/http_fetch.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>

namespace lupine::cli {
namespace {

struct FarmBuildArgs {
  std::vector<std::string> recipe_paths;
  std::vector<std::string> targets;
  std::vector<std::string> pipeline_dirs;
  std::vector<std::string> build_options;
  std::string arch;
  std::string out_dir = "./packages";
  std::string signing_key;
  std::vector<std::string> keyring;
  std::vector<std::string> repositories;
  std::vector<std::string> test_package_append;
  std::string cache_dir;
  ExecutorFlags executor;
  bool json = false;
  // Passed to every build.
  std::string timeout;
  std::string index_expires_in;
  bool offline = false;
  bool test = false;
  bool resume = false;
  bool debian_fallback = true;
};

void run(const FarmBuildArgs& args) {
  farm::FarmBuildOptions options;
  options.plan.recipe_paths.assign(args.recipe_paths.begin(), args.recipe_paths.end());
  options.plan.targets = args.targets;
  options.plan.pipeline_dirs.assign(args.pipeline_dirs.begin(), args.pipeline_dirs.end());
  options.plan.compile.build_options = args.build_options;
  std::string arch = apk::apk_arch_or_host(args.arch);
  options.plan.compile.arch = arch;
  options.out_dir = args.out_dir;
  options.signing_key = args.signing_key;
  LoadedSigner signer = load_signer(args.signing_key);
  options.signer = signer.signer;
  if (!args.index_expires_in.empty()) {
    std::chrono::seconds expires = parse_timeout(args.index_expires_in);
    if (expires.count() <= 0) fail("--index-expires-in '{}': expected a duration such as 7d", args.index_expires_in);
    options.index_expires_in = expires.count();
  }
  options.keyring = args.keyring;
  options.repositories = args.repositories;
  options.cache_dir = args.cache_dir.empty() ? index::default_cache_dir() : std::filesystem::path(args.cache_dir);
  if (!args.timeout.empty()) options.job_flags.insert(options.job_flags.end(), {"--timeout", args.timeout});
  if (args.offline) options.job_flags.push_back("--offline");
  if (args.test) options.job_flags.push_back("--test");
  if (args.resume) options.job_flags.push_back("--resume");
  for (const auto& package : args.test_package_append)
    options.job_flags.insert(options.job_flags.end(), {"--test-package-append", package});
  if (!args.debian_fallback) options.job_flags.push_back("--no-debian-fallback");
  options.lupine = std::filesystem::read_symlink("/proc/self/exe");
  options.lupine_version = LUPINE_VERSION;

  std::unique_ptr<farm::Executor> executor = args.executor.make();
  options.executor = executor.get();

  std::unique_ptr<Progress> progress;
  farm::FarmBuildResult result = farm::build_farm(options, [&](const farm::RecipeSummary& summary,
                                                                const farm::JobReport& report, size_t jobs) {
    if (!progress) progress = std::make_unique<Progress>(jobs, stderr_is_terminal());
    progress->update(summary, report);
  });
  if (progress) progress->finish();
  fmt::print("{}", args.json ? result_json(result) : result_table(result));
  if (result.interrupted) throw Exit{130};
  if (!result.ok()) throw Exit{1};
}

void setup(Command& app) {
  Command* farm = app.get_subcommand("farm");
  auto args = std::make_shared<FarmBuildArgs>();
  auto* command = farm->add_subcommand("build", "Build what is out of date in recipe trees, in dependency order");
  command->add_option("DIR", args->recipe_paths, "Directories of recipes (*.yaml) and/or recipe files")->required();
  command->add_option("--target", args->targets,
                      "Build only this recipe (or the recipe making this package) and what it needs (repeatable)");
  command->add_option("--signing-key", args->signing_key, "RSA private key to sign packages and the index with")->required();
  args->executor.add_to(*command, "Builds", true);
  command->add_option("--out-dir", args->out_dir, "The repository packages are published to (<out-dir>/<arch>/)")
      ->capture_default_str();
  command->add_option("-k,--keyring-append", args->keyring, "Trusted public key for the repositories (repeatable)");
  command->add_option("-r,--repository-append", args->repositories,
                      "Repository for inputs no recipe produces, e.g. a bootstrap repository (repeatable)");
  command->add_option("--cache-dir", args->cache_dir, "Cache of sources and build roots, shared by every build "
                                                      "(default: ~/.cache/lupine; on a filesystem all Slurm nodes share)");
  command->add_option("--index-expires-in", args->index_expires_in,
                      "Publish the index with a version and an expiry this far ahead (7d), which clients check "
                      "against rollback and freeze");
  command->add_option("--arch", args->arch, "Architecture to build for (default: this machine's)");
  command->add_option("--pipeline-dir", args->pipeline_dirs,
                      "Directory of `uses:` pipelines, searched before the built-in library (repeatable)");
  command->add_option("--build-option", args->build_options, "Enable options.<NAME> in every recipe (repeatable)");
  command->add_option("--timeout", args->timeout, "Time limit of each build (2h, 90m, 45s)");
  command->add_flag("--offline", args->offline, "Never download sources: they must be in the cache");
  command->add_flag("--resume", args->resume, kFarmResumeHelp);
  command->add_flag("--test", args->test,
                    "Run each built recipe's tests (melange test); a failing test fails the recipe, which is not "
                    "published");
  command->add_option("--test-package-append", args->test_package_append,
                      "Another package for every test environment, as melange test's (Wolfi's tests run with "
                      "wolfi-base; repeatable)");
  command->add_flag("--debian-fallback,!--no-debian-fallback", args->debian_fallback,
                    "Look for unreachable upstream sources in Debian's source packages (default: on)");
  command->add_flag("--json", args->json, "Print the summary as JSON");
  command->callback([args] { run(*args); });
}

LUPINE_COMMAND(161, setup);

}  // namespace
}  // namespace lupine::cli
