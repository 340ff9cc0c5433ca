#include "farm/stages.h"

#include "common/error.h"
#include "common/fs.h"
#include "farm/farm_publish.h"
#include "apk/dependency.h"
#include "index/index_archive.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <set>

namespace lupine::farm {
namespace fs = std::filesystem;

namespace {

std::string where(const std::string& origin, const YAML::Node& node) {
  return node.Mark().is_null() ? origin : fmt::format("{}:{}", origin, node.Mark().line + 1);
}

std::string scalar(const YAML::Node& node, const std::string& origin, const std::string& what) {
  if (!node.IsScalar()) fail("{}: {}: expected a string", where(origin, node), what);
  return node.as<std::string>();
}

}  // namespace

std::vector<Stage> parse_stages(std::string_view text, const std::string& origin, const fs::path& base) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& error) {
    fail("{}:{}: {}", origin, error.mark.is_null() ? 0 : error.mark.line + 1, error.msg);
  }
  if (!root.IsMap() || !root["stages"] || !root["stages"].IsSequence() || root["stages"].size() == 0)
    fail("{}: expected `stages:`, a list of stages (name, recipes, bootstrap)", origin);
  for (const auto& key : root)
    if (key.first.as<std::string>() != "stages")
      fail("{}: unknown key \"{}\" (known: stages)", where(origin, key.first), key.first.as<std::string>());
  std::vector<Stage> stages;
  for (const auto& node : root["stages"]) {
    if (!node.IsMap()) fail("{}: expected a stage (name, recipes, bootstrap)", where(origin, node));
    Stage stage;
    for (const auto& key : node) {
      std::string name = key.first.as<std::string>();
      if (name == "name") {
        stage.name = scalar(key.second, origin, "name");
      } else if (name == "bootstrap") {
        std::string value = scalar(key.second, origin, "bootstrap");
        if (value != "true" && value != "false") fail("{}: bootstrap: expected true or false", where(origin, key.second));
        stage.bootstrap = value == "true";
      } else if (name == "cycles") {
        std::string value = scalar(key.second, origin, "cycles");
        if (value != "once" && value != "fixpoint")
          fail("{}: cycles: expected once or fixpoint, not \"{}\"", where(origin, key.second), value);
        stage.cycles_once = value == "once";
      } else if (name == "on-demand") {
        std::string value = scalar(key.second, origin, "on-demand");
        if (value != "true" && value != "false") fail("{}: on-demand: expected true or false", where(origin, key.second));
        stage.on_demand = value == "true";
      } else if (name == "compare") {
        stage.compare = scalar(key.second, origin, "compare");
        if (std::none_of(stages.begin(), stages.end(), [&](const Stage& s) { return s.name == stage.compare; }))
          fail("{}: compare: {} is not a stage before this one", where(origin, key.second), stage.compare);
      } else if (name == "recipes") {
        if (!key.second.IsSequence() || key.second.size() == 0)
          fail("{}: recipes: expected a list of recipe files and directories", where(origin, key.second));
        for (const auto& path : key.second)
          stage.recipes.push_back((base / scalar(path, origin, "recipes")).lexically_normal());
      } else {
        fail("{}: unknown key \"{}\" in a stage (known: name, recipes, bootstrap, cycles, on-demand, compare)", where(origin, key.first), name);
      }
    }
    if (stage.name.empty() || stage.name.find('/') != std::string::npos || stage.name[0] == '.')
      fail("{}: a stage needs a name that can be a directory's (stage1)", where(origin, node));
    if (stage.recipes.empty()) fail("{}: stage {} has no recipes", where(origin, node), stage.name);
    for (const auto& earlier : stages)
      if (earlier.name == stage.name) fail("{}: a second stage named {}", where(origin, node), stage.name);
    stages.push_back(std::move(stage));
  }
  return stages;
}

std::vector<Stage> load_stages(const fs::path& file) {
  return parse_stages(read_file(file), file.string(), fs::absolute(file).parent_path());
}

std::set<std::string> stage_identities(const fs::path& repo, const std::string& arch) {
  std::set<std::string> identities;
  for (const fs::path& index : {repo / arch / "APKINDEX.tar.gz", repo / kRoundOne / arch / "APKINDEX.tar.gz"}) {
    std::error_code error;
    if (!fs::is_regular_file(index, error)) continue;
    for (const auto& record : index::read_index_archive(index).records) identities.insert(record.identity);
  }
  return identities;
}

