// Public entry points of the solver: building the model, running it, and turning its internal
// change records into Changes that point at the caller's records.
#include "index/solver.h"

#include "index/solver_database.h"
#include "index/solver_errors.h"
#include "index/solver_run.h"

namespace lupine::index {

using namespace solver_detail;

namespace {

ChangeKind change_kind(const SolverDatabase& db, const ChangeRecord& change) {
  if (change.old_package == no_id) return ChangeKind::install;
  if (change.new_package == no_id) return ChangeKind::purge;
  if (change.old_package == change.new_package) {
    if (change.reinstall) return ChangeKind::reinstall;
    if (change.old_tag != change.new_tag) return ChangeKind::pinning_update;
    return ChangeKind::unchanged;
  }
  switch (apk::version_compare(db.packages[change.new_package].version, db.packages[change.old_package].version)) {
    case apk::LESS: return ChangeKind::downgrade;
    case apk::EQUAL: return ChangeKind::replace;
    default: return ChangeKind::upgrade;
  }
}

}  // namespace

Solution SolverDatabase::solve() {
  SolverRun run(*this);
  run.solve();
  last_changes = run.changes;

  Solution solution;
  solution.errors = run.errors;
  solution.warnings = warnings;
  solution.installed_packages_before = installed_order.size();
  solution.installed_bytes_before = installed_bytes;
  for (const ChangeRecord& record : run.changes) {
    Change change;
    change.kind = change_kind(*this, record);
    change.old_tag = tag_name(record.old_tag);
    change.new_tag = tag_name(record.new_tag);
    if (record.old_package != no_id) change.old_package = packages[record.old_package].record;
    if (record.new_package != no_id) {
      const Package& package = packages[record.new_package];
      change.new_package = package.repository_record ? package.repository_record : package.record;
      change.repository = select_repository(package);
      change.fetchable = package.cached || package.from_file || package_available(package);
    }
    solution.changes.push_back(std::move(change));
  }
  if (run.errors) solution.problems = analyze_problems(*this, run.changes);
  return solution;
}

Solution solve(const SolverRequest& request) {
  SolverDatabase db(request);
  return db.solve();
}

size_t Solution::action_count() const {
  size_t count = 0;
  for (const Change& change : changes) count += change.does_something();
  return count;
}

uint64_t Solution::installed_packages_after() const {
  int64_t count = static_cast<int64_t>(installed_packages_before);
  for (const Change& change : changes) count += (change.new_package != nullptr) - (change.old_package != nullptr);
  return static_cast<uint64_t>(count);
}

uint64_t Solution::installed_bytes_after() const {
  int64_t bytes = static_cast<int64_t>(installed_bytes_before);
  for (const Change& change : changes) {
    if (change.new_package) bytes += static_cast<int64_t>(change.new_package->installed_size);
    if (change.old_package) bytes -= static_cast<int64_t>(change.old_package->installed_size);
  }
  return static_cast<uint64_t>(bytes);
}

}  // namespace lupine::index
