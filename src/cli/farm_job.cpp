// lupine farm job RECIPE --published OUT --result FILE [lupine build's flags]
// One build of `lupine farm build`, as its executor runs it (locally or as a Slurm job): the
// recipe's build root resolved, its up-to-date key compared with OUT's record, the recipe built
// into --out-dir (the farm's staging repository) when the key changed (and tested, with --test),
// the outcome written to FILE (farm/farm_job.h). Exit 0 when built or up to date, 1 when the build
// (or a test) failed. Not meant to be typed: `lupine farm build` passes the flags.
#include "cli/build_flags.h"
#include "cli/command.h"
#include "farm/farm_job.h"

#include <fmt/format.h>

#include <memory>

namespace lupine::cli {
namespace {

struct JobArgs {
  BuildFlags flags;
  std::string published;
  std::string result;
  bool test = false;
  std::vector<std::string> test_package_append;
  std::string superseded;
  std::vector<std::string> left_out;
};

void run(const JobArgs& args) {
  if (args.flags.arches().size() != 1) fail("farm job: give exactly one --arch");
  std::optional<LoadedSigner> signer;
  if (!args.flags.signing_key.empty()) signer = load_signer(args.flags.signing_key);
  auto plan = args.flags.compile(args.flags.arches().front());
  if (!plan) {
    farm::JobOutcome outcome;
    outcome.error = fmt::format("{}: the recipe does not compile", args.flags.recipe);
    if (!args.result.empty()) farm::write_job_outcome(args.result, outcome);
    throw Exit{1};
  }
  builder::BuildOptions options = args.flags.options(signer ? &*signer : nullptr, *plan);
  // `farm build --resume`: a failed build keeps its workspace in the (shared) cache, and the next
  // run's build goes on from it when it can (builder/build/build_resume.h), as `lupine build`.
  if (args.flags.resume) options.keep_failed_workspace = true;
  farm::FarmJobOptions job;
  job.published = args.published;
  job.result_file = args.result;
  job.lupine_version = LUPINE_VERSION;
  job.run_tests = args.test;
  job.test_package_append = args.test_package_append;
  job.superseded_dir = args.superseded;
  job.left_out_origins.insert(args.left_out.begin(), args.left_out.end());
  farm::JobOutcome outcome = farm::run_farm_job(*plan, options, job);
  if (outcome.result == farm::JobResult::failed) throw Exit{1};
}

void setup(Command& app) {
  Command* farm = app.get_subcommand("farm");
  auto args = std::make_shared<JobArgs>();
  auto* command = farm->add_subcommand("job", "One build of `farm build` (run by its executors)");
  command->group("");  // internal: not listed in --help
  args->flags.add_to(*command, true);
  command->add_option("--published", args->published, "The farm's out dir, whose build records say what is up to date")
      ->required();
  command->add_option("--result", args->result, "Where the outcome goes (JSON)");
  command->add_flag("--test", args->test, "Run the recipe's tests after building it");
  command->add_option("--test-package-append", args->test_package_append, "Another package for every test environment");
  command->add_option("--keep-superseded", args->superseded,
                      "Keep the staged packages this build replaces (a cycle's first round) in this directory");
  command->add_option("--leave-out-origin", args->left_out,
                      "Build on none of the packages this recipe made in the staging and published repositories "
                      "(a cycle built once: a later member; repeatable)");
  command->callback([args] { run(*args); });
}

LUPINE_COMMAND(162, setup);

}  // namespace
}  // namespace lupine::cli
