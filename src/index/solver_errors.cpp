// Why a solve failed, as apk-tools explains it (src/commit.c apk_solver_print_errors): every
// package of the (failed) change set is analysed for pinning, conflicts and broken
// dependencies, and every required name nothing was selected for is reported as missing or
// virtual. The result is structured; solver_render.cpp prints it.
#include "index/solver_errors.h"

#include <algorithm>

namespace lupine::index::solver_detail {

namespace {

enum : uint32_t {
  state_present = 1u << 0,
  state_missing = 1u << 1,
  state_virtual_only = 1u << 2,
  state_installif = 1u << 3,
};

constexpr const char* virtual_note = "please select one of the 'provided by' packages explicitly";

class ProblemReporter {
 public:
  ProblemReporter(const SolverDatabase& db, const std::vector<ChangeRecord>& changes)
      : db_(db),
        changes_(changes),
        name_state_(db.names.size()),
        name_count_(db.names.size()),
        package_state_(db.packages.size()) {}

  std::vector<SolverProblem> run() {
    discover_deps(db_.world);
    analyze_deps(db_.world);
    for (const ChangeRecord& change : changes_) {
      if (change.new_package == no_id) continue;
      analyze_package(change.new_package, change.new_tag);
      analyze_deps(db_.packages[change.new_package].depends);
    }
    return std::move(problems_);
  }

 private:
  // --- which names the change set covers (discover_name / discover_deps / discover_reverse_iif)

  bool name_is_concrete(const Package& package, NameId name) const {
    if (package.name == name) return true;
    for (const Dep& provided : package.provides)
      if (provided.name == name && provided.has_version) return true;
    return false;
  }

  void discover_deps(std::span<const Dep> deps) {
    for (const Dep& dep : deps)
      if (!dep.conflict()) discover_name(dep.name, state_present);
  }

  void discover_name(NameId name, uint32_t package_state) {
    for (const Provider& provider : db_.names[name].providers) {
      const Package& package = db_.packages[provider.package];
      if (!package.marked) continue;
      uint32_t state = package_state;
      if ((state == state_present || state == state_installif) && !package.provider_priority &&
          !name_is_concrete(package, name))
        state = state_virtual_only;
      if (package_state_[provider.package] & state) continue;
      package_state_[provider.package] |= state;
      name_state_[package.name] |= state;
      for (const Dep& provided : package.provides) {
        uint32_t dep_state = state;
        if (dep_state == state_installif && !provided.has_version) dep_state = state_virtual_only;
        name_state_[provided.name] |= dep_state;
      }
      discover_deps(package.depends);
      if (state == state_present || state == state_installif) {
        discover_reverse_iif(package.name);
        for (const Dep& provided : package.provides) discover_reverse_iif(provided.name);
      }
    }
  }

  void discover_reverse_iif(NameId name) {
    for (NameId other : db_.rinstall_if(name)) {
      for (const Provider& provider : db_.names[other].providers) {
        const Package& package = db_.packages[provider.package];
        if (!package.marked || package.install_if.empty()) continue;
        bool triggered = true;
        for (const Dep& dep : package.install_if) {
          bool present = (name_state_[dep.name] & (state_present | state_installif)) != 0;
          if (dep.conflict() == present) {
            triggered = false;
            break;
          }
        }
        if (!triggered) continue;
        discover_name(package.name, state_installif);
        for (const Dep& provided : package.provides) discover_name(provided.name, state_installif);
      }
    }
  }

  // --- report building: a subject is emitted with its first label -------------------------

  void subject(std::string text) {
    pending_subject_ = std::move(text);
    has_pending_ = true;
  }

  void label_start(const char* label) {
    if (has_pending_) {
      problems_.push_back(SolverProblem{std::move(pending_subject_), {}});
      has_pending_ = false;
    }
    if (!line_open_) {
      problems_.back().details.push_back(SolverProblem::Detail{label, {}});
      line_open_ = true;
    }
  }

  void item(std::string text) { problems_.back().details.back().items.push_back(std::move(text)); }
  void label_end() { line_open_ = false; }

  std::string world_item(const Dep& dep) const {
    return "world[" + db_.dep_label(dep) + std::string(db_.tag_name(dep.tag)) + "]";
  }
  std::string package_item(PackageId package, const Dep& dep) const {
    return db_.package_label(package) + "[" + db_.dep_label(dep) + "]";
  }

  // --- packages ----------------------------------------------------------------------------

  void analyze_package(PackageId id, uint16_t tag) {
    const Package& package = db_.packages[id];
    subject(db_.package_label(id));
    if (package.uninstallable) {
      label_start("error:");
      item("uninstallable");
      label_end();
      if (!package.arch_ok) {
        label_start("arch:");
        item(package.record->arch);
        label_end();
      }
      broken_deps(package.depends, "depends:");
      broken_deps(package.provides, "provides:");
      broken_deps(package.install_if, "install_if:");
    }
    pinning_errors(package, tag);
    conflicts(id);
    matching_deps(id, dep_conflicts);
    if (!has_pending_) matching_deps(id, dep_satisfies);
  }

  void broken_deps(std::span<const Dep> deps, const char* label) {
    for (const Dep& dep : deps) {
      if (!dep.broken) continue;
      label_start(label);
      item(db_.dep_label(dep));
    }
    label_end();
  }

  void pinning_errors(const Package& package, uint16_t tag) {
    if (package.installed) return;
    if (!db_.package_available(package) && !package.cached && !package.from_file) {
      label_start("masked in:");
      item("--no-network");
    } else if (!package.repos && package.cached) {
      label_start("masked in:");
      item("cache");
    } else {
      if (package.repos & db_.pinning_mask_repos(1u | (1u << tag))) return;
      for (const Tag& other : db_.tags) {
        if (!(package.repos & other.allowed_repos)) continue;
        label_start("masked in:");
        item(other.name);
      }
    }
    label_end();
  }

