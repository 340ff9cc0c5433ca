// Error analysis of a failed solve (index-layer internal; see solver_errors.cpp).
#pragma once

#include "index/solver_run.h"

#include <vector>

namespace lupine::index::solver_detail {

// Marks the change set's new packages and explains what went wrong, as apk-tools'
// apk_solver_print_errors.
std::vector<SolverProblem> analyze_problems(SolverDatabase& db, const std::vector<ChangeRecord>& changes);

}  // namespace lupine::index::solver_detail
