// Narrowing a farm to what some recipes need, as `make package/NAME` does in wolfi-dev/os: the
// named recipes and every recipe they reach through the graph's edges (build and test inputs)
// for what the repositories do not have. Lets a whole wolfi-dev/os checkout be given while only
// one recipe and the chain it is missing are planned and built.
#pragma once

#include "farm/recipe_graph.h"

#include <map>
#include <string>
#include <vector>

namespace lupine::farm {

// The nodes of `graph` that the targets need, in graph order. A target is a recipe's name or any
// name a recipe produces (a subpackage, a provides entry). An input that one of the repositories
// offers (`offered`: names and provides) is taken from there and pulls in no recipe, as wolfictl
// builds one package against the published repository; so are inputs through a repository's
// packages. A target no recipe produces is an Error naming it.
std::vector<RecipeNode> nodes_needed_by(const RecipeGraph& graph, const std::vector<std::string>& targets,
                                        const std::map<std::string, std::string>& offered);

}  // namespace lupine::farm
