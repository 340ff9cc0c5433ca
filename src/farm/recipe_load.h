// Turning recipe files into graph nodes: each recipe compiled for one arch (builder/compile.h),
// its outputs and inputs read off the build plan. Compiling ~1,700 Wolfi recipes takes seconds,
// so files are compiled on several threads.
#pragma once

#include "builder/recipe/compile.h"
#include "builder/recipe/pipeline_library.h"
#include "farm/recipe_graph.h"

#include <filesystem>
#include <string>
#include <vector>

namespace lupine::farm {

// The recipe files of `paths`: a directory contributes its *.yaml files (not recursively, dot
// files skipped), a file itself. Sorted, without duplicates. Throws Error for a path that is
// neither.
std::vector<std::filesystem::path> find_recipes(const std::vector<std::filesystem::path>& paths);

// The node of a compiled recipe (outputs, inputs without the recipe's own outputs).
RecipeNode node_from_plan(const std::string& path, const builder::BuildPlan& plan);

// Compiles every recipe on `threads` threads (0 = hardware concurrency). A recipe that fails to
// compile is a node in state `error` (its package name and outputs as far as they were read), one
// outside its target-architecture a node in state `skipped`; neither stops the others.
std::vector<RecipeNode> load_recipes(const std::vector<std::filesystem::path>& recipes,
                                     const builder::PipelineLibrary& library,
                                     const builder::CompileOptions& options, unsigned threads = 0);

}  // namespace lupine::farm
