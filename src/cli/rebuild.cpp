// lupine rebuild PACKAGE.apk... [--out-dir D] [-r REPO]... [-k KEY]... [--signing-key K.rsa]
//   [--source-dir S] [--cache-dir C] [--timeout 2h] [--no-debian-fallback] [-v] [--json]
// Builds each package again from the recipe it carries (.melange.yaml) on exactly the build root
// it records, and compares (builder/build/rebuild.h): "identical" per package, or the entries that
// differ with both sides. Exit 0 only when every package is identical; 1 when one differs.
#include "builder/build/rebuild.h"
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
};

void run(const RebuildArgs& args) {
  std::optional<LoadedSigner> signer;
  if (!args.build.signing_key.empty()) signer = load_signer(args.build.signing_key);
  std::vector<std::filesystem::path> files(args.packages.begin(), args.packages.end());
  builder::RebuildReport report =
      builder::rebuild_packages(files, [&](const builder::BuildPlan& plan, const std::filesystem::path& recipe) {
        BuildFlags flags = args.build;
        flags.recipe = recipe.string();
        return flags.options(signer ? &*signer : nullptr, plan);
      });

  if (args.json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& package : report.packages) {
      nlohmann::ordered_json entry{{"package", package.original.string()},
                                   {"rebuilt", package.rebuilt.string()},
                                   {"identical", package.difference.identical},
                                   {"same_signature", package.difference.same_signature}};
      nlohmann::ordered_json differences = nlohmann::ordered_json::array();
      for (const auto& difference : package.difference.entries) {
        nlohmann::ordered_json item{{"member", difference.member},
                                    {"path", difference.path},
                                    {"original", difference.original},
                                    {"rebuilt", difference.rebuilt}};
        if (difference.first_differing_byte) item["first_differing_byte"] = *difference.first_differing_byte;
        differences.push_back(item);
      }
      entry["differences"] = differences;
      if (!package.difference.note.empty()) entry["note"] = package.difference.note;
      out.push_back(entry);
    }
    fmt::print("{}\n", out.dump(2));
  } else {
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
  command->callback([args] { run(*args); });
}

LUPINE_COMMAND(122, setup);

}  // namespace
}  // namespace lupine::cli
