// lupine rebuild PACKAGE.apk... [--out-dir D] [-r REPO]... [-k KEY]... [--signing-key K.rsa]
//   [--source-dir S] [--cache-dir C] [--timeout 2h] [--no-debian-fallback] [-v] [--json] [--report FILE]
// Builds each package again from the recipe it carries (.melange.yaml) on exactly the build root
// it records, and compares (builder/build/rebuild.h): "identical" per package, or the entries that
// differ with both sides. Exit 0 only when every package is identical; 1 when one differs.
#include "builder/build/rebuild.h"
#include "builder/build/rebuild_report_json.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/process.h"
#include "cli/build_flags.h"
#include "cli/command.h"
#include "cli/signing.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <memory>

namespace lupine::cli {
namespace {

struct RebuildArgs {
  std::vector<std::string> packages;
  BuildFlags build;  // recipe is set per rebuilt recipe
  bool json = false;
  std::string report;
};

void print_report(const builder::RebuildReport& report, bool json) {
  if (json) {
    fmt::print("{}\n", builder::rebuilt_packages_json(report.packages).dump(2));
    return;
  }
  for (const auto& package : report.packages) {
    if (package.difference.identical) {
      fmt::print("{}: identical{}\n", package.original.string(),
                 package.difference.same_signature ? "" : " (content; signed by another key)");
    } else {
      fmt::print("{}: DIFFERS from {}\n{}", package.original.string(),
                 package.rebuilt.empty() ? std::string("the rebuild") : package.rebuilt.string(),
                 apk::render_package_difference(package.difference));
    }
  }
}

void run(const RebuildArgs& args) {
  std::optional<LoadedSigner> signer;
  if (!args.build.signing_key.empty()) signer = load_signer(args.build.signing_key);
  std::vector<std::filesystem::path> files(args.packages.begin(), args.packages.end());
  builder::RebuildOutcome outcome;
  auto write_report = [&] {
    if (!args.report.empty()) write_file_atomic(args.report, builder::rebuild_outcome_json(outcome));
  };
  builder::RebuildReport report;
  try {
    report = builder::rebuild_packages(files, [&](const builder::BuildPlan& plan, const std::filesystem::path& recipe) {
      BuildFlags flags = args.build;
      flags.recipe = recipe.string();
      return flags.options(signer ? &*signer : nullptr, plan);
    });
    outcome.packages = report.packages;
  } catch (const Interrupted&) {
    throw;
  } catch (const std::exception& error) {
    // The report says why (farm verify-rebuild reads it); the error goes on as usual.
    outcome.error = error.what();
    write_report();
    throw;
  }
  write_report();
  print_report(report, args.json);
  if (!report.identical()) throw Exit{1};
}

void setup(Command& app) {
  auto args = std::make_shared<RebuildArgs>();
  args->build.out_dir = "./rebuilt";
  auto* command = app.add_subcommand(
      "rebuild", "Build packages again from the recipe and build root they carry, and compare (as melange rebuild)");
  command->add_option("PACKAGE", args->packages, "Packages to rebuild (.apk built by lupine or melange)")->required();
  command->add_option("--out-dir", args->build.out_dir, "Where the rebuilt packages go (<out-dir>/<arch>/)")
      ->capture_default_str();
  command->add_option("-r,--repository-append", args->build.repository_append,
                      "Repository holding the recorded build root (repeatable)");
  command->add_option("-k,--keyring-append", args->build.keyring_append,
                      "Trusted public key for the repositories (repeatable)");
  command->add_option("--signing-key", args->build.signing_key,
                      "RSA private key to sign the rebuilt packages with (the original's gives identical files)");
  command->add_option("--source-dir", args->build.source_dir,
                      "The recipe's local files (patches, configs), which a package does not carry");
  command->add_option("--cache-dir", args->build.cache_dir, "Cache of sources, build roots and indexes");
  command->add_option("--timeout", args->build.timeout, "Time limit of each rebuild (2h, 90m, 45s; 0 = none)")
      ->capture_default_str();
  command->add_flag("--debian-fallback,!--no-debian-fallback", args->build.debian_fallback,
                    "Take sources upstream cannot give from Debian's archive, by checksum");
  command->add_flag("-v,--verbose", args->build.verbose, "Show step output on stderr even when it is not a terminal");
  command->add_flag("--json", args->json, "Print the comparison as JSON");
  command->add_option("--report", args->report,
                      "Also write the comparison, or why there is none, to this file as JSON (for farm verify-rebuild)");
  command->callback([args] { run(*args); });
}

LUPINE_COMMAND(122, setup);

}  // namespace
}  // namespace lupine::cli
