// Edges a recipe's inputs bring through the runtime dependencies the tree's packages declare: a
// build environment asking for build-base (the tree's meta package) installs gcc, make and
// glibc-dev with it, and glibc-dev brings libxcrypt-dev. When recipes of the tree make those, the
// recipe depends on them as surely as if it had named them: an edge `through` the package that
// declares the dependency (build-base, glibc-dev), as bootstrap_edges.h does for a bootstrap's
// packages. Followed transitively; none where an edge between the two recipes exists already.
#pragma once

#include "farm/recipe_graph.h"

namespace lupine::farm {

void add_runtime_edges(RecipeGraph& graph);

}  // namespace lupine::farm
