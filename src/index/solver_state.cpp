// Solver state: work queues, name discovery, constraint propagation and the main loop
// (apk-tools src/solver.c: queue_*, discover_name, apply_constraint, apk_solver_solve).
#include "index/solver_run.h"

#include <algorithm>

namespace lupine::index::solver_detail {

namespace {
constexpr uint32_t default_pinning = 1;  // tag 0, the untagged repositories
}

unsigned SolverRun::solve() {
  // The world is processed in name order (apk sorts it in place, so reports see it sorted too).
  std::stable_sort(db_.world.begin(), db_.world.end(),
                   [this](const Dep& a, const Dep& b) { return db_.name_less(a.name, b.name); });

  // Name flags are package state, which apk-tools clears after each attempt: a
  // --force-broken-world retry runs without them.
  bool first_attempt = true;
  for (;;) {
    reset_state(first_attempt);
    run_selection();
    generate_changeset();
    if (!errors || !db_.force_broken_world) break;
    bool dropped = false;
    for (Dep& dep : db_.world) {
      PackageId chosen = db_.names[dep.name].ss.chosen.package;
      if (!dep.broken && (chosen == no_id || db_.packages[chosen].ss.error)) dep.broken = dropped = true;
    }
    if (!dropped) break;  // nothing left to give up: report the errors
    first_attempt = false;
  }
  return errors;
}

void SolverRun::reset_state(bool apply_name_flags) {
  for (Name& name : db_.names) name.ss = NameState{};
  for (Package& package : db_.packages) {
    package.ss = PackageState{};
    package.marked = false;
  }
  changes.clear();
  errors = 0;
  dirty_ = resolve_now_ = selectable_ = unresolved_ = ListHead{};
  order_counter_ = 0;
  ignore_conflict_ = (db_.flags & solver_flags::ignore_conflict) != 0;
  if (!apply_name_flags) return;
  for (const NameFlags& flags : db_.name_flags) {
    NameId id = db_.find_name(flags.name);
    if (id == no_id) continue;
    db_.names[id].solver_flags_set = true;
    for (const Provider& provider : db_.names[id].providers) {
      db_.packages[provider.package].ss.solver_flags |= flags.flags;
      db_.packages[provider.package].ss.solver_flags_inheritable |= flags.inheritable;
    }
  }
}

void SolverRun::run_selection() {
  solver_flags_inherit_ = db_.flags;
  for (const Dep& dep : db_.world)
    if (!dep.broken) discover_name(dep.name);
  for (const Dep& dep : db_.world) {
    if (dep.broken) continue;
    pinning_inherit_ = 1u << dep.tag;
    apply_constraint(no_id, dep);
  }
  solver_flags_inherit_ = 0;
  pinning_inherit_ = 0;

  for (;;) {
    for (NameId name = dirty_pop(); name != no_id; name = dirty_pop()) reconsider_name(name);
    NameId name = dequeue_next_name();
    if (name == no_id) break;
    select_package(name);
  }
}

void SolverRun::mark_error(PackageId package) {
  if (package == no_id || db_.packages[package].ss.error) return;
  db_.packages[package].ss.error = true;
  ++errors;
}

// --- intrusive lists of names ------------------------------------------------------------
// The dirty list is FIFO. The three selection queues share one link per name: resolve-now is
// FIFO, the selectable and unresolved queues are kept in descending order_id.

void SolverRun::dirty_push(NameId id) {
  NameState& ss = db_.names[id].ss;
  ss.dirty = true;
  ss.dirty_prev = dirty_.tail;
  ss.dirty_next = no_id;
  if (dirty_.tail != no_id)
    db_.names[dirty_.tail].ss.dirty_next = id;
  else
    dirty_.head = id;
  dirty_.tail = id;
}

void SolverRun::dirty_remove(NameId id) {
  NameState& ss = db_.names[id].ss;
  if (!ss.dirty) return;
  if (ss.dirty_prev != no_id)
    db_.names[ss.dirty_prev].ss.dirty_next = ss.dirty_next;
  else
    dirty_.head = ss.dirty_next;
  if (ss.dirty_next != no_id)
    db_.names[ss.dirty_next].ss.dirty_prev = ss.dirty_prev;
  else
    dirty_.tail = ss.dirty_prev;
  ss.dirty = false;
  ss.dirty_prev = ss.dirty_next = no_id;
}

NameId SolverRun::dirty_pop() {
  NameId id = dirty_.head;
  if (id != no_id) dirty_remove(id);
  return id;
}

SolverRun::ListHead& SolverRun::queue_head(Queue queue) {
  switch (queue) {
    case Queue::resolve_now: return resolve_now_;
    case Queue::selectable: return selectable_;
    default: return unresolved_;
  }
}

void SolverRun::queue_push_back(Queue queue, NameId id) {
  ListHead& list = queue_head(queue);
  NameState& ss = db_.names[id].ss;
  ss.queue = queue;
  ss.queue_prev = list.tail;
  ss.queue_next = no_id;
  if (list.tail != no_id)
    db_.names[list.tail].ss.queue_next = id;
  else
    list.head = id;
  list.tail = id;
}

// apk-tools' queue_insert: before the first name whose order_id is not greater.
void SolverRun::queue_insert_ordered(Queue queue, NameId id) {
  ListHead& list = queue_head(queue);
  NameState& ss = db_.names[id].ss;
  for (NameId other = list.head; other != no_id; other = db_.names[other].ss.queue_next) {
    NameState& os = db_.names[other].ss;
    if (ss.order_id < os.order_id) continue;
    ss.queue = queue;
    ss.queue_next = other;
    ss.queue_prev = os.queue_prev;
    if (os.queue_prev != no_id)
      db_.names[os.queue_prev].ss.queue_next = id;
    else
      list.head = id;
    os.queue_prev = id;
    return;
  }
  queue_push_back(queue, id);
}

void SolverRun::queue_remove(NameId id) {
  NameState& ss = db_.names[id].ss;
  if (ss.queue == Queue::none) return;
  ListHead& list = queue_head(ss.queue);
  if (ss.queue_prev != no_id)
    db_.names[ss.queue_prev].ss.queue_next = ss.queue_next;
  else
    list.head = ss.queue_next;
  if (ss.queue_next != no_id)
    db_.names[ss.queue_next].ss.queue_prev = ss.queue_prev;
  else
    list.tail = ss.queue_prev;
  ss.queue = Queue::none;
  ss.queue_prev = ss.queue_next = no_id;
}

NameId SolverRun::queue_pop(Queue queue) {
  NameId id = queue_head(queue).head;
  if (id != no_id) queue_remove(id);
  return id;
}

NameId SolverRun::dequeue_next_name() {
  for (Queue queue : {Queue::resolve_now, Queue::selectable, Queue::unresolved}) {
    NameId id = queue_pop(queue);
    if (id == no_id) continue;
    SOLVER_TRACE("name <{}> selected from {} list\n", db_.names[id].text,
                 queue == Queue::resolve_now ? "resolvenow" : queue == Queue::selectable ? "selectable" : "unresolved");
    return id;
  }
  return no_id;
}

void SolverRun::queue_dirty(NameId id) {
  const NameState& ss = db_.names[id].ss;
  if (ss.dirty || ss.locked || (ss.requirers == 0 && !ss.reevaluate_iif)) return;
  SOLVER_TRACE("queue_dirty: {}\n", db_.names[id].text);
  dirty_push(id);
}

// A name with requirers whose only option is clear is resolved before anything else.
bool SolverRun::ready_to_resolve_now(const Name& name) const {
  return name.ss.reverse_deps_done && name.ss.requirers && name.ss.has_auto_selectable && !name.ss.has_options;
}

void SolverRun::queue_unresolved(NameId id, bool reevaluate) {
  Name& name = db_.names[id];
  NameState& ss = name.ss;
  if (ss.locked) return;
  if (ss.queue != Queue::none) {
    if (ss.resolve_now) return;
    if (ready_to_resolve_now(name))
      ss.resolve_now = true;
    else if (!reevaluate)
      return;
    queue_remove(id);
  } else {
    if (ss.requirers == 0 && !ss.has_iif && !ss.iif_needed) return;
    ss.resolve_now = ready_to_resolve_now(name);
  }
  SOLVER_TRACE("queue_unresolved: {}, requirers={}, has_iif={}, resolvenow={}\n", name.text, ss.requirers,
               int(ss.has_iif), int(ss.resolve_now));
  if (ss.resolve_now) {
    queue_push_back(Queue::resolve_now, id);
    return;
  }
  queue_insert_ordered(ss.has_auto_selectable ? Queue::selectable : Queue::unresolved, id);
}

// --- propagation ---------------------------------------------------------------------------

void SolverRun::reevaluate_reverse_deps(NameId id) {
  for (NameId other : db_.rdepends(id)) {
    NameState& ss = db_.names[other].ss;
    if (!ss.seen) continue;
    ss.reevaluate_deps = true;
    queue_dirty(other);
  }
}

void SolverRun::reevaluate_reverse_installif(NameId id) {
  for (NameId other : db_.rinstall_if(id)) {
    NameState& ss = db_.names[other].ss;
    if (!ss.seen || ss.no_iif) continue;
    ss.reevaluate_iif = true;
    queue_dirty(other);
  }
}

void SolverRun::reevaluate_reverse_installif_of(PackageId id) {
  const Package& package = db_.packages[id];
  reevaluate_reverse_installif(package.name);
  for (const Dep& provided : package.provides) reevaluate_reverse_installif(provided.name);
}

void SolverRun::disqualify(PackageId id) {
  const Package& package = db_.packages[id];
  SOLVER_TRACE("disqualify_package: {}\n", db_.package_label(id));
  db_.packages[id].ss.selectable = false;
  reevaluate_reverse_deps(package.name);
  for (const Dep& provided : package.provides) reevaluate_reverse_deps(provided.name);
  reevaluate_reverse_installif_of(id);
}

bool SolverRun::dependency_satisfiable(PackageId dependent, const Dep& dep) {
  if (dep.conflict() && ignore_conflict_) return true;
  const Name& name = db_.names[dep.name];
  if (name.ss.locked) return dep_is_provided(db_, dependent, dep, name.ss.chosen);
  if (name.ss.requirers == 0 && dep_is_provided(db_, dependent, dep, Provider{})) return true;
  for (const Provider& provider : name.providers)
    if (db_.packages[provider.package].ss.selectable && dep_is_provided(db_, dependent, dep, provider)) return true;
  return false;
}

// Marks a name and everything reachable from it as taking part, computing each package's
// static properties and the name's place in the selection order (order_id).
void SolverRun::discover_name(NameId id) {
  Name& name = db_.names[id];
  if (name.ss.seen) return;
  name.ss.seen = true;
  name.ss.no_iif = true;
  unsigned virtual_providers = 0;
  for (const Provider& provider : name.providers) {
    Package& package = db_.packages[provider.package];
    PackageState& ps = package.ss;
    if (!ps.seen) {
      ps.seen = true;
      ps.pinning_allowed = ps.pinning_preferred = default_pinning;
      ps.available = package.from_file || db_.package_available(package);
      ps.selectable = !package.uninstallable &&
                      (ps.available || package.cached || package.from_file || package.cached_non_repository ||
                       package.installed_size == 0 || package.installed);
      // install_if packages that cannot be fetched are pruned only with --available.
      ps.iif_failed = package.install_if.empty() ||
                      ((solver_flags_inherit_ & solver_flags::available) && !ps.available);
      uint32_t repos = db_.package_repos(package);
      ps.tag_preferred = package.from_file || package.installed_size == 0 || (repos & db_.default_repos);
      ps.tag_ok = ps.tag_preferred || package.cached_non_repository || package.installed;
      for (const Dep& dep : package.depends) discover_name(dep.name);
    }
    name.ss.no_iif = name.ss.no_iif && ps.iif_failed;
    virtual_providers += package.name != id;
  }

  for (NameId other : db_.rinstall_if(id)) discover_name(other);
  for (const Provider& provider : name.providers) {
    const Package& package = db_.packages[provider.package];
    for (NameId other : db_.rinstall_if(package.name)) discover_name(other);
    for (const Dep& provided : package.provides) discover_name(provided.name);
  }

  // Queues run in descending order_id, which apk-tools keeps in a signed int: bit 31 (no
  // solver flags were set for the name) makes it negative, so flagged names (those given on
  // the command line) come first; then names with real, not only virtual, providers (bit 30);
  // then the later discovered.
  uint32_t order_flags = 0;
  if (!name.solver_flags_set) order_flags |= 1u << 31;
  if (name.providers.size() != virtual_providers) order_flags |= 1u << 30;
  name.ss.order_id = static_cast<int32_t>(order_flags | ++order_counter_);
  SOLVER_TRACE("discover {}: no_iif={} num_virtual={}, order_id={:#x}\n", name.text, int(name.ss.no_iif),
               virtual_providers, uint32_t(name.ss.order_id));

  for (const Provider& provider : name.providers)
    for (const Dep& dep : db_.packages[provider.package].install_if) discover_name(dep.name);
}

void SolverRun::name_requirers_changed(NameId id) {
  queue_unresolved(id, false);
  reevaluate_reverse_installif(id);
  queue_dirty(id);
}

// Solver flags and allowed pinnings flow from a dependent (or the world) to its dependencies.
void SolverRun::inherit_pinning_and_flags(PackageId id, PackageId parent) {
  Package& package = db_.packages[id];
  PackageState& ps = package.ss;
  uint32_t repos = db_.package_repos(package);
  if (parent != no_id) {
    const PackageState& parent_state = db_.packages[parent].ss;
    ps.solver_flags |= parent_state.solver_flags_inheritable;
    ps.solver_flags_inheritable |= parent_state.solver_flags_inheritable;
    ps.pinning_allowed |= parent_state.pinning_allowed;
  } else {
    // A world dependency: its tag is both allowed and preferred.
    ps.solver_flags |= solver_flags_inherit_;
    ps.solver_flags_inheritable |= solver_flags_inherit_;
    ps.pinning_allowed |= pinning_inherit_;
    ps.pinning_preferred = pinning_inherit_;
    ps.tag_preferred = (repos & db_.pinning_mask_repos(ps.pinning_preferred)) != 0;
  }
  ps.tag_ok = ps.tag_ok || (repos & db_.pinning_mask_repos(ps.pinning_allowed)) != 0;
}

void SolverRun::apply_constraint(PackageId parent, const Dep& dep) {
  if (dep.conflict() && ignore_conflict_) return;
  Name& name = db_.names[dep.name];
  SOLVER_TRACE("    apply_constraint: {}\n", db_.dep_label(dep));
  if (!dep.conflict()) {
    ++name.ss.requirers;
    if (name.ss.requirers == 1) name_requirers_changed(dep.name);
  }
  for (const Provider& provider : name.providers) {
    PackageState& ps = db_.packages[provider.package].ss;
    bool provided = dep_is_provided(db_, parent, dep, provider);
    SOLVER_TRACE("    apply_constraint: provider: {}-{}: {}\n", db_.names[db_.packages[provider.package].name].text,
                 provider.has_version ? provider.version : std::string_view(), int(provided));
    ps.conflicts += !provided;
    if (ps.selectable && ps.conflicts) disqualify(provider.package);
    if (provided) inherit_pinning_and_flags(provider.package, parent);
  }
}

}  // namespace lupine::index::solver_detail
