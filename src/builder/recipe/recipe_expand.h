// The parse-time half of melange's two substitution phases (pkg/config/config.go
// ParseConfiguration), applied to a freshly read recipe:
//   1. enabled build options (--build-option) patch vars and environment packages (melange applies
//      them after parsing; applying them first lets option vars reach the parse-time pass too);
//   2. var-transforms run in order, each adding ${{vars.<to>}};
//   3. package.{name,version,description,epoch,full-version} and vars.* are substituted leniently
//      (unknown names stay) into the fields melange's replacer covers: package metadata, pipelines
//      (not `uses`), subpackages, environment, tests and the update block;
//   4. subpackages with `range:` are cloned per item of that `data` entry, keys sorted, with
//      ${{range.key}} / ${{range.value}};
//   5. dependencies, provides, replaces, priorities and environment packages are checked strictly:
//      a reference left there is an error, as in melange's applySubstitutionsFor*;
//   6. the default environment variables (HOME, GOPATH, ...) and the `build` user and group
//      (uid/gid 1000) are added when absent.
// Locations are kept, so later errors still point into the recipe.
#pragma once

#include "common/diagnostics.h"
#include "builder/recipe/recipe.h"

#include <string>
#include <vector>

namespace lupine::builder {

Recipe expand_recipe(const Recipe& recipe, const std::vector<std::string>& build_options, Diagnostics& diagnostics);

}  // namespace lupine::builder
