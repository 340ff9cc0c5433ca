// lupine test RECIPE [PACKAGE...] [--arch A] [-k KEY]... [-r REPO]... [--out-dir DIR] [--signing-key K.rsa]
//   [--source-dir D] [--cache-dir C] [--pipeline-dir P]... [--env-file F]... [--timeout 2h] [--debug] [-v]
// Runs the recipe's `test:` pipelines (package and subpackages; or only the PACKAGEs named) as
// `melange test` does, against the packages built into OUT/<arch>/ (used as a repository, trusted
// through -k or the .pub beside --signing-key), each in a fresh sandbox (builder/recipe_test_run.h).
// Prints PASS/FAIL per package on stdout (the reasons go to stderr and the log as the tests run);
// exit 1 when any test failed.
#include "builder/build/recipe_test_run.h"
#include "cli/build_flags.h"
#include "cli/command.h"

#include <fmt/format.h>

#include <memory>

namespace lupine::cli {
namespace {

struct TestArgs {
  BuildFlags flags;
  std::vector<std::string> packages;
};

void run(const TestArgs& args) {
  size_t failed = 0, tested = 0;
  for (const std::string& arch : args.flags.arches()) {
    auto plan = args.flags.compile(arch);
    if (!plan) throw Exit{1};
    builder::BuildOptions options = args.flags.options(nullptr, *plan);
    if (!plan->arch_supported) {
      fmt::print(stderr, "{}: skipping {}: not in package.target-architecture\n", plan->package.name, plan->arch.apk);
      continue;
    }
    builder::TestRunResult result = builder::test_packages(*plan, options, args.packages);
    for (const auto& package : result.packages) {
      ++tested;
      if (package.passed) {
        fmt::print("PASS {} ({})\n", package.package, plan->arch.apk);
      } else {
        ++failed;
        fmt::print("FAIL {} ({})\n", package.package, plan->arch.apk);
      }
    }
  }
  if (tested == 0) fmt::print(stderr, "no tests: no package of {} has a test pipeline\n", args.flags.recipe);
  if (failed) throw Exit{1};
}

void setup(Command& parent) {
  auto args = std::make_shared<TestArgs>();
  auto* command = parent.add_subcommand("test", "Run a recipe's test pipelines against its built packages (as melange test)");
  args->flags.add_to(*command, false);
  command->add_option("PACKAGE", args->packages, "Test only these packages (default: every one with a test)");
  command->callback([args] { run(*args); });
}

LUPINE_COMMAND(125, setup);

}  // namespace
}  // namespace lupine::cli
