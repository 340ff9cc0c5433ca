#include "farm/farm_job.h"

#include "apk/provenance.h"
#include "builder/build/build_root.h"
#include "builder/build/build_root_record.h"
#include "builder/build/recipe_test_run.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/process.h"
#include "farm/build_key.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <map>

namespace lupine::farm {
namespace fs = std::filesystem;
using nlohmann::json;

fs::path build_record_path(const fs::path& out_dir, const std::string& arch, const std::string& name) {
  return out_dir / arch / "buildkeys" / (name + ".json");
}

namespace {

json record_json(const BuildRecord& record) {
  return json{{"name", record.name},
              {"version", record.version},
              {"key", record.key},
              {"source_key", record.source_key},
              {"packages", record.packages},
              {"seconds", record.seconds}};
}

BuildRecord record_from(const json& value) {
  BuildRecord record;
  record.name = value.at("name").get<std::string>();
  record.version = value.at("version").get<std::string>();
  record.key = value.at("key").get<std::string>();
  record.source_key = value.value("source_key", std::string());
  record.packages = value.at("packages").get<std::vector<std::string>>();
  record.seconds = value.value("seconds", 0.0);
  return record;
}

std::optional<json> read_json(const fs::path& path) {
  std::error_code error;
  if (!fs::exists(path, error)) return std::nullopt;
  try {
    return json::parse(read_file(path));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void write_json(const fs::path& path, const json& value) {
  fs::create_directories(path.parent_path());
  write_file_atomic(path, value.dump(2) + "\n");
}

bool all_published(const fs::path& out_dir, const std::string& arch, const BuildRecord& record) {
  std::error_code error;
  for (const auto& file : record.packages)
    if (!fs::is_regular_file(out_dir / arch / file, error)) return false;
  return !record.packages.empty();
}

}  // namespace

std::optional<BuildRecord> read_build_record(const fs::path& path) {
  auto value = read_json(path);
  if (!value) return std::nullopt;
  try {
    return record_from(*value);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void write_build_record(const fs::path& path, const BuildRecord& record) { write_json(path, record_json(record)); }

const char* job_result_name(JobResult result) {
  switch (result) {
    case JobResult::built: return "built";
    case JobResult::up_to_date: return "up-to-date";
    case JobResult::failed: return "failed";
  }
  return "failed";
}

std::optional<JobOutcome> read_job_outcome(const fs::path& path) {
  auto value = read_json(path);
  if (!value) return std::nullopt;
  try {
    JobOutcome outcome;
    std::string result = value->at("result").get<std::string>();
    if (result == "built") outcome.result = JobResult::built;
    else if (result == "up-to-date") outcome.result = JobResult::up_to_date;
    else outcome.result = JobResult::failed;
    if (value->contains("record")) outcome.record = record_from(value->at("record"));
    outcome.log = value->value("log", "");
    outcome.error = value->value("error", "");
    outcome.seconds = value->value("seconds", 0.0);
    return outcome;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void write_job_outcome(const fs::path& path, const JobOutcome& outcome) {
  json value{{"result", job_result_name(outcome.result)}, {"seconds", outcome.seconds}};
  if (outcome.result != JobResult::failed) value["record"] = record_json(outcome.record);
  if (!outcome.log.empty()) value["log"] = outcome.log;
  if (!outcome.error.empty()) value["error"] = outcome.error;
  write_json(path, value);
}

namespace {

std::set<std::string> own_package_names(const builder::BuildPlan& plan) {
  std::set<std::string> names{plan.package.name};
  for (const auto& sub : plan.subpackages)
    if (sub.enabled) names.insert(sub.name);
  return names;
}

bool same_directory(const std::string& location, const fs::path& dir) {
  std::error_code error;
  return fs::equivalent(location, dir, error);
}

// The root's packages for root_key_entries: those from the staging or the published repository
// were made by this tree, and carry the source key of the recipe that made them (its build record
// beside them, found by the package's origin). A package whose record is missing or names
// another version counts by its identity.
std::vector<RootKeyPackage> tree_packages(const builder::ResolvedBuildRoot& root, const fs::path& staging,
                                          const fs::path& published, const std::string& arch) {
  std::vector<RootKeyPackage> packages;
  std::map<fs::path, std::optional<BuildRecord>> records;  // a recipe's subpackages share one
  for (const auto& resolved : root.packages()) {
    const index::IndexRecord& record = *resolved.record;
    RootKeyPackage package{record.name, record.version, record.identity, ""};
    const index::Repository* repository = resolved.repository;
    if (repository && repository->kind() == index::Repository::Kind::local) {
      std::optional<fs::path> tree;
      if (same_directory(repository->location(), staging)) tree = staging;
      else if (same_directory(repository->location(), published)) tree = published;
      if (tree) {
        fs::path path = build_record_path(*tree, arch, record.origin.empty() ? record.name : record.origin);
        auto found = records.find(path);
        if (found == records.end()) found = records.emplace(path, read_build_record(path)).first;
        const auto& made = found->second;
        if (made && made->version == record.version && !made->source_key.empty()) package.source_key = made->source_key;
      }
    }
    packages.push_back(std::move(package));
  }
  return packages;
}

// A hard link (both lie in the farm's out dir) for what the build replaces by rename (packages,
// provenance, records: write_file_atomic); a copy of the log, which the build writes in place.
void keep_file(const fs::path& from, const fs::path& to, bool link = true) {
  std::error_code error;
  if (!fs::exists(from, error)) return;
  fs::create_directories(to.parent_path());
  fs::remove(to);
  if (link) fs::create_hard_link(from, to, error);
  if (!link || error) fs::copy_file(from, to);
}

// The staged packages of the build `plan` is about to replace, with their provenance and their
// build's log and build-root record, into <dir>/<arch>/.
void keep_superseded(const builder::BuildPlan& plan, const builder::BuildOptions& options, const fs::path& dir) {
  const std::string& arch = plan.arch.apk;
  auto staged = read_build_record(build_record_path(options.out_dir, arch, plan.package.name));
  if (!staged) return;
  for (const auto& file : staged->packages) {
    keep_file(options.out_dir / arch / file, dir / arch / file);
    keep_file(apk::provenance_path(options.out_dir / arch / file), apk::provenance_path(dir / arch / file));
  }
  fs::path log = builder::build_log_path(options, plan);
  keep_file(log, dir / arch / "buildlogs" / log.filename(), false);
  fs::path record = builder::build_root_record_path(log);
  keep_file(record, dir / arch / "buildlogs" / record.filename());
}

// The packages that recipes named in `job.left_out_origins` made in this farm's own repositories
// (the staging one, `staging`, and the published one): a stage's cycle member built once is built
// on what was there before the members after it (farm_build.h), in every run alike.
std::function<bool(const index::LoadedIndex&, const index::IndexRecord&)> later_members_of_the_stage(
    const FarmJobOptions& job, const fs::path& staging) {
  return [origins = job.left_out_origins, staging, published = job.published](const index::LoadedIndex& loaded,
                                                                               const index::IndexRecord& record) {
    if (!origins.count(record.origin.empty() ? record.name : record.origin)) return false;
    const std::string& location = loaded.repository.location();
    return same_directory(location, staging) || same_directory(location, published);
  };
}

}  // namespace

JobOutcome run_farm_job(const builder::BuildPlan& plan, const builder::BuildOptions& options,
                        const FarmJobOptions& job) {
  auto started = std::chrono::steady_clock::now();
  auto log = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
  JobOutcome outcome;
  outcome.record.name = plan.package.name;
  outcome.record.version = plan.full_version();
  auto finish = [&] {
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (!job.result_file.empty()) write_job_outcome(job.result_file, outcome);
    return outcome;
  };
  try {
    BuildKeyInputs inputs;
    inputs.recipe = options.recipe;
    inputs.package_name = plan.package.name;
    inputs.arch = plan.arch.apk;
    inputs.lupine_version = job.lupine_version;
    inputs.steps = compiled_steps_text(plan);
    // Resolved once: the key covers exactly the packages the build then installs.
    builder::BuildRootRequest request = builder::build_root_request(plan, options, log);
    if (!job.left_out_origins.empty()) request.leave_out = later_members_of_the_stage(job, options.out_dir);
    auto resolved_root = builder::resolve_build_root(request);
    inputs.root_identities = root_key_entries(tree_packages(*resolved_root, options.out_dir, job.published,
                                                            plan.arch.apk),
                                              own_package_names(plan));
    outcome.record.key = build_key(inputs);
    outcome.record.source_key = source_key(inputs);

    auto published = read_build_record(build_record_path(job.published, plan.arch.apk, plan.package.name));
    if (published && published->key == outcome.record.key && published->version == outcome.record.version &&
        all_published(job.published, plan.arch.apk, *published)) {
      log(fmt::format("{}-{} is up to date ({})", plan.package.name, outcome.record.version, outcome.record.key));
      outcome.result = JobResult::up_to_date;
      outcome.record = *published;
      return finish();
    }
    log(fmt::format("{}-{}: key {}{}", plan.package.name, outcome.record.version, outcome.record.key,
                    published ? " (was " + published->key + ")" : " (never built)"));

    if (!job.superseded_dir.empty()) keep_superseded(plan, options, job.superseded_dir);
    outcome.log = builder::build_log_path(options, plan).string();
    builder::BuildOptions build_options = options;
    build_options.resolved_root = std::move(resolved_root);
    builder::BuildResult result = builder::build_package(plan, build_options);
    if (job.run_tests) {
      builder::BuildOptions test_options = options;
      test_options.package_append = job.test_package_append;
      builder::TestRunResult tested = builder::test_packages(plan, test_options, {});
      for (const auto& package : tested.packages) {
        if (package.passed) continue;
        outcome.result = JobResult::failed;
        outcome.log = tested.log.string();
        outcome.error = fmt::format("test of {} failed: {}", package.package, package.error);
        log(fmt::format("error: {}", outcome.error));
        return finish();
      }
    }
    for (const auto& package : result.packages) outcome.record.packages.push_back(package.file.filename().string());
    outcome.record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    write_build_record(build_record_path(options.out_dir, plan.arch.apk, plan.package.name), outcome.record);
    outcome.result = JobResult::built;
    return finish();
  } catch (const Interrupted& interrupted) {
    outcome.result = JobResult::failed;
    outcome.error = interrupted.what();
    finish();
    throw;
  } catch (const std::exception& failure) {
    log(fmt::format("error: {}", failure.what()));
    outcome.result = JobResult::failed;
    outcome.error = failure.what();
    return finish();
  }
}

}  // namespace lupine::farm
