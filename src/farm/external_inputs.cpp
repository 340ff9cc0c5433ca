#include "farm/external_inputs.h"

#include "apk/dependency.h"
#include "common/error.h"

#include <map>

namespace lupine::farm {

std::map<std::string, std::string> repository_names(const index::RepositorySet& repositories) {
  std::map<std::string, std::string> names;
  for (const auto& loaded : repositories.indexes()) {
    for (const auto& record : loaded.records) {
      std::string identity = record.name + "-" + record.version;
      names.emplace(record.name, identity);
      for (const auto& provided : record.provides) {
        try {
          names.emplace(apk::parse_dependency(provided).name, identity);
        } catch (const Error&) {
          // A malformed provides entry offers nothing (apk-tools skips it too).
        }
      }
    }
  }
  return names;
}

std::vector<ExternalInput> classify_external(const RecipeGraph& graph, const index::RepositorySet* repositories) {
  std::map<std::string, std::string> offered;
  if (repositories) offered = repository_names(*repositories);
  std::vector<ExternalInput> out;
  for (const auto& [name, needed_by] : graph.external) {
    ExternalInput input{name, needed_by, ExternalStatus::unchecked, {}};
    if (repositories) {
      auto found = offered.find(name);
      input.status = found == offered.end() ? ExternalStatus::missing : ExternalStatus::in_repository;
      if (found != offered.end()) input.provider = found->second;
    }
    out.push_back(std::move(input));
  }
  return out;
}

}  // namespace lupine::farm
