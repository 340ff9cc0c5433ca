// A compiled recipe written back as a recipe, as melange writes its compiled configuration into
// every package (.melange.yaml) and prints it (melange compile): every substitution done, each
// `uses:` laid out into its steps (kept as `uses:`, the `with:` that differs from the pipeline's
// defaults, and the nested `pipeline:`), subpackage ranges expanded, steps and subpackages whose
// `if:` is false left out, and no vars, data or options left to apply. It compiles again, without
// the pipeline library, to the same plan: compiled_recipe_yaml of that plan is the same text.
//
// With `locked_packages` (the build root: "name=version" of every installed package, as
// melange locks its environment), those replace environment.contents.packages: the exact root the
// package was built in.
#pragma once

#include "builder/recipe/compile.h"

#include <string>
#include <vector>

namespace lupine::builder {

std::string compiled_recipe_yaml(const BuildPlan& plan, const std::vector<std::string>& locked_packages = {});

}  // namespace lupine::builder