  void conflicts(PackageId id) {
    const Package& package = db_.packages[id];
    for (const Provider& provider : db_.names[package.name].providers) {
      if (provider.package == id || !db_.packages[provider.package].marked) continue;
      label_start("conflicts:");
      item(db_.package_label(provider.package));
    }
    for (const Dep& provided : package.provides) {
      bool skip_own = true;  // the package's own entry for this provides, once
      Provider own{id, provided.version, provided.has_version};
      for (const Provider& provider : db_.names[provided.name].providers) {
        if (!db_.packages[provider.package].marked) continue;
        if (!provided.has_version && !provider.has_version) continue;
        if (skip_own && provider.package == id && provider.same_version(own)) {
          skip_own = false;
          continue;
        }
        label_start("conflicts:");
        item(package_item(provider.package, provided));
      }
    }
    label_end();
  }

  struct MatchedDep {
    PackageId package;  // no_id: the world
    const Dep* dep;
  };

  void print_matched(const char* label, std::vector<MatchedDep>& matched) {
    if (matched.empty()) return;
    label_start(label);
    std::stable_sort(matched.begin(), matched.end(), [this](const MatchedDep& a, const MatchedDep& b) {
      if (a.package != no_id && b.package != no_id && a.package != b.package) {
        if (db_.package_less(a.package, b.package)) return true;
        if (db_.package_less(b.package, a.package)) return false;
      }
      return a.dep->op < b.dep->op;
    });
    for (const MatchedDep& match : matched)
      item(match.package == no_id ? world_item(*match.dep) : package_item(match.package, *match.dep));
    matched.clear();
  }

  // "breaks:" (dependencies the package conflicts with) or "satisfies:" (those it meets), from
  // the world and from the other packages of the change set.
  void matching_deps(PackageId id, unsigned match) {
    const char* label = match == dep_satisfies ? "satisfies:" : "breaks:";
    std::vector<MatchedDep> matched;
    for (const Dep& dep : db_.world)
      if (dep_analyze(db_, no_id, dep, id) & match) matched.push_back({no_id, &dep});
    print_matched(label, matched);
    std::vector<bool> visited(db_.packages.size());
    ReverseDependencyFilter filter;
    filter.match = match;
    filter.marked_only = true;
    filter.visited = &visited;
    for_each_reverse_dependency(db_, id, filter,
                                [&](PackageId dependent, const Dep& dep) { matched.push_back({dependent, &dep}); });
    print_matched(label, matched);
    label_end();
  }

  // --- names nothing was selected for ---------------------------------------------------

  void analyze_deps(std::span<const Dep> deps) {
    for (const Dep& dep : deps) {
      if (dep.conflict()) continue;
      if (name_state_[dep.name] & (state_installif | state_present | state_missing)) continue;
      name_state_[dep.name] |= state_missing;
      analyze_missing_name(dep.name);
    }
  }

  void analyze_missing_name(NameId id) {
    const Name& name = db_.names[id];
    if (!name.providers.empty()) {
      subject(std::string(name.text) + " (virtual)");
      label_start("note:");
      std::string_view note = virtual_note;
      for (size_t pos = 0; pos < note.size();) {
        size_t end = note.find(' ', pos);
        if (end == std::string_view::npos) end = note.size();
        item(std::string(note.substr(pos, end - pos)));
        pos = end + 1;
      }
      label_end();

      // A provider's own name when all its packages provide this, else the single packages.
      label_start("provided by:");
      for (const Provider& provider : name.providers) ++name_count_[db_.packages[provider.package].name];
      for (const Provider& provider : name.providers) {
        NameId owner = db_.packages[provider.package].name;
        uint32_t refs = name_count_[owner];
        if (refs == db_.names[owner].providers.size()) {
          item(std::string(db_.names[owner].text));
          name_count_[owner] = 0;
        } else if (refs > 0) {
          item(db_.package_label(provider.package));
          --name_count_[owner];
        }
      }
      label_end();
    } else {
      subject(std::string(name.text) + " (no such package)");
    }

    label_start("required by:");
    for (const Dep& dep : db_.world)
      if (dep.name == id && !dep.conflict()) item(world_item(dep));
    std::vector<bool> visited(db_.packages.size());
    for (NameId dependent_name : db_.rdepends(id)) {
      bool reported = false;
      for (const Provider& provider : db_.names[dependent_name].providers) {
        if (reported) break;
        const Package& dependent = db_.packages[provider.package];
        if (!dependent.marked || visited[provider.package]) continue;
        visited[provider.package] = true;
        for (const Dep& dep : dependent.depends) {
          if (dep.name != id || dep.conflict()) continue;
          item(package_item(provider.package, dep));
          reported = true;
          break;
        }
      }
    }
    label_end();
  }

  const SolverDatabase& db_;
  const std::vector<ChangeRecord>& changes_;
  std::vector<uint32_t> name_state_, name_count_, package_state_;
  std::vector<SolverProblem> problems_;
  std::string pending_subject_;
  bool has_pending_ = false;
  bool line_open_ = false;
};

}  // namespace

std::vector<SolverProblem> analyze_problems(SolverDatabase& db, const std::vector<ChangeRecord>& changes) {
  for (Package& package : db.packages) package.marked = false;
  for (const ChangeRecord& change : changes)
    if (change.new_package != no_id) db.packages[change.new_package].marked = true;
  return ProblemReporter(db, changes).run();
}

}  // namespace lupine::index::solver_detail
