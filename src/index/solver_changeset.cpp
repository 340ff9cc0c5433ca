// From selected packages to an ordered change set (apk-tools src/solver.c generate_changeset
// and its cset_* helpers): a depth-first walk from the world that records each package after
// its dependencies, removes installed packages nothing needs any more (and what depends on
// them), and adds install_if packages right after the last of their triggers.
#include "index/solver_run.h"

namespace lupine::index::solver_detail {

namespace {

// get_tag: the first tag of the pinning mask under which the package is reachable.
uint16_t pinning_tag(const SolverDatabase& db, uint32_t pinning_mask, uint32_t repos) {
  for (size_t i = 0; i < db.tags.size(); ++i)
    if ((pinning_mask & (1u << i)) && (db.tags[i].allowed_repos & repos)) return static_cast<uint16_t>(i);
  return 0;
}

}  // namespace

void SolverRun::generate_changeset() {
  changes.clear();
  // During change set generation `requirers` counts installed dependents of installed names.
  for (Name& name : db_.names) {
    name.ss.installed_package = no_id;
    name.ss.installed_name = no_id;
    name.ss.requirers = 0;
  }
  for (PackageId id : db_.installed_order) {
    const Package& package = db_.packages[id];
    db_.names[package.name].ss.installed_package = id;
    db_.names[package.name].ss.installed_name = package.name;
    for (const Dep& provided : package.provides)
      if (provided.has_version) db_.names[provided.name].ss.installed_name = package.name;
  }
  for (PackageId id : db_.installed_order) track_deps_added(id);
  for (PackageId id : db_.installed_order) check_removal_by_deps(id);

  for (const Dep& dep : db_.world) changeset_dep(no_id, dep);

  // Everything still installed: kept, replaced through another provider, or removed.
  for (PackageId id : db_.installed_order) changeset_name(db_.packages[id].name);
}

void SolverRun::record_change(PackageId old_package, PackageId new_package) {
  ChangeRecord change;
  change.old_package = old_package;
  change.new_package = new_package;
  if (old_package != no_id) change.old_tag = db_.packages[old_package].installed_tag;
  if (new_package != no_id) {
    const Package& package = db_.packages[new_package];
    change.new_tag = pinning_tag(db_, package.ss.pinning_allowed, db_.package_repos(package));
    change.reinstall = (package.ss.solver_flags & solver_flags::reinstall) != 0;
  }
  changes.push_back(change);
}

void SolverRun::track_deps_added(PackageId id) {
  for (const Dep& dep : db_.packages[id].depends) {
    NameId owner = db_.names[dep.name].ss.installed_name;
    if (dep.conflict() || owner == no_id) continue;
    ++db_.names[owner].ss.requirers;
  }
}

void SolverRun::track_deps_removed(PackageId id) {
  for (const Dep& dep : db_.packages[id].depends) {
    NameId owner = db_.names[dep.name].ss.installed_name;
    if (dep.conflict() || owner == no_id) continue;
    if (--db_.names[owner].ss.requirers > 0) continue;
    PackageId orphan = db_.names[dep.name].ss.installed_package;
    if (orphan != no_id) changeset_remove(orphan);
  }
}

// An orphaned name may have no requirers because another provider now satisfies it; that is
// handled later as a change of the name, so only remove when nothing was chosen for it.
void SolverRun::check_removal_by_deps(PackageId id) {
  const NameState& ss = db_.names[db_.packages[id].name].ss;
  if (ss.requirers == 0 && ss.chosen.package == no_id) changeset_remove(id);
}

void SolverRun::check_install_by_iif(NameId id) {
  const Name& name = db_.names[id];
  PackageId chosen = name.ss.chosen.package;
  if (chosen == no_id || !name.ss.seen || name.ss.changeset_processed) return;
  for (const Dep& dep : db_.packages[chosen].install_if) {
    const NameState& trigger = db_.names[dep.name].ss;
    if (!dep.conflict() && !trigger.changeset_processed) return;
    if (!dep_is_provided(db_, chosen, dep, trigger.chosen)) return;
  }
  changeset_name(id);
}

void SolverRun::check_removal_by_iif(NameId id) {
  const NameState& ss = db_.names[id].ss;
  PackageId installed = ss.installed_package;
  if (installed == no_id || ss.chosen.package != no_id) return;
  if (ss.changeset_processed || ss.changeset_removed) return;
  for (const Dep& dep : db_.packages[installed].install_if) {
    const NameState& trigger = db_.names[dep.name].ss;
    if (trigger.changeset_removed && trigger.chosen.package == no_id) {
      check_removal_by_deps(installed);
      return;
    }
  }
}

template <typename Callback>
void SolverRun::for_each_reverse_iif(PackageId id, Callback callback) {
  if (id == no_id) return;
  const Package& package = db_.packages[id];
  for (NameId name : db_.rinstall_if(package.name)) callback(name);
  for (const Dep& provided : package.provides)
    for (NameId name : db_.rinstall_if(provided.name)) callback(name);
}

void SolverRun::changeset_preprocess(NameId id) {
  NameState& ss = db_.names[id].ss;
  if (ss.changeset_processed) return;
  ss.changeset_processed = true;
  // The name was provided by an installed package of another name: that one goes.
  PackageId chosen = ss.chosen.package;
  if (ss.installed_package != no_id && (chosen == no_id || db_.packages[chosen].name != id))
    changeset_remove(ss.installed_package);
  // So does any installed provider of this name whose own name got nothing.
  for (const Provider& provider : db_.names[id].providers) {
    const NameState& owner = db_.names[db_.packages[provider.package].name].ss;
    if (owner.installed_package == provider.package && owner.chosen.package == no_id)
      changeset_remove(provider.package);
  }
}

void SolverRun::changeset_name(NameId id) {
  if (db_.names[id].ss.changeset_processed) return;
  changeset_preprocess(id);
  PackageId chosen = db_.names[id].ss.chosen.package;
  if (chosen == no_id || db_.packages[chosen].ss.in_changeset) return;
  Package& package = db_.packages[chosen];
  package.ss.in_changeset = true;
  changeset_preprocess(package.name);
  for (const Dep& provided : package.provides) changeset_preprocess(provided.name);

  PackageId old_package = db_.names[package.name].ss.installed_package;
  for_each_reverse_iif(old_package, [this](NameId name) { check_removal_by_iif(name); });
  for (const Dep& dep : package.depends) changeset_dep(chosen, dep);
  record_change(old_package, chosen);
  for_each_reverse_iif(chosen, [this](NameId name) { check_install_by_iif(name); });
  track_deps_added(chosen);
  if (old_package != no_id) track_deps_removed(old_package);
}

void SolverRun::changeset_remove(PackageId id) {
  Package& package = db_.packages[id];
  NameState& ss = db_.names[package.name].ss;
  if (package.ss.in_changeset ||
      (ss.chosen.package != no_id && db_.packages[ss.chosen.package].name == package.name))
    return;
  ss.changeset_removed = true;
  package.ss.in_changeset = true;
  // Installed packages depending on it go first.
  ReverseDependencyFilter filter;
  filter.installed_only = true;
  for_each_reverse_dependency(db_, id, filter, [this](PackageId dependent, const Dep&) { changeset_remove(dependent); });
  for_each_reverse_iif(id, [this](NameId name) { check_removal_by_iif(name); });
  record_change(id, no_id);
  track_deps_removed(id);
}

void SolverRun::changeset_dep(PackageId parent, const Dep& dep) {
  if (dep.conflict() && ignore_conflict_) return;
  const NameState& ss = db_.names[dep.name].ss;
  PackageId chosen = ss.chosen.package;
  if (!dep_is_provided(db_, parent, dep, ss.chosen)) mark_error(parent);  // unfulfilled dependency
  changeset_name(dep.name);
  if (chosen != no_id && db_.packages[chosen].ss.error) mark_error(parent);  // propagates up
}

}  // namespace lupine::index::solver_detail
