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
  bool debian_fallback = true;
};

// Counts of running / built / queued / failed, redrawn on one terminal line.
class Progress {
 public:
  Progress(size_t total, bool live) : total_(total), live_(live), started_(std::chrono::steady_clock::now()) {}

  void update(const farm::RecipeSummary& summary, const farm::JobReport& report) {
    using farm::JobState;
    if (report.state == JobState::running) ++running_;
    bool ended = report.state != JobState::running && report.state != JobState::queued;
    if (ended) {
      if (report.started != std::chrono::steady_clock::time_point{}) --running_;
      ++ended_;
      if (summary.result == farm::RecipeResult::failed || summary.result == farm::RecipeResult::blocked) ++failed_;
    }
    std::string line;
    if (ended && summary.result == farm::RecipeResult::failed)
      line = fmt::format("FAILED {}: {}", summary.name, with_log(first_line(summary.detail), summary.log));
    else if (ended && summary.result == farm::RecipeResult::blocked)
      line = fmt::format("blocked {}: {}", summary.name, summary.detail);
    else if (live_ && ended && summary.result == farm::RecipeResult::built)
      line = fmt::format("built {}-{} ({:.1f} s)", summary.name, summary.version, summary.seconds);
    else if (live_ && ended && summary.result == farm::RecipeResult::up_to_date)
      line = fmt::format("up to date: {}-{}", summary.name, summary.version);
    else if (live_ && report.state == JobState::running)
      line = fmt::format("building {}-{}", summary.name, summary.version);
    if (live_) fmt::print(stderr, "\r\033[K");
    if (!line.empty()) fmt::print(stderr, "{}\n", line);
    if (live_) {
      double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
      fmt::print(stderr, "[{:.0f}s] {}/{} done · {} running · {} failed", elapsed, ended_, total_, running_, failed_);
    }
    std::fflush(stderr);
  }

  void finish() const {
    if (live_) fmt::print(stderr, "\r\033[K");
  }

 private:
  static std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }
  // The job's log, unless the message names a log already (the builder's, of a failed step).
  static std::string with_log(const std::string& message, const std::filesystem::path& log) {
    if (log.empty() || message.find("(log: ") != std::string::npos) return message;
    return fmt::format("{} (log: {})", message, log.string());
  }

  size_t total_, ended_ = 0, running_ = 0, failed_ = 0;
  bool live_;
  std::chrono::steady_clock::time_point started_;
};

std::string result_json(const farm::FarmBuildResult& result) {
  nlohmann::json recipes = nlohmann::json::array();
  for (const auto& recipe : result.recipes) {
    nlohmann::json entry{{"name", recipe.name},         {"version", recipe.version},
                         {"recipe", recipe.path},       {"result", farm::recipe_result_name(recipe.result)},
                         {"seconds", recipe.seconds},   {"packages", recipe.packages}};
    if (!recipe.log.empty()) entry["log"] = recipe.log.string();
    if (!recipe.detail.empty()) entry["detail"] = recipe.detail;
    recipes.push_back(std::move(entry));
  }
  nlohmann::json value{{"recipes", recipes},
                       {"published", result.published},
                       {"index_updated", result.index_updated},
                       {"interrupted", result.interrupted},
                       {"seconds", result.seconds}};
  return value.dump(2) + "\n";
}

std::string result_table(const farm::FarmBuildResult& result) {
  size_t name_width = 6;
  for (const auto& recipe : result.recipes) name_width = std::max(name_width, recipe.name.size());
  std::string out = fmt::format("{:<{}}  {:<10}  {:>8}  {}\n", "RECIPE", name_width, "RESULT", "TIME", "LOG");
  for (const auto& recipe : result.recipes) {
    std::string time = recipe.seconds > 0 ? fmt::format("{:.1f}s", recipe.seconds) : "-";
    std::string log = recipe.log.empty() || !std::filesystem::exists(recipe.log) ? "-" : recipe.log.string();
    out += fmt::format("{:<{}}  {:<10}  {:>8}  {}\n", recipe.name, name_width, farm::recipe_result_name(recipe.result),
                       time, log);
    if (!recipe.detail.empty() && recipe.result != farm::RecipeResult::cancelled)
      out += fmt::format("{:<{}}  {}\n", "", name_width, recipe.detail.substr(0, recipe.detail.find('\n')));
  }
  out += fmt::format("{} built, {} up to date, {} failed, {} blocked, {} cancelled, {} skipped; {} package(s) published{} in {:.1f} s\n",
                     result.count(farm::RecipeResult::built), result.count(farm::RecipeResult::up_to_date),
                     result.count(farm::RecipeResult::failed), result.count(farm::RecipeResult::blocked),
                     result.count(farm::RecipeResult::cancelled), result.count(farm::RecipeResult::skipped),
                     result.published, result.index_updated ? ", index updated" : "", result.seconds);
  return out;
}

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
