// One run of the solver over a SolverDatabase (index-layer internal). The steps follow
// apk-tools' src/solver.c closely because its results depend on their exact order:
//   solver_state.cpp     queues, discovery, constraints, the main loop (apk_solver_solve)
//   solver_select.cpp    reconsidering names, comparing providers, selecting and assigning
//   solver_changeset.cpp turning the selection into ordered changes (generate_changeset)
#pragma once

#include "index/solver_database.h"

#include <vector>

// Building with -DLUPINE_SOLVER_TRACE prints the solver's steps to stderr in the words of
// apk-tools' DEBUG_PRINT output (src/solver.c), so that both traces can be compared.
#ifdef LUPINE_SOLVER_TRACE
#include <fmt/format.h>
#define SOLVER_TRACE(...) fmt::print(stderr, __VA_ARGS__)
#else
#define SOLVER_TRACE(...) \
  do {                    \
  } while (0)
#endif

namespace lupine::index::solver_detail {

class SolverRun {
 public:
  explicit SolverRun(SolverDatabase& db) : db_(db) {}

  // apk_solver_solve: selects packages for db.world (sorted by name as a side effect) and
  // fills `changes`; returns the number of errors.
  unsigned solve();

  std::vector<ChangeRecord> changes;
  unsigned errors = 0;

 private:
  struct ListHead {
    NameId head = no_id, tail = no_id;
  };

  // solver_state.cpp
  void reset_state(bool apply_name_flags);
  void run_selection();
  void mark_error(PackageId package);
  void dirty_push(NameId name);
  NameId dirty_pop();
  void dirty_remove(NameId name);
  ListHead& queue_head(Queue queue);
  void queue_push_back(Queue queue, NameId name);
  void queue_insert_ordered(Queue queue, NameId name);
  void queue_remove(NameId name);
  NameId queue_pop(Queue queue);
  void queue_dirty(NameId name);
  bool ready_to_resolve_now(const Name& name) const;
  void queue_unresolved(NameId name, bool reevaluate);
  void reevaluate_reverse_deps(NameId name);
  void reevaluate_reverse_installif(NameId name);
  void reevaluate_reverse_installif_of(PackageId package);
  void disqualify(PackageId package);
  bool dependency_satisfiable(PackageId dependent, const Dep& dep);
  void discover_name(NameId name);
  void name_requirers_changed(NameId name);
  void inherit_pinning_and_flags(PackageId package, PackageId parent);
  void apply_constraint(PackageId parent, const Dep& dep);
  NameId dequeue_next_name();

  // solver_select.cpp
  void exclude_non_providers(NameId name, NameId must_provide, bool skip_virtuals);
  bool auto_selectable(const Provider& provider) const;
  void reconsider_name(NameId name);
  int compare_providers(const Provider& a, const Provider& b) const;
  void assign_name(NameId name, const Provider& provider);
  void select_package(NameId name);

  // solver_changeset.cpp
  void generate_changeset();
  void record_change(PackageId old_package, PackageId new_package);
  void track_deps_added(PackageId package);
  void track_deps_removed(PackageId package);
  void check_removal_by_deps(PackageId package);
  void check_install_by_iif(NameId name);
  void check_removal_by_iif(NameId name);
  template <typename Callback>
  void for_each_reverse_iif(PackageId package, Callback callback);
  void changeset_preprocess(NameId name);
  void changeset_name(NameId name);
  void changeset_remove(PackageId package);
  void changeset_dep(PackageId parent, const Dep& dep);

  SolverDatabase& db_;
  ListHead dirty_, resolve_now_, selectable_, unresolved_;
  uint32_t order_counter_ = 0;
  unsigned solver_flags_inherit_ = 0;
  uint32_t pinning_inherit_ = 0;
  bool ignore_conflict_ = false;
};

}  // namespace lupine::index::solver_detail
