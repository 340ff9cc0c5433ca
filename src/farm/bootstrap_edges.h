// Edges a recipe's inputs hide behind the external repositories' packages. A build environment
// asking for build-base (a bootstrap's meta package) gets gcc, glibc-dev and binutils with it, and
// binutils brings so:libz.so.1. When a recipe of the tree makes glibc-dev or zlib, the build root
// holds the tree's package instead of the bootstrap's (the higher version wins), so the recipe
// depends on that recipe as surely as if it had named it: an edge `through` build-base.
//
// The closure follows each external input through the repositories' dependencies (D: atoms,
// matched by package name, else by provides) and stops at a package whose name the tree makes.
// Each recipe also gets its `bootstrap_dependents`: how many repository packages depend directly
// on one of its packages' names (glibc: nearly all of stage 0; busybox: one). It says how much of
// the bootstrap stands on the recipe, which orders a cycle's members (build_order.h).
#pragma once

#include "farm/recipe_graph.h"
#include "index/index_record.h"

#include <vector>

namespace lupine::farm {

// Adds the edges to `graph` (none where an edge between the two recipes exists already; no
// self-edges) and sets bootstrap_dependents. `external` are the repositories' records.
void add_bootstrap_edges(RecipeGraph& graph, const std::vector<const index::IndexRecord*>& external);

}  // namespace lupine::farm
