// Semantic checks of an expanded recipe that melange makes when parsing it (config.go validate,
// validatePipelines, validateCapabilities, validateCPE) and when building (the version must parse):
// all of them reported, each at its location.
#pragma once

#include "common/diagnostics.h"
#include "builder/recipe/recipe.h"

namespace lupine::builder {

void validate_recipe(const Recipe& expanded, Diagnostics& diagnostics);

// ^[a-zA-Z\d][a-zA-Z\d+_.-]*$ (melange packageNameRegex).
bool valid_package_name(std::string_view name);

}  // namespace lupine::builder
