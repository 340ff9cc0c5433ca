// What a farm run could not find anywhere but a bootstrap: `lupine farm stages` refuses a stage that
// takes nothing from the bootstrap when this is not empty (stages.h).
#pragma once

#include "farm/plan.h"
#include "index/repository.h"

#include <string>
#include <vector>

namespace lupine::farm {

// One line per input: "perl (needed by m4, openssl)" for an input no recipe makes and no repository
// has, and "busybox (needed by baselayout before busybox's recipe is built: a cycle's first round)"
// for what a cycle's member takes from the repositories because the member making it comes later in
// the cycle's sequence (build_order.h). `repositories` may be null: nothing is there.
std::vector<std::string> unmet_inputs(const FarmPlan& plan, const index::RepositorySet* repositories);

}  // namespace lupine::farm
