// lupine farm verify-rebuild REPO... [--target NAME]... [--recipes DIR]... [-r REPO]... [-k KEY]... [--signing-key K.rsa]
//   [-j N] [--executor local|slurm] [--partition P] [--cpus-per-task N] [--time-limit T]
//   [--out-dir D] [--cache-dir C] [--arch A] [--timeout T] [--json]
// Rebuilds every recipe whose packages a repository holds, from those packages alone, and counts
// how many packages come out identical (farm/verify_rebuild.h): a table and the percentage on
// stdout (or --json), one line per finished recipe on stderr. Exit 0 only at 100 %.
#include "apk/arch.h"
#include "cli/build_flags.h"
#include "cli/command.h"
#include "cli/executor_flags.h"
#include "cli/signing.h"
#include "farm/farm_build.h"
#include "farm/verify_rebuild.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <memory>

namespace lupine::cli {
namespace {

struct VerifyRebuildArgs {
  std::vector<std::string> repositories;
  std::vector<std::string> recipe_dirs;
  std::vector<std::string> targets;
  BuildFlags build;
  ExecutorFlags executor;
  std::string arch;
  bool json = false;
};

std::string absolute(const std::string& path) { return std::filesystem::absolute(path).lexically_normal().string(); }

// `lupine rebuild` of one recipe's packages, as its job runs it (also on a Slurm node: every path
// absolute).
std::vector<std::string> rebuild_argv(const VerifyRebuildArgs& args, const std::string& origin,
                                      const std::vector<std::filesystem::path>& packages,
                                      const std::filesystem::path& out, const std::filesystem::path& report) {
  std::vector<std::string> argv{std::filesystem::read_symlink("/proc/self/exe").string(), "rebuild"};
  for (const auto& package : packages) argv.push_back(absolute(package.string()));
  argv.insert(argv.end(), {"--out-dir", out.string(), "--report", report.string(), "--timeout", args.build.timeout});
  // The repository's own packages are the build roots' first source, then -r's.
  for (const auto& repository : args.repositories) argv.insert(argv.end(), {"-r", absolute(repository)});
  for (const auto& repository : args.build.repository_append)
    argv.insert(argv.end(), {"-r", farm::absolute_repository(repository)});
  for (const auto& key : args.build.keyring_append) argv.insert(argv.end(), {"-k", absolute(key)});
  if (!args.build.signing_key.empty()) argv.insert(argv.end(), {"--signing-key", absolute(args.build.signing_key)});
  if (!args.build.cache_dir.empty()) argv.insert(argv.end(), {"--cache-dir", absolute(args.build.cache_dir)});
  if (!args.build.debian_fallback) argv.push_back("--no-debian-fallback");
  // A recipe's local files (patches, configs) are not in its packages: <recipes>/<origin>/.
  for (const auto& dir : args.recipe_dirs)
    if (std::filesystem::is_directory(std::filesystem::path(dir) / origin))
      argv.insert(argv.end(), {"--source-dir", absolute((std::filesystem::path(dir) / origin).string())});
  return argv;
}

void run(const VerifyRebuildArgs& args) {
  farm::VerifyRebuildOptions options;
  for (const auto& repository : args.repositories) options.repositories.emplace_back(repository);
  options.arch = apk::apk_arch_or_host(args.arch);
  options.out_dir = args.build.out_dir;
  options.only = args.targets;
  std::unique_ptr<farm::Executor> executor = args.executor.make();
  options.executor = executor.get();
  options.argv_for = [&](const std::string& origin, const std::vector<std::filesystem::path>& packages,
                         const std::filesystem::path& out, const std::filesystem::path& report) {
    return rebuild_argv(args, origin, packages, out, report);
  };
  options.on_done = [](const farm::RecipeRebuild& recipe) {
    fmt::print(stderr, "{} {}: {}\n", recipe.origin, recipe.version,
               !recipe.error.empty() ? "FAILED (" + recipe.log.string() + ")"
               : recipe.identical() == recipe.packages.size()
                   ? fmt::format("{} package(s) reproducible", recipe.packages.size())
                   : fmt::format("{} of {} package(s) differ", recipe.packages.size() - recipe.identical(),
                                 recipe.packages.size()));
  };
  farm::VerifyRebuildReport report = farm::verify_rebuild(options);

  if (args.json) {
    nlohmann::ordered_json recipes = nlohmann::ordered_json::array();
    for (const auto& recipe : report.recipes) {
      nlohmann::ordered_json packages = nlohmann::ordered_json::array();
      for (const auto& package : recipe.packages)
        packages.push_back({{"package", package.original.filename().string()},
                            {"reproducible", package.difference.identical},
                            {"differences", package.difference.entries.size()}});
      recipes.push_back({{"recipe", recipe.origin},
                         {"version", recipe.version},
                         {"packages", packages},
                         {"error", recipe.error},
                         {"log", recipe.log.string()},
                         {"seconds", static_cast<double>(recipe.took.count()) / 1000.0}});
    }
    nlohmann::ordered_json out{{"recipes", recipes},
                               {"packages", report.packages()},
                               {"reproducible", report.identical()},
                               {"percent", report.percent()}};
    fmt::print("{}\n", out.dump(2));
  } else {
    fmt::print("{}", farm::render_verify_rebuild(report));
  }
  if (report.interrupted) throw Exit{130};
  if (report.identical() != report.packages()) throw Exit{1};
}

void setup(Command& app) {
  Command* farm = app.get_subcommand("farm");
  auto args = std::make_shared<VerifyRebuildArgs>();
  args->build.out_dir = "./rebuilt";
  auto* command = farm->add_subcommand(
      "verify-rebuild", "Rebuild every recipe of repositories from their packages and count the reproducible ones");
  command->add_option("REPO", args->repositories, "Directory repositories to check (<repo>/<arch>/*.apk)")->required();
  command->add_option("--target", args->targets, "Check only this recipe (a package origin; repeatable)");
  command->add_option("--recipes", args->recipe_dirs,
                      "Recipe tree the repository was built from: <dir>/<recipe>/ holds a recipe's local files "
                      "(repeatable)");
  command->add_option("-r,--repository-append", args->build.repository_append,
                      "Another repository for build roots, e.g. a bootstrap repository (repeatable)");
  command->add_option("-k,--keyring-append", args->build.keyring_append,
                      "Trusted public key for the repositories (repeatable)");
  command->add_option("--signing-key", args->build.signing_key, "RSA private key to sign the rebuilt packages with");
  args->executor.keep_going = true;  // each recipe's rebuild is counted on its own
  args->executor.add_to(*command, "Rebuilds", false);
  command->add_option("--out-dir", args->build.out_dir, "Where rebuilds go (<out-dir>/<recipe>/<arch>/)")
      ->capture_default_str();
  command->add_option("--cache-dir", args->build.cache_dir, "Cache of sources, build roots and indexes");
  command->add_option("--arch", args->arch, "Architecture to check (default: this machine's)");
  command->add_option("--timeout", args->build.timeout, "Time limit of each rebuild (2h, 90m, 45s)")
      ->capture_default_str();
  command->add_flag("--debian-fallback,!--no-debian-fallback", args->build.debian_fallback,
                    "Take sources upstream cannot give from Debian's archive, by checksum");
  command->add_flag("--json", args->json, "Print the result as JSON");
  command->callback([args] { run(*args); });
}

LUPINE_COMMAND(163, setup);

}  // namespace
}  // namespace lupine::cli
