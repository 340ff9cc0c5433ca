#include "builder/build/build.h"
#include "builder/build/out_dir_repository.h"

#include "builder/build/build_log.h"
#include "builder/build/build_pipeline.h"
#include "builder/build/build_resume.h"
#include "builder/build/build_root_record.h"
#include "builder/build/build_workspace.h"
#include "builder/build/sandbox_check.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/process.h"
#include "index/index_builder.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

namespace lupine::builder {
namespace fs = std::filesystem;

namespace {

bool is_remote(std::string_view location) {
  return location.rfind("http://", 0) == 0 || location.rfind("https://", 0) == 0;
}

void update_index(const BuildOptions& options, const BuildPlan& plan, BuildLog& log) {
  fs::path arch_dir = options.out_dir / plan.arch.apk;
  std::vector<fs::path> packages;
  for (const auto& entry : fs::directory_iterator(arch_dir))
    if (entry.is_regular_file() && entry.path().extension() == ".apk") packages.push_back(entry.path());
  std::sort(packages.begin(), packages.end());
  apk::Keyring keyring;
  for (const auto& key : options.keyring) keyring.add(key);
  index::IndexBuildOptions index_options;
  index_options.output = arch_dir / "APKINDEX.tar.gz";
  index_options.merge = true;
  index_options.arch = plan.arch.apk;
  index_options.keyring = &keyring;
  // As melange's index: the output directory's packages are indexed whoever signed them (their
  // integrity is still checked); the index itself is signed with the build's key.
  index_options.allow_untrusted = true;
  index_options.signer = options.signer;
  index_options.mtime = options.source_date_epoch;
  auto stats = index::build_index(packages, index_options);
  for (const auto& warning : stats.warnings) log.message("warning: " + warning);
  log.message(fmt::format("index {}: {} packages ({} read, {} unchanged)", index_options.output.string(),
                          stats.records, stats.read, stats.reused));
}

std::vector<std::string> unit_digests(const std::vector<StepUnit>& units) {
  std::vector<std::string> digests;
  for (const auto& unit : units) digests.push_back(unit.digest);
  return digests;
}

// `step "Configure"`, or `the step at FILE:LINE:COL` for an unnamed one (build_resume.cpp).
std::string describe_unit(const StepUnit& unit) {
  return unit.name.rfind("the step at ", 0) == 0 ? unit.name : "step \"" + unit.name + "\"";
}

// A failed build's workspace, moved into the cache with what --resume compares (build_resume.h).
// Keeping it is a courtesy: when it cannot be kept, the build's own error is what is reported.
void keep_failed_workspace(BuildWorkspace& workspace, const fs::path& kept, const ResumeRecord& record,
                           const std::vector<StepUnit>& units, BuildLog& log) {
  if (record.failed >= units.size()) return;  // not a step's failure (assertions.required-steps)
  try {
    fs::create_directories(kept);
    fs::remove(kept / "resume.json");
    workspace.move_to(kept / "workspace");
    write_resume_record(kept, record);
    log.message(fmt::format("workspace kept: {} (fix {} of {}, then build with --resume to go on from it)",
                            workspace.path().string(), describe_unit(units[record.failed]),
                            units[record.failed].package));
  } catch (const std::exception& failure) {
    log.message(std::string("warning: the failed build's workspace was not kept: ") + failure.what());
  }
}

}  // namespace

std::string format_duration(std::chrono::seconds duration) {
  auto seconds = duration.count();
  if (seconds % 3600 == 0 && seconds >= 3600) return fmt::format("{}h", seconds / 3600);
  if (seconds % 60 == 0 && seconds >= 60) return fmt::format("{}m", seconds / 60);
  return fmt::format("{}s", seconds);
}

fs::path build_log_path(const BuildOptions& options, const BuildPlan& plan, const std::string& suffix) {
  return options.out_dir / plan.arch.apk / "buildlogs" /
         fmt::format("{}-{}{}.log", plan.package.name, plan.full_version(), suffix);
}

std::vector<fs::path> environment_keyring(const BuildOptions& options, const CompiledEnvironment& environment,
                                          const std::function<void(const std::string&)>& log) {
  std::vector<fs::path> keys = options.keyring;
  for (const auto& key : environment.keyring) {
    if (is_remote(key)) {
      if (log) log(fmt::format("warning: keyring entry {} is not fetched: give the key with --keyring-append", key));
      continue;
    }
    keys.emplace_back(key);
  }
  return keys;
}

std::vector<std::string> environment_repositories(const BuildOptions& options, const CompiledEnvironment& environment) {
  std::vector<std::string> lines = options.repositories;
  for (const auto& repository : environment.repositories)
    if (std::find(lines.begin(), lines.end(), repository) == lines.end()) lines.push_back(repository);
  return lines;
}

PipelineRun pipeline_run(const BuildOptions& options, const fs::path& root, const fs::path& workspace,
                         const CompiledEnvironment& environment, BuildLog& log,
                         std::chrono::steady_clock::time_point started) {
  PipelineRun run;
  run.sandbox.root = root;
  run.sandbox.root_access = RootAccess::read_only;
  run.sandbox.workspace = workspace;
  run.sandbox.source_date_epoch = options.source_date_epoch;
  run.sandbox.run_as_root = true;
  run.sandbox.bwrap = options.bwrap;
  run.tmp = std::make_shared<TempDir>("lupine-guest-tmp");
  std::filesystem::permissions(run.tmp->path(), std::filesystem::perms(01777));
  run.sandbox.tmp_dir = run.tmp->path();
  // melange mounts its cache here (GOMODCACHE, PIP_CACHE_DIR, ... point into it); lupine gives
  // builds a writable directory of its cache, apart from the sources and roots.
  fs::path guest_cache = options.cache_dir / "guest-cache";
  fs::create_directories(guest_cache);
  run.sandbox.binds.push_back({guest_cache, "/var/cache/melange", true, false});
  run.environment = &environment;
  run.log = &log;
  run.trace = options.debug;
  if (options.time_limit.count() > 0) {
    run.deadline = started + options.time_limit;
    run.time_limit_text = format_duration(options.time_limit);
  }
  run.fetch = options.fetch;
  run.fetch.cache_dir = options.cache_dir;
  run.fetch.offline = options.offline;
  run.git.cache_dir = options.cache_dir;
  run.git.offline = options.offline;
  return run;
}

BuildRootRequest environment_root_request(const CompiledEnvironment& environment, std::vector<std::string> packages,
                                          const std::string& arch, const BuildOptions& options,
                                          const std::function<void(const std::string&)>& log) {
  BuildRootRequest request;
  request.packages = std::move(packages);
  request.packages.insert(request.packages.end(), options.package_append.begin(), options.package_append.end());
  request.repositories = without_unbuilt_out_dir(environment_repositories(options, environment), options.out_dir,
                                                 arch, log);
  request.keyring = environment_keyring(options, environment, log);
  request.allow_untrusted = options.allow_untrusted;
  request.arch = arch;
  request.accounts = environment.accounts;
  request.cache_dir = options.cache_dir;
  request.bwrap = options.bwrap;
  request.log = log;
  return request;
}

BuildRootRequest build_root_request(const BuildPlan& plan, const BuildOptions& options,
                                    const std::function<void(const std::string&)>& log) {
  return environment_root_request(plan.environment, plan.environment.packages, plan.arch.apk, options, log);
}

BuildResult build_package(const BuildPlan& plan, const BuildOptions& options) {
  BuildResult result;
  if (!plan.arch_supported) {
    result.skipped = true;
    return result;
  }
  require_sandbox(options.bwrap);  // before anything is installed: what to install or enable
  // A signal between two processes (making the root, between steps, packaging) must not end lupine
  // at once: it is noted, the build stops at its next checkpoint and the workspace is removed.
  InterruptGuard interrupt_guard;
  auto started = std::chrono::steady_clock::now();
  const int64_t started_at = static_cast<int64_t>(::time(nullptr));  // for the provenance
  result.log = build_log_path(options, plan);
  BuildLog log(result.log, options.echo_output);
  auto message = [&](const std::string& line) { log.message(line); };
  log.message(fmt::format("building {}-{} for {} (SOURCE_DATE_EPOCH={}{})", plan.package.name, plan.full_version(),
                          plan.arch.apk, options.source_date_epoch,
                          options.source_date_origin.empty() ? "" : ", from " + options.source_date_origin));

  std::optional<BuildWorkspace> workspace;
  std::optional<PipelineRun> run;
  fs::path kept = resume_dir(options.cache_dir, plan);
  std::vector<StepUnit> units = step_units(plan);
  std::string local_files;
  if (options.resume && !options.workspace_dir.empty())
    fail("--resume works in the workspace a failed build kept; it does not take --workspace-dir");
  try {
    result.root = options.resolved_root ? prepare_build_root(*options.resolved_root, message)
                                        : prepare_build_root(build_root_request(plan, options, message));
    write_file_atomic(build_root_record_path(result.log),
                      build_root_record_json(plan.package.name, plan.full_version(), plan.arch.apk, result.root.records));

    fs::path source_dir = options.source_dir.empty() ? default_source_dir(options.recipe, plan.package.name)
                                                     : options.source_dir;
    local_files = local_files_digest(source_dir);
    size_t skip = 0;
    if (options.resume) {
      auto point = resume_point(read_resume_record(kept), result.root.key, local_files, units);
      if (point.skip > 0 && fs::is_directory(kept / "workspace")) {
        skip = point.skip;
        log.message(fmt::format("resuming in {}: {} of {} steps done before; from {}: {}",
                                (kept / "workspace").string(), skip, units.size(), units[skip].package,
                                describe_unit(units[skip])));
      } else {
        log.message("cannot resume, building from the start: " +
                    (point.why_not.empty() ? "the kept workspace is gone" : point.why_not));
      }
    }

    if (skip > 0) {
      workspace.emplace(kept / "workspace", BuildWorkspace::Resume{});
      log.detail(fmt::format("workspace {} (kept)", workspace->path().string()));
    } else {
      workspace.emplace(options.workspace_dir);
      if (!source_dir.empty()) {
        size_t copied = copy_source_files(source_dir, workspace->path());
        log.message(
            fmt::format("workspace {}: {} files from {}", workspace->path().string(), copied, source_dir.string()));
      } else {
        log.detail(fmt::format("workspace {}", workspace->path().string()));
      }
    }
    create_package_dirs(workspace->path(), plan);

    run = pipeline_run(options, result.root.path, workspace->path(), plan.environment, log, started);
    run->sources = &result.sources;
    run->skip_units = skip;
    run->interactive = options.interactive;

    run->package = plan.package.name;
    run_pipeline(plan.package.pipeline, *run);
    for (const auto& sub : plan.subpackages) {
      if (!sub.enabled) continue;
      run->package = sub.name;
      run_pipeline(sub.pipeline, *run);
    }

    throw_if_interrupted();  // nothing is emitted from a build that was asked to stop
    EmitOptions emit;
    emit.recipe_path = options.recipe;
    emit.recipe_name = options.recipe_name;
    emit.recipe_sha256 = options.recipe_sha256;
    emit.output_dir = workspace->output_dir();
    emit.out_dir = options.out_dir;
    emit.signer = options.signer;
    emit.source_date_epoch = options.source_date_epoch;
    emit.sources = result.sources;
    emit.build_root = result.root.records;
    emit.namespace_name = options.namespace_name;
    emit.started = started_at;
    emit.log = message;
    result.packages = emit_packages(plan, emit);
    if (options.generate_index) update_index(options, plan, log);
  } catch (const StepFailed& failure) {
    log.detail(std::string("error: ") + failure.what());
    if (!log.echoes_output()) log.print_tail(20);
    // A --workspace-dir is the user's: it stays where it is (and --resume does not take one).
    if (options.keep_failed_workspace && options.workspace_dir.empty() && workspace && run) {
      keep_failed_workspace(*workspace, kept, {result.root.key, local_files, unit_digests(units), run->unit}, units,
                            log);
    } else if (options.debug && workspace && workspace->temporary()) {
      workspace->keep();
      log.message(fmt::format("workspace kept for debugging: {}", workspace->path().string()));
    }
    throw;
  } catch (const std::exception& failure) {
    log.detail(std::string("error: ") + failure.what());
    throw;
  }
  if (options.keep_failed_workspace) {
    // Built: nothing is left to resume (the workspace itself goes with `workspace`, or stays where
    // --workspace-dir put it).
    workspace.reset();
    std::error_code error;
    fs::remove_all(kept, error);
  }
  auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  log.message(fmt::format("built {} package(s) of {}-{} in {:.1f} s", result.packages.size(), plan.package.name,
                          plan.full_version(), elapsed));
  return result;
}

}  // namespace lupine::builder
