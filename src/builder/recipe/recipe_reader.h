// Reading recipes and pipeline files into the model. Schema problems (unknown keys, wrong types,
// YAML syntax) are reported to `diagnostics` with their file:line:column and reading carries on, so
// a broken recipe shows all its errors at once; the returned model holds whatever was readable.
#pragma once

#include "common/diagnostics.h"
#include "builder/recipe/recipe.h"

#include <memory>
#include <string>

namespace lupine::builder {

Recipe read_recipe(const std::shared_ptr<const SourceFile>& file, Diagnostics& diagnostics);

// Reads the file first; throws lupine::Error when it cannot be read.
Recipe read_recipe_file(const std::string& path, Diagnostics& diagnostics);

// A pipeline definition (the target of `uses:`): name, description, inputs, needs, pipeline, and
// the other step keys. melange decodes these without KnownFields, so it ignores unknown keys;
// lupine reports them, but accepts `description` on every step since Wolfi's files document steps
// with it.
Step read_pipeline_file(const std::shared_ptr<const SourceFile>& file, Diagnostics& diagnostics);

}  // namespace lupine::builder
