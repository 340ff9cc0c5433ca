#include "builder/build/build_root_record.h"

#include <nlohmann/json.hpp>

namespace lupine::builder {

std::filesystem::path build_root_record_path(const std::filesystem::path& log) {
  std::filesystem::path record = log;
  record.replace_extension(".buildroot.json");
  return record;
}

std::string build_root_record_json(const std::string& package, const std::string& version, const std::string& arch,
                                   const std::vector<BuildRootPackage>& build_root) {
  nlohmann::ordered_json record;
  record["package"] = package;
  record["version"] = version;
  record["arch"] = arch;
  record["build_root"] = nlohmann::ordered_json::array();
  for (const auto& input : build_root)
    record["build_root"].push_back(
        {{"name", input.name}, {"version", input.version}, {"arch", input.arch}, {"identity", input.identity}});
  return record.dump(2) + "\n";
}

}  // namespace lupine::builder
