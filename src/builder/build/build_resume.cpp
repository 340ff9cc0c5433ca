#include "builder/build/build_resume.h"

#include "common/encoding.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/hash.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace lupine::builder {
namespace fs = std::filesystem;

namespace {

constexpr const char* kRecordFile = "resume.json";

// One field of a unit's digest: length-prefixed, so that no two different units hash alike.
void add_field(Hasher& hasher, std::string_view field) {
  hasher.update(fmt::format("{}:", field.size()));
  hasher.update(field);
}

std::string unit_digest(const std::string& previous, const std::string& package, const CompiledStep& step,
                        const CompiledEnvironment& environment) {
  Hasher hasher(HashAlgorithm::sha256);
  add_field(hasher, previous);
  add_field(hasher, package);
  add_field(hasher, step.uses);
  add_field(hasher, step.runs);
  add_field(hasher, step.workdir());
  for (const auto& [key, value] : effective_environment(environment, step)) {
    add_field(hasher, key);
    add_field(hasher, value);
  }
  // A fetch's or checkout's inputs are its source (uri, expected checksum, tag, commit).
  if (step.uses == "fetch" || step.uses == "git-checkout")
    for (const auto& [key, value] : step.inputs) {
      add_field(hasher, key);
      add_field(hasher, value);
    }
  return hex_encode(hasher.finish());
}

// The walk run_pipeline makes (build_pipeline.cpp: run_steps), collecting units instead of running.
void collect(const std::vector<CompiledStep>& steps, const std::string& package, const std::string& parent,
             const CompiledEnvironment& environment, std::vector<StepUnit>& units) {
  for (const CompiledStep& step : steps) {
    if (!step.enabled) continue;
    std::string own = step.display_name();
    // As the log names it: an unnamed step of a named one by its parent, one on its own by place.
    std::string name = own != "???" ? own : !parent.empty() ? parent : "the step at " + step.where.str();
    bool source = step.uses == "fetch" || step.uses == "git-checkout";
    if (source || !step.runs.empty()) {
      std::string previous = units.empty() ? std::string() : units.back().digest;
      units.push_back({package, name, unit_digest(previous, package, step, environment)});
    }
    if (!source) collect(step.pipeline, package, name, environment, units);
  }
}

}  // namespace

std::vector<StepUnit> step_units(const BuildPlan& plan) {
  std::vector<StepUnit> units;
  collect(plan.package.pipeline, plan.package.name, "", plan.environment, units);
  for (const auto& sub : plan.subpackages)
    if (sub.enabled) collect(sub.pipeline, sub.name, "", plan.environment, units);
  return units;
}

std::string local_files_digest(const fs::path& dir) {
  if (dir.empty()) return "";
  std::vector<fs::path> files;
  std::error_code error;
  for (auto it = fs::recursive_directory_iterator(dir, error); !error && it != fs::recursive_directory_iterator();
       it.increment(error))
    if (it->is_regular_file()) files.push_back(fs::relative(it->path(), dir));
  if (error) fail("cannot read the local files in {}: {}", dir.string(), error.message());
  std::sort(files.begin(), files.end());
  Hasher hasher(HashAlgorithm::sha256);
  for (const auto& file : files) {
    auto mode = static_cast<unsigned>(fs::status(dir / file).permissions());
    add_field(hasher, file.generic_string());
    add_field(hasher, fmt::format("{:o}", mode));
    add_field(hasher, read_file(dir / file));
  }
  return hex_encode(hasher.finish());
}

fs::path resume_dir(const fs::path& cache_dir, const BuildPlan& plan) {
  return cache_dir / "resume" / fmt::format("{}-{}", plan.package.name, plan.arch.apk);
}

std::optional<ResumeRecord> read_resume_record(const fs::path& dir) {
  fs::path path = dir / kRecordFile;
  std::error_code error;
  if (!fs::is_regular_file(path, error)) return std::nullopt;
  try {
    auto json = nlohmann::json::parse(read_file(path));
    ResumeRecord record;
    record.root_key = json.at("build_root").get<std::string>();
    record.local_files = json.at("local_files").get<std::string>();
    record.units = json.at("units").get<std::vector<std::string>>();
    record.failed = json.at("failed").get<size_t>();
    if (record.failed >= record.units.size()) fail("failed unit {} of {}", record.failed, record.units.size());
    return record;
  } catch (const nlohmann::json::exception& bad) {
    fail("{}: not a resume record lupine wrote: {}", path.string(), bad.what());
  } catch (const Error& bad) {
    fail("{}: not a resume record lupine wrote: {}", path.string(), bad.what());
  }
}

void write_resume_record(const fs::path& dir, const ResumeRecord& record) {
  nlohmann::ordered_json json;
  json["build_root"] = record.root_key;
  json["local_files"] = record.local_files;
  json["units"] = record.units;
  json["failed"] = record.failed;
  write_file_atomic(dir / kRecordFile, json.dump(2) + "\n");
}

ResumePoint resume_point(const std::optional<ResumeRecord>& record, const std::string& root_key,
                         const std::string& local_files, const std::vector<StepUnit>& units) {
  if (!record) return {0, "no failed build of this recipe is kept"};
  if (record->root_key != root_key) return {0, "the build root changed"};
  if (record->local_files != local_files) return {0, "the recipe's local files changed"};
  if (record->failed >= units.size()) return {0, "the recipe has fewer steps than when it failed"};
  if (record->failed == 0) return {0, "its first step failed: no step before it to go on from"};
  for (size_t i = 0; i < record->failed; ++i)
    if (record->units[i] != units[i].digest)
      return {0, fmt::format("{}: step \"{}\" changed", units[i].package, units[i].name)};
  return {record->failed, ""};
}

}  // namespace lupine::builder
