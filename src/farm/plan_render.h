// What `lupine farm plan` prints: text for people, JSON for tools, DOT for graphviz.
#pragma once

#include "farm/plan.h"

#include <string>

namespace lupine::farm {

// Levels, cycles, recipes that cannot be built (and what they block), ambiguous providers,
// external and missing inputs, then one summary line with the counts and time.
std::string plan_text(const FarmPlan& plan);
// The closing line of plan_text: "planned N recipes: ... in S s".
std::string plan_summary(const FarmPlan& plan);
std::string plan_json(const FarmPlan& plan);
// An edge "a" -> "b" means a needs b (b is built first); cycle members red, unbuildable ones grey.
std::string plan_dot(const FarmPlan& plan);

}  // namespace lupine::farm
