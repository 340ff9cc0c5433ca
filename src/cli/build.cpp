// lupine build RECIPE [--arch A,B] [--signing-key K.rsa] [-k KEY]... [-r REPO]... [--out-dir DIR]
//   [--source-dir D] [--cache-dir C] [--workspace-dir W] [--pipeline-dir P]... [--build-date D]
//   [--env-file F]... [--vars-file F] [--timeout 2h] [--no-generate-index] [--debug] [-v]
//   [--resume] [--interactive]
// Builds a recipe as `melange build` does (builder/build.h): a sandboxed build root made of the
// build environment's packages, every step in bubblewrap without network, packages written to
// OUT/<arch>/<name>-<version>-r<epoch>.apk and OUT/<arch>/APKINDEX.tar.gz updated. Step names and
// errors go to stderr (step output too on a terminal, or with -v); the whole log is kept in
// OUT/<arch>/buildlogs/. The written packages are listed on stdout. Exit 1 when a step fails.
#include "builder/build/build.h"
#include "cli/build_flags.h"
#include "cli/command.h"

#include <fmt/format.h>

#include <memory>

namespace lupine::cli {
namespace {

void run(const BuildFlags& flags) {
  std::optional<LoadedSigner> signer;
  if (!flags.signing_key.empty()) signer = load_signer(flags.signing_key);
  for (const std::string& arch : flags.arches()) {
    auto plan = flags.compile(arch);
    if (!plan) throw Exit{1};
    builder::BuildOptions options = flags.options(signer ? &*signer : nullptr, *plan);
    options.keep_failed_workspace = true;  // for --resume (builder/build/build_resume.h)
    if (!plan->arch_supported) {
      fmt::print(stderr, "{}: skipping {}: not in package.target-architecture\n", plan->package.name, plan->arch.apk);
      continue;
    }
    builder::BuildResult result = builder::build_package(*plan, options);
    for (const auto& package : result.packages) fmt::print("{}\n", package.file.string());
  }
}

void setup(Command& parent) {
  auto flags = std::make_shared<BuildFlags>();
  auto* command = parent.add_subcommand("build", "Build a recipe's packages in a sandbox (as melange build)");
  flags->add_to(*command, true);
  command->callback([flags] { run(*flags); });
}

LUPINE_COMMAND(120, setup);

}  // namespace
}  // namespace lupine::cli
