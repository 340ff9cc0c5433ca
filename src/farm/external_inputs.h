// Inputs no recipe of the graph produces: looked up in the given repositories (APKINDEX names
// and provides), else missing. Without repositories they are only listed (unchecked).
#pragma once

#include "farm/recipe_graph.h"
#include "index/package_add.h"

#include <map>
#include <string>
#include <vector>

namespace lupine::farm {

enum class ExternalStatus { unchecked, in_repository, missing };

struct ExternalInput {
  std::string name;
  std::vector<size_t> needed_by;  // node indices
  ExternalStatus status = ExternalStatus::unchecked;
  std::string provider;  // "name-version" of a repository package that has or provides it
};

// Every name the repositories offer (package names and provides) -> the first package (in
// repository order) offering it, as "name-version".
std::map<std::string, std::string> repository_names(const index::RepositorySet& repositories);

// Sorted by name. `repositories` may be null (nothing is checked).
std::vector<ExternalInput> classify_external(const RecipeGraph& graph, const index::RepositorySet* repositories);

}  // namespace lupine::farm