std::vector<RecordViolation> check_stage_records(const fs::path& repo, const std::string& arch,
                                                 const std::set<std::string>& allowed, size_t& checked) {
  std::vector<RecordViolation> violations;
  checked = 0;
  for (const fs::path& dir : {repo / arch, repo / kRoundOne / arch}) {
    std::error_code error;
    if (!fs::is_regular_file(dir / "APKINDEX.tar.gz", error)) continue;
    // One record per recipe build: <origin>-<version>.buildroot.json of each indexed package.
    std::set<std::string> records;
    for (const auto& record : index::read_index_archive(dir / "APKINDEX.tar.gz").records)
      records.insert((record.origin.empty() ? record.name : record.origin) + "-" + record.version);
    for (const auto& name : records) {
      fs::path file = dir / "buildlogs" / (name + ".buildroot.json");
      if (!fs::is_regular_file(file, error)) {
        violations.push_back({file.string(), name, "no build-root record"});
        continue;
      }
      ++checked;
      auto json = nlohmann::json::parse(read_file(file), nullptr, false);
      if (json.is_discarded() || !json.contains("build_root") || !json["build_root"].is_array()) {
        violations.push_back({file.string(), name, "not a build-root record"});
        continue;
      }
      for (const auto& input : json["build_root"]) {
        std::string identity = input.value("identity", "");
        if (!allowed.count(identity))
          violations.push_back({file.string(), input.value("name", "") + "-" + input.value("version", ""), identity});
      }
    }
  }
  return violations;
}

std::vector<std::string> unmet_runtime_dependencies(const std::vector<fs::path>& repos, const std::string& arch) {
  std::vector<index::IndexRecord> records;
  for (const auto& repo : repos) {
    std::error_code error;
    if (!fs::is_regular_file(repo / arch / "APKINDEX.tar.gz", error)) continue;
    auto index = index::read_index_archive(repo / arch / "APKINDEX.tar.gz");
    records.insert(records.end(), index.records.begin(), index.records.end());
  }
  std::set<std::string> met;
  for (const auto& record : records) {
    met.insert(record.name);
    for (const auto& provided : record.provides) met.insert(apk::parse_dependency(provided).name);
  }
  std::map<std::string, std::set<std::string>> unmet;
  for (const auto& record : records)
    for (const auto& atom : record.depends) {
      apk::Dependency dependency = apk::parse_dependency(atom);
      if (!dependency.conflict && !met.count(dependency.name)) unmet[dependency.name].insert(record.name);
    }
  std::vector<std::string> out;
  for (const auto& [name, needers] : unmet) out.push_back(fmt::format("{} (needed by {})", name, fmt::join(needers, ", ")));
  return out;
}

std::vector<StageResult> run_stages(const StagesOptions& options,
                                    const std::function<void(const Stage&, const std::vector<std::string>&)>& on_stage,
                                    const FarmObserver& observer) {
  for (const auto& name : options.only)
    if (std::none_of(options.stages.begin(), options.stages.end(), [&](const Stage& s) { return s.name == name; }))
      fail("--stage {}: no such stage (the stages file has {})", name, [&] {
        std::string names;
        for (const auto& stage : options.stages) names += (names.empty() ? "" : ", ") + stage.name;
        return names;
      }());
  const fs::path root = fs::absolute(options.farm.out_dir).lexically_normal();
  const std::string& arch = options.farm.plan.compile.arch;
  std::vector<StageResult> results;
  for (size_t i = 0; i < options.stages.size(); ++i) {
    const Stage& stage = options.stages[i];
    bool named = std::find(options.only.begin(), options.only.end(), stage.name) != options.only.end();
    if (options.only.empty() ? stage.on_demand : !named) continue;
    FarmBuildOptions farm = options.farm;
    farm.out_dir = root / stage.name;
    farm.plan.recipe_paths = stage.recipes;
    farm.cycles_once = stage.cycles_once;
    farm.repositories.clear();
    for (size_t j = i; j-- > 0;)  // earlier stages, latest first (those that have published)
      if (fs::exists(root / options.stages[j].name / arch / "APKINDEX.tar.gz"))
        farm.repositories.push_back((root / options.stages[j].name).string());
    if (stage.bootstrap) {
      farm.repositories.insert(farm.repositories.end(), options.farm.repositories.begin(),
                               options.farm.repositories.end());
    } else {
      farm.refuse_missing_inputs = fmt::format(
          "{} takes nothing from the bootstrap, and no recipe of it or of an earlier stage makes", stage.name);
    }
    if (on_stage) on_stage(stage, farm.repositories);
    StageResult result;
    result.name = stage.name;
    result.build = build_farm(farm, observer);
    if (!stage.bootstrap) {
      std::set<std::string> allowed;
      for (size_t j = 0; j <= i; ++j) {
        auto identities = stage_identities(root / options.stages[j].name, arch);
        allowed.insert(identities.begin(), identities.end());
      }
      result.violations = check_stage_records(farm.out_dir, arch, allowed, result.records_checked);
    }
    std::vector<fs::path> published;
    for (size_t j = 0; j <= i; ++j) published.push_back(root / options.stages[j].name);
    result.unmet_runtime = unmet_runtime_dependencies(published, arch);
    if (!stage.compare.empty() && result.build.ok()) {
      result.compared_with = stage.compare;
      result.comparisons = compare_stage_packages(farm.out_dir, root / stage.compare, arch);
    }
    bool ok = result.ok();
    results.push_back(std::move(result));
    if (!ok) break;
  }
  return results;
}

}  // namespace lupine::farm
