// Choosing providers (apk-tools src/solver.c: reconsider_name, compare_providers,
// select_package, assign_name).
#include "index/solver_run.h"

#include <bit>

namespace lupine::index::solver_detail {

namespace {

// apk-tools' merge_index: counts a name only while every option so far had it.
bool merge_index(uint32_t& index, unsigned options) {
  if (index != options) return false;
  index = options + 1;
  return true;
}

// True when every option had it; resets the counter for the next round.
bool merge_index_complete(uint32_t& index, unsigned options) {
  bool all = index == options;
  index = 0;
  return all;
}

int lowest_repository(uint32_t repos) { return repos ? std::countr_zero(repos) + 1 : 0; }  // ffs()

}  // namespace

// "Provides transitivity": when every candidate for `must_provide` also provides `name`,
// providers of `name` that do not provide `must_provide` cannot be used.
void SolverRun::exclude_non_providers(NameId name, NameId must_provide, bool skip_virtuals) {
  if (name == must_provide || ignore_conflict_) return;
  for (const Provider& provider : db_.names[name].providers) {
    const Package& package = db_.packages[provider.package];
    if (package.name == must_provide || !package.ss.selectable || (skip_virtuals && !provider.has_version))
      continue;
    bool provides_it = false;
    for (const Dep& provided : package.provides)
      if (provided.name == must_provide || (skip_virtuals && !provided.has_version)) provides_it = true;
    if (!provides_it) disqualify(provider.package);
  }
}

// Unversioned provides are not picked automatically unless the package declares a
// provider_priority or is itself required by name.
bool SolverRun::auto_selectable(const Provider& provider) const {
  if (provider.has_version) return true;
  const Package& package = db_.packages[provider.package];
  return package.provider_priority != 0 || db_.names[package.name].ss.requirers != 0;
}

// Re-examines a name's candidates after something it depends on changed: drops candidates
// whose dependencies can no longer be met, evaluates install_if triggers, and pushes down
// what all remaining candidates agree on (common dependencies, provides transitivity).
void SolverRun::reconsider_name(NameId id) {
  Name& name = db_.names[id];
  SOLVER_TRACE("reconsider_name: {}\n", name.text);
  bool reevaluate_deps = name.ss.reevaluate_deps;
  bool reevaluate_iif = name.ss.reevaluate_iif;
  name.ss.reevaluate_deps = name.ss.reevaluate_iif = false;

  PackageId first_candidate = no_id;
  unsigned options = 0, tag_not_ok = 0;
  bool has_iif = false, no_iif = true, has_auto_selectable = false, reevaluate = false;

  for (const Provider& provider : name.providers) {
    PackageId pid = provider.package;
    Package& package = db_.packages[pid];
    PackageState& ps = package.ss;
    ps.dependencies_merged = false;
    if (reevaluate_deps) {
      if (!ps.selectable) continue;
      for (const Dep& dep : package.depends) {
        if (!dependency_satisfiable(pid, dep)) {
          disqualify(pid);
          break;
        }
      }
    }
    if (!ps.selectable) continue;

    if (reevaluate_iif && !ps.iif_triggered && !ps.iif_failed) {
      // Triggered once every install_if name is decided and matches; failed as soon as one
      // decided name does not.
      ps.iif_triggered = true;
      for (const Dep& dep : package.install_if) {
        Name& trigger = db_.names[dep.name];
        if (!trigger.ss.locked) {
          if (dep.conflict()) {
            trigger.ss.iif_needed = true;
            queue_unresolved(dep.name, false);
          }
          ps.iif_triggered = ps.iif_failed = false;
          break;
        }
        if (!dep_is_provided(db_, pid, dep, trigger.ss.chosen)) {
          ps.iif_triggered = false;
          ps.iif_failed = true;
          break;
        }
      }
    }
    if (reevaluate_iif && ps.iif_triggered)
      for (const Dep& dep : package.install_if) inherit_pinning_and_flags(pid, db_.names[dep.name].ss.chosen.package);
    has_iif = has_iif || ps.iif_triggered;
    no_iif = no_iif && ps.iif_failed;
    has_auto_selectable = has_auto_selectable || ps.iif_triggered;

    if (name.ss.requirers == 0) continue;

    // Merge what the candidates have in common.
    ps.dependencies_merged = true;
    if (first_candidate == no_id) first_candidate = pid;
    for (const Dep& dep : package.depends)
      if (!dep.conflict()) merge_index(db_.names[dep.name].ss.merge_depends, options);
    if (merge_index(db_.names[package.name].ss.merge_provides, options) && !provider.has_version)
      db_.names[package.name].ss.has_virtual_provides = true;
    for (const Dep& provided : package.provides)
      if (merge_index(db_.names[provided.name].ss.merge_provides, options) && !provided.has_version)
        db_.names[provided.name].ss.has_virtual_provides = true;

    tag_not_ok += !ps.tag_ok;
    ++options;
    if (!has_auto_selectable && auto_selectable(provider)) has_auto_selectable = true;
  }

  name.ss.has_options = options > 1 || tag_not_ok > 0;
  name.ss.has_iif = has_iif;
  name.ss.no_iif = no_iif;
  if (has_auto_selectable != name.ss.has_auto_selectable) {
    name.ss.has_auto_selectable = has_auto_selectable;
    reevaluate = true;
  }

  if (first_candidate != no_id) {
    const Package& first = db_.packages[first_candidate];
    for (const Provider& provider : name.providers) {
      PackageState& ps = db_.packages[provider.package].ss;
      ps.dependencies_used = ps.dependencies_merged;
    }

    if (options == 1) {
      // A single candidate: its dependencies are constraints already.
      for (const Dep& dep : first.depends)
        if (merge_index_complete(db_.names[dep.name].ss.merge_depends, options)) apply_constraint(first_candidate, dep);
    } else {
      // Several: a dependency name all of them share is required (its version is not merged).
      for (const Dep& dep : first.depends) {
        Name& common = db_.names[dep.name];
        if (merge_index_complete(common.ss.merge_depends, options) && common.ss.requirers == 0) {
          ++common.ss.requirers;
          name_requirers_changed(dep.name);
          for (const Provider& provider : common.providers) inherit_pinning_and_flags(provider.package, first_candidate);
        }
      }
    }

    Name& own = db_.names[first.name];
    if (merge_index_complete(own.ss.merge_provides, options))
      exclude_non_providers(first.name, id, own.ss.has_virtual_provides);
    for (const Dep& provided : first.provides) {
      Name& other = db_.names[provided.name];
      if (merge_index_complete(other.ss.merge_provides, options))
        exclude_non_providers(provided.name, id, other.ss.has_virtual_provides);
    }
    own.ss.has_virtual_provides = false;
    for (const Dep& provided : first.provides) db_.names[provided.name].ss.has_virtual_provides = false;
  }

  name.ss.reverse_deps_done = true;
  for (NameId other : db_.rdepends(id)) {
    const NameState& os = db_.names[other].ss;
    if (os.seen && !os.locked) {
      name.ss.reverse_deps_done = false;
      break;
    }
  }
  queue_unresolved(id, reevaluate);
  SOLVER_TRACE("reconsider_name: {} [finished], has_options={}, has_autoselectable={}, reverse_deps_done={}\n",
               name.text, int(name.ss.has_options), int(name.ss.has_auto_selectable), int(name.ss.reverse_deps_done));
}

// apk-tools' compare_providers: > 0 when `a` is the better choice. The order of the tests is
// the policy (reference/apk.md §4.1).
int SolverRun::compare_providers(const Provider& a, const Provider& b) const {
  if (a.package == no_id || b.package == no_id) return (a.package != no_id) - (b.package != no_id);
  const Package& pa = db_.packages[a.package];
  const Package& pb = db_.packages[b.package];
  const PackageState& sa = pa.ss;
  const PackageState& sb = pb.ss;
  unsigned flags = sa.solver_flags | sb.solver_flags;
  auto prefer = [](bool x, bool y) { return int(x) - int(y); };
  int r;

  if ((flags & solver_flags::latest) && sa.pinning_allowed == 1 && sb.pinning_allowed == 1) {
    if ((r = prefer(sa.tag_ok, sb.tag_ok))) return r;
    if (flags & solver_flags::available) {
      if ((r = prefer(sa.available, sb.available))) return r;
    } else if (flags & solver_flags::reinstall) {
      if ((r = prefer(sa.selectable, sb.selectable))) return r;
    }
  } else {
    if ((r = prefer(sa.selectable, sb.selectable))) return r;
    // Those in the last dependency merge group, then those with fewer conflicting constraints.
    if ((r = prefer(sa.dependencies_used, sb.dependencies_used))) return r;
    if (sa.conflicts != sb.conflicts) return sa.conflicts < sb.conflicts ? 1 : -1;
    if ((db_.preupgrade && !(flags & solver_flags::upgrade)) || (flags & solver_flags::installed))
      if ((r = prefer(pa.installed, pb.installed))) return r;
    if ((r = prefer(sa.tag_ok, sb.tag_ok))) return r;
    if (flags & solver_flags::available)
      if ((r = prefer(sa.available, sb.available))) return r;
    if ((r = prefer(sa.tag_preferred, sb.tag_preferred))) return r;
    if (!(flags & (solver_flags::remove | solver_flags::upgrade)) &&
        (pa.name == pb.name || a.has_version || b.has_version))
      if ((r = prefer(pa.installed, pb.installed))) return r;
  }

  // The latest version of the requested name, then of the package's own name.
  switch (apk::version_compare(a.version, b.version)) {
    case apk::LESS: return -1;
    case apk::GREATER: return 1;
  }
  if (pa.name == pb.name) {
    switch (apk::version_compare(pa.version, pb.version)) {
      case apk::LESS: return -1;
      case apk::GREATER: return 1;
    }
  }
  if (pa.provider_priority != pb.provider_priority) return pa.provider_priority > pb.provider_priority ? 1 : -1;
  if (!(flags & solver_flags::remove))
    if ((r = prefer(pa.installed, pb.installed))) return r;
  if ((r = prefer(sa.selectable, sb.selectable))) return r;
  // The earliest repository; a package in none (installed only, local) beats them all.
  return lowest_repository(pb.repos) - lowest_repository(pa.repos);
}

void SolverRun::assign_name(NameId id, const Provider& provider) {
  Name& name = db_.names[id];
  if (name.ss.locked) {
    // Several packages may provide a name without a version; otherwise it is a conflict.
    if (!provider.has_version && !name.ss.chosen.has_version) return;
    if (ignore_conflict_) return;
    mark_error(provider.package);
    mark_error(name.ss.chosen.package);
    return;
  }
  if (provider.package != no_id)
    SOLVER_TRACE("assign {} to {}\n", name.text, db_.package_label(provider.package));
  else
    SOLVER_TRACE("assign {} to <none>\n", name.text);
  name.ss.locked = true;
  name.ss.chosen = provider;
  queue_remove(id);
  dirty_remove(id);

  if (provider.package != no_id && !name.ss.requirers && db_.packages[provider.package].ss.iif_triggered) {
    for (const Dep& dep : db_.packages[provider.package].install_if)
      if (!db_.names[dep.name].ss.locked) apply_constraint(provider.package, dep);
  }
  if (!ignore_conflict_) {
    for (const Provider& other : name.providers) {
      if (other.package == provider.package) continue;
      if (!provider.has_version && !other.has_version) continue;
      disqualify(other.package);
    }
  }
  reevaluate_reverse_deps(id);
  if (provider.package != no_id)
    reevaluate_reverse_installif_of(provider.package);
  else
    reevaluate_reverse_installif(id);
}

void SolverRun::select_package(NameId id) {
  const Name& name = db_.names[id];
  SOLVER_TRACE("select_package: {} (requirers={}, autosel={}, iif={}, order_id={:#x})\n", name.text, name.ss.requirers,
               int(name.ss.has_auto_selectable), int(name.ss.has_iif), uint32_t(name.ss.order_id));
  Provider chosen;
  if (name.ss.requirers || name.ss.has_iif) {
    for (const Provider& provider : name.providers) {
      const PackageState& ps = db_.packages[provider.package].ss;
      // Picked only through install_if: the trigger must have fired and the pinning allow it.
      if (name.ss.requirers == 0 && (!ps.iif_triggered || !ps.tag_ok || !ps.selectable)) continue;
      if (!auto_selectable(provider)) continue;
      if (compare_providers(provider, chosen) > 0) {
        SOLVER_TRACE("    choose {} as new provider\n", db_.package_label(provider.package));
        chosen = provider;
      }
    }
  }

  if (chosen.package == no_id) {
    assign_name(id, Provider{});
    if (db_.names[id].ss.requirers > 0) ++errors;  // nothing provides a required name
    return;
  }
  PackageId pid = chosen.package;
  const Package& package = db_.packages[pid];
  if (!package.ss.selectable || !package.ss.tag_ok) mark_error(pid);  // broken or pinned away
  assign_name(package.name, Provider{pid, package.version, true});
  for (const Dep& provided : package.provides)
    assign_name(provided.name, Provider{pid, provided.version, provided.has_version});
  for (const Dep& dep : package.depends) apply_constraint(pid, dep);
}

}  // namespace lupine::index::solver_detail
