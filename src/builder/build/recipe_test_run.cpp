#include "builder/build/recipe_test_run.h"

#include "builder/build/build_log.h"
#include "builder/build/build_pipeline.h"
#include "builder/build/build_workspace.h"
#include "builder/build/sandbox_check.h"
#include "common/error.h"
#include "common/process.h"

#include <fmt/format.h>

#include <algorithm>

namespace lupine::builder {
namespace fs = std::filesystem;

namespace {

// The package under test pinned to what this recipe builds, so an older or newer package of the
// same name in another repository is not tested instead.
std::vector<std::string> pinned_packages(const std::vector<std::string>& packages, const std::string& name,
                                         const std::string& full_version) {
  std::vector<std::string> out = packages;
  for (auto& atom : out)
    if (atom == name) atom = name + "=" + full_version;
  return out;
}

void test_one(const BuildPlan& plan, const CompiledPackage& package, const BuildOptions& options, BuildLog& log,
              std::chrono::steady_clock::time_point started) {
  const CompiledTest& test = *package.test;
  auto message = [&](const std::string& line) { log.message(line); };
  BuildRootRequest root_request =
      environment_root_request(test.environment, pinned_packages(test.environment.packages, package.name, plan.full_version()),
                               plan.arch.apk, options, message);
  // The built packages: <out>/<arch>/ with its index, as the first repository (as a farm's
  // staging one). Where a name has providers in two repositories and nothing else decides, apk
  // takes the earlier repository's: a package built against the tree's glibc 2.41 must be tested
  // with it, not with a bootstrap's glibc that also provides so:ld-linux-x86-64.so.2.
  std::string out_repository = fs::absolute(options.out_dir).lexically_normal().string();
  auto& lines = root_request.repositories;
  lines.erase(std::remove(lines.begin(), lines.end(), out_repository), lines.end());
  lines.insert(lines.begin(), out_repository);
  root_request.what = "test environment of " + package.name;
  BuildRoot root = prepare_build_root(root_request);

  BuildWorkspace workspace;  // always fresh: --workspace-dir is for builds
  fs::path source_dir = options.source_dir.empty() ? default_source_dir(options.recipe, plan.package.name)
                                                   : options.source_dir;
  if (!source_dir.empty()) copy_source_files(source_dir, workspace.path());

  PipelineRun run = pipeline_run(options, root.path, workspace.path(), test.environment, log, started);
  run.package = package.name;
  try {
    run_pipeline(test.pipeline, run);
  } catch (const StepFailed&) {
    if (options.debug) {
      workspace.keep();
      log.message(fmt::format("workspace kept for debugging: {}", workspace.path().string()));
    }
    throw;
  }
}

}  // namespace

bool TestRunResult::passed() const {
  return std::all_of(packages.begin(), packages.end(), [](const PackageTestResult& r) { return r.passed; });
}

TestRunResult test_packages(const BuildPlan& plan, const BuildOptions& options, const std::vector<std::string>& only) {
  TestRunResult result;
  if (!plan.arch_supported) return result;
  require_sandbox(options.bwrap);
  InterruptGuard interrupt_guard;  // as for a build: stop at a checkpoint, clean up (build.cpp)
  auto started = std::chrono::steady_clock::now();
  fs::path index = options.out_dir / plan.arch.apk / "APKINDEX.tar.gz";
  if (!fs::exists(index))
    fail("{} not found: build the packages first (lupine build {} --out-dir {})", index.string(),
         options.recipe.string(), options.out_dir.string());
  result.log = build_log_path(options, plan, ".test");
  BuildLog log(result.log, options.echo_output);

  std::vector<const CompiledPackage*> packages{&plan.package};
  for (const auto& sub : plan.subpackages)
    if (sub.enabled) packages.push_back(&sub);
  for (const std::string& name : only)
    if (std::none_of(packages.begin(), packages.end(), [&](const CompiledPackage* p) { return p->name == name; }))
      fail("{} is not a package of {}", name, options.recipe.string());

  for (const CompiledPackage* package : packages) {
    if (!only.empty() && std::find(only.begin(), only.end(), package->name) == only.end()) continue;
    if (!package->test || package->test->pipeline.empty()) continue;
    log.message(fmt::format("testing {}-{}", package->name, plan.full_version()));
    PackageTestResult outcome{package->name, false, ""};
    try {
      test_one(plan, *package, options, log, started);
      outcome.passed = true;
      log.message(fmt::format("PASS {}", package->name));
    } catch (const Interrupted&) {
      throw;
    } catch (const StepFailed& failure) {
      outcome.error = failure.what();
      if (!log.echoes_output()) log.print_tail(20);
      log.message(fmt::format("FAIL {}: {}", package->name, outcome.error));
    } catch (const Error& failure) {
      outcome.error = failure.what();
      log.message(fmt::format("FAIL {}: {}", package->name, outcome.error));
    }
    result.packages.push_back(std::move(outcome));
  }
  return result;
}

}  // namespace lupine::builder
