#include "builder/build/rebuild.h"

#include "apk/spdx.h"
#include "builder/build/build_root.h"
#include "builder/build/build_root_record.h"
#include "builder/recipe/pipeline_library.h"
#include "common/diagnostics.h"
#include "common/error.h"
#include "common/fs.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <map>
#include <set>

namespace lupine::builder {

namespace fs = std::filesystem;

namespace {

// What the original's SBOM says that a rebuild must say the same way: the recipe file it names
// (SPDXRef-Recipe-*: its name and sha256) and the namespace (the creator "Organization: NS").
struct RecordedSbom {
  std::string recipe_name, recipe_sha256, namespace_name;
};

RecordedSbom recorded_sbom(const apk::Package& package, const fs::path& file) {
  RecordedSbom recorded;
  const apk::PkgInfo& info = package.info();
  std::string sbom_path = apk::sbom_path(info.pkgname, info.pkgver);
  for (const auto& item : package.data_entries()) {
    if (item.entry.path != sbom_path) continue;
    nlohmann::json sbom = nlohmann::json::parse(item.data, nullptr, false);
    if (sbom.is_discarded()) fail("{}: {} is not JSON", file.string(), sbom_path);
    for (const auto& creator : sbom["creationInfo"].value("creators", nlohmann::json::array()))
      if (creator.is_string() && creator.get<std::string>().rfind("Organization: ", 0) == 0)
        recorded.namespace_name = creator.get<std::string>().substr(14);
    for (const auto& element : sbom.value("packages", nlohmann::json::array())) {
      if (element.value("SPDXID", "").rfind("SPDXRef-Recipe-", 0) != 0) continue;
      recorded.recipe_name = element.value("name", "");
      for (const auto& checksum : element.value("checksums", nlohmann::json::array()))
        if (checksum.value("algorithm", "") == "SHA256") recorded.recipe_sha256 = checksum.value("checksumValue", "");
    }
  }
  return recorded;
}

using RecordedRoot = std::map<std::string, std::pair<std::string, std::string>>;  // name → {version, identity}

RecordedRoot read_recorded_root(const fs::path& record_file) {
  nlohmann::json record = nlohmann::json::parse(read_file(record_file), nullptr, false);
  if (record.is_discarded() || !record.contains("build_root"))
    fail("{}: expected a build-root record ({{\"build_root\": [...]}})", record_file.string());
  RecordedRoot recorded;
  for (const auto& input : record["build_root"])
    recorded[input.value("name", "")] = {input.value("version", ""), input.value("identity", "")};
  return recorded;
}

// Every package of the resolved root must be the one the original build recorded, and none missing.
void check_recorded_root(const fs::path& record_file, const RecordedRoot& recorded, const ResolvedBuildRoot& resolved) {
  std::vector<std::string> problems;
  std::set<std::string> resolved_names;
  for (const auto& package : resolved.packages()) {
    const index::IndexRecord& got = *package.record;
    resolved_names.insert(got.name);
    auto want = recorded.find(got.name);
    if (want == recorded.end()) {
      problems.push_back(fmt::format("{}-{} is in the build root now but was not then", got.name, got.version));
    } else if (want->second.first != got.version || want->second.second != got.identity) {
      problems.push_back(fmt::format("{}: recorded {} ({}), the repositories give {} ({}) from {}", got.name,
                                     want->second.first, want->second.second, got.version, got.identity,
                                     package.repository ? package.repository->to_line() : "?"));
    }
  }
  for (const auto& [name, want] : recorded)
    if (!resolved_names.count(name))
      problems.push_back(fmt::format("{}-{} ({}) is not to be had from the repositories given", name, want.first,
                                     want.second));
  if (!problems.empty())
    fail("the build root is not the one recorded in {}:\n  {}", record_file.string(), fmt::join(problems, "\n  "));
}

// The build root the record names. Resolved as the recipe asks first; when that gives another
// package of a recorded name and version (two repositories hold one, as a farm's repository and
// its cycle's first round do: farm_publish.h), every recorded input is pinned by its C: identity
// (apk's `name><Q1...` dependency) and resolved again. The first mismatch is the error when the
// pinned root cannot be had either.
std::shared_ptr<const ResolvedBuildRoot> recorded_build_root(BuildRootRequest request, const fs::path& record_file) {
  RecordedRoot recorded = read_recorded_root(record_file);
  std::shared_ptr<const ResolvedBuildRoot> resolved = resolve_build_root(request);
  try {
    check_recorded_root(record_file, recorded, *resolved);
    return resolved;
  } catch (const Error& mismatch) {
    request.packages.clear();
    for (const auto& [name, want] : recorded) request.packages.push_back(name + "><" + want.second);
    std::shared_ptr<const ResolvedBuildRoot> pinned;
    try {
      pinned = resolve_build_root(request);
      check_recorded_root(record_file, recorded, *pinned);
    } catch (const Error&) {
      throw mismatch;
    }
    return pinned;
  }
}

}  // namespace

bool RebuildReport::identical() const {
  for (const auto& package : packages)
    if (!package.difference.identical) return false;
  return true;
}

RebuildReport rebuild_packages(const std::vector<fs::path>& files, const RebuildOptionsFor& options_for) {
  RebuildReport report;
  std::vector<apk::Package> originals;
  std::map<std::string, std::vector<size_t>> groups;  // "origin-version-arch" → indexes of packages given
  std::vector<std::string> order;
  for (size_t i = 0; i < files.size(); ++i) {
    originals.push_back(apk::Package::read(files[i]));
    const apk::PkgInfo& info = originals.back().info();
    if (!originals.back().control_file(".melange.yaml"))
      fail("{}: the package carries no .melange.yaml: it was not built by lupine (or melange), nothing says how "
           "to rebuild it",
           files[i].string());
    std::string key = fmt::format("{}-{}-{}", info.origin.empty() ? info.pkgname : info.origin, info.pkgver, info.arch);
    if (!groups.count(key)) order.push_back(key);
    groups[key].push_back(i);
    report.packages.push_back({files[i], {}, {}});
  }

  for (const auto& key : order) {
    const std::vector<size_t>& members = groups[key];
    const apk::Package& first = originals[members.front()];
    const fs::path& first_file = files[members.front()];
    const apk::PkgInfo& info = first.info();
    std::string origin = info.origin.empty() ? info.pkgname : info.origin;

    TempDir scratch("lupine-rebuild");
    fs::path recipe = scratch.path() / (origin + ".yaml");
    write_file_atomic(recipe, *first.control_file(".melange.yaml"));
    PipelineLibrary none(std::vector<fs::path>{});
    Diagnostics diagnostics;
    CompileOptions compile;
    compile.arch = info.arch;
    std::optional<BuildPlan> plan = compile_recipe_file(recipe.string(), none, compile, diagnostics);
    if (!plan || diagnostics.has_errors())
      fail("{}: its .melange.yaml does not compile:\n{}", first_file.string(), diagnostics.str());
    if (plan->full_version() != info.pkgver)
      fail("{}: its .melange.yaml builds {}-{}, not the package's version {}", first_file.string(),
           plan->package.name, plan->full_version(), info.pkgver);

    BuildOptions options = options_for(*plan, recipe);
    options.recipe = recipe;
    RecordedSbom sbom = recorded_sbom(first, first_file);
    options.recipe_name = sbom.recipe_name;
    options.recipe_sha256 = sbom.recipe_sha256;
    if (!sbom.namespace_name.empty()) options.namespace_name = sbom.namespace_name;
    options.source_date_epoch = info.builddate.value_or(0);
    options.source_date_origin = "the package's builddate";
    auto log = [&options](const std::string& line) {
      if (options.echo_output) fmt::print(stderr, "{}\n", line);
    };
    fs::path record = first_file.parent_path() / "buildlogs" / (origin + "-" + info.pkgver + ".buildroot.json");
    options.resolved_root = fs::is_regular_file(record)
                                ? recorded_build_root(build_root_request(*plan, options, log), record)
                                : resolve_build_root(build_root_request(*plan, options, log));
    build_package(*plan, options);

    for (size_t index : members) {
      RebuiltPackage& entry = report.packages[index];
      fs::path rebuilt = options.out_dir / info.arch / files[index].filename();
      if (!fs::exists(rebuilt)) {
        entry.difference.note = "the rebuild made no package " + files[index].filename().string();
        continue;
      }
      entry.rebuilt = rebuilt;
      entry.difference = apk::diff_packages(originals[index], apk::Package::read(rebuilt));
    }
  }
  return report;
}

}  // namespace lupine::builder
