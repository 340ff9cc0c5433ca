// The solver's model of everything it can choose from (index-layer internal): names, the
// packages providing them, repositories and their tags — apk-tools' apk_database as far as
// the solver, the change set and the error report read it. Built once from a SolverRequest.
#pragma once

#include "index/solver.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lupine::index::solver_detail {

using NameId = uint32_t;
using PackageId = uint32_t;
inline constexpr uint32_t no_id = UINT32_MAX;

// A parsed dependency, provides or install_if entry. Views point into the input records.
struct Dep {
  NameId name = no_id;
  int op = apk::ANY;         // apk mask, CONFLICT bit included
  std::string_view version;  // empty without a version
  bool has_version = false;  // false: apk's null version (unversioned provides, plain "name")
  bool broken = false;       // the version does not validate
  uint16_t tag = 0;          // repository tag id (world dependencies only)

  bool conflict() const { return (op & apk::CONFLICT) != 0; }
};

// A package as a provider of one name: of its own name (its version) or of a provides entry.
struct Provider {
  PackageId package = no_id;
  std::string_view version;  // empty for an unversioned provides
  bool has_version = false;

  bool same_version(const Provider& other) const { return version == other.version; }
};

enum class Queue : uint8_t { none, resolve_now, selectable, unresolved };

// Per-name solver state (apk_solver_name_state); reset before every solve.
struct NameState {
  Provider chosen;
  NameId dirty_prev = no_id, dirty_next = no_id;
  NameId queue_prev = no_id, queue_next = no_id;
  Queue queue = Queue::none;
  bool dirty = false;
  int32_t order_id = 0;  // signed, as apk-tools' int: names with bit 31 sort last
  uint32_t requirers = 0;
  uint32_t merge_depends = 0, merge_provides = 0;
  NameId installed_name = no_id;        // change set: the installed name owning this one
  PackageId installed_package = no_id;  // change set: installed package of this name
  bool seen = false, locked = false;
  bool changeset_processed = false, changeset_removed = false;
  bool reevaluate_deps = false, reevaluate_iif = false;
  bool has_iif = false, no_iif = false, has_options = false, reverse_deps_done = false;
  bool has_virtual_provides = false, has_auto_selectable = false, iif_needed = false;
  bool resolve_now = false;
};

// Per-package solver state (apk_solver_package_state); reset before every solve.
struct PackageState {
  uint32_t conflicts = 0;
  uint32_t pinning_allowed = 0, pinning_preferred = 0;  // masks of tag ids
  unsigned solver_flags = 0, solver_flags_inheritable = 0;
  bool seen = false, available = false, selectable = false, tag_ok = false, tag_preferred = false;
  bool dependencies_used = false, dependencies_merged = false, in_changeset = false;
  bool iif_triggered = false, iif_failed = false, error = false;
};

struct Name {
  std::string_view text;
  std::span<const Provider> providers;  // in the order packages were added (a view into a pool)
  bool solver_flags_set = false;
  bool has_repository_providers = false;
  NameState ss;
};

struct Package {
  const IndexRecord* record = nullptr;             // first record seen (the installed one if installed)
  const IndexRecord* repository_record = nullptr;  // first record from a repository, if any
  NameId name = no_id;
  std::string_view version;
  std::span<const Dep> depends, provides, install_if;
  uint32_t repos = 0;  // bit i: repository i has it
  bool installed = false;
  uint16_t installed_tag = 0;
  bool cached = false;                 // apk's pkg->cached: deliverable from the local cache (virtual)
  bool cached_non_repository = false;  // listed in the cache index only
  bool from_file = false;              // apk's filename_ndx: a package file given directly
  bool uninstallable = false;
  bool arch_ok = true;
  int64_t provider_priority = 0;
  uint64_t installed_size = 0;
  uint64_t size = 0;
  std::array<unsigned char, 20> identity{};
  bool marked = false;  // in the change set as a new package (error analysis)
  PackageState ss;
};

// What one solve decided for a package (apk_change): old and/or new package, tags.
struct ChangeRecord {
  PackageId old_package = no_id;
  PackageId new_package = no_id;
  uint16_t old_tag = 0;
  uint16_t new_tag = 0;
  bool reinstall = false;
};

// A dependency's text split as apk_blob_pull_dep does: ['!'] name ['@' tag] [op version].
// The name is whatever precedes the first comparison character.
struct DepText {
  std::string_view name, tag, version;
  int op = apk::ANY;  // apk mask, CONFLICT bit included
  bool has_version = false, has_tag = false;
  bool broken = false;  // the version does not validate
};
// nullopt where apk-tools fails the parse: an operator without a version, or a tag where
// none is allowed.
std::optional<DepText> split_dependency(std::string_view text, bool allow_tag);

struct Tag {
  std::string name;            // "@testing"; "" for the default tag 0
  uint32_t allowed_repos = 0;  // repositories reachable under this tag
};

class SolverDatabase {
 public:
  explicit SolverDatabase(const SolverRequest& request);
  SolverDatabase(const SolverDatabase&) = delete;
  SolverDatabase& operator=(const SolverDatabase&) = delete;

  // Runs the solver on the request's world and flags; last_changes keeps its raw result.
  Solution solve();

  NameId find_name(std::string_view text) const;
  // apk_pkg_get_installed: the installed package named `name` itself (not a provider).
  PackageId installed_package(NameId name) const;
  std::string_view tag_name(uint16_t tag) const { return tags[tag].name; }
  // Names with a provider that depends on `name` / whose install_if names it, in apk-tools'
  // order. Computed on first use (the database is not for concurrent use).
  std::span<const NameId> rdepends(NameId name) const { return reverse_list(name, depends_list); }
  std::span<const NameId> rinstall_if(NameId name) const { return reverse_list(name, install_if_list); }
  // Repositories reachable under any tag of `pinning_mask` (apk_db_get_pinning_mask_repos).
  uint32_t pinning_mask_repos(uint32_t pinning_mask) const;
  // pkg->repos plus, for an installed package, what its installed tag reaches (get_pkg_repos).
  uint32_t package_repos(const Package& package) const;
  bool package_available(const Package& package) const { return (package.repos & available_repos) != 0; }
  // The repository a package would be fetched from (apk_db_select_repo), -1 if none.
  int select_repository(const Package& package) const;
  std::string package_label(PackageId id) const;  // "name-version"
  std::string dep_label(const Dep& dep) const;    // "!name>=1.2" (apk's DEP_FMT)
  bool name_less(NameId a, NameId b) const;       // apk_name_cmp_display
  bool package_less(PackageId a, PackageId b) const;  // apk_pkg_cmp_display

  std::vector<Name> names;
  std::vector<Package> packages;
  std::vector<Tag> tags;
  std::vector<PackageId> installed_order;  // installed database order
  std::vector<Dep> world;
  std::vector<std::string> warnings;
  std::vector<ChangeRecord> last_changes;
  std::vector<int> repository_of_request;  // request repository index → merged repository index
  std::vector<int> first_request_of_repository;
  uint32_t available_repos = 0;
  uint32_t default_repos = 0;  // repositories of tag 0
  unsigned flags = 0;
  bool preupgrade = false;
  bool force_broken_world = false;
  uint64_t installed_bytes = 0;
  std::vector<NameFlags> name_flags;  // applied at the start of solve()

 private:
  struct IdentityHash {
    size_t operator()(const std::array<unsigned char, 20>& id) const {
      size_t h;
      std::memcpy(&h, id.data(), sizeof h);  // a SHA-1: any 8 bytes are a good hash
      return h;
    }
  };
  // Where a package's lists are in dep_pool_ while loading (the pool still grows then).
  struct DepRanges {
    uint32_t depends, provides, install_if, end;
  };

  enum ReverseKind { depends_list = 0, install_if_list = 1 };
  struct ReverseIndex {
    std::vector<uint32_t> start;          // per target name: where its dependents begin
    std::vector<PackageId> dependents;    // packages (opened with the database) naming it
    mutable std::vector<std::vector<NameId>> lists;
    mutable std::vector<bool> done;
  };

  NameId intern_name(std::string_view text);
  void grow_name_table(size_t slots);
  uint16_t intern_tag(std::string_view tag);
  bool arches_accept(std::string_view arch) const;
  std::optional<Dep> parse_dep(std::string_view text, bool allow_tag);
  PackageId add_package(const IndexRecord& record, uint32_t repos, bool from_repository, bool& added);
  void finish_loading(PackageId first_local);
  void build_reverse_index(ReverseKind kind);
  std::span<const NameId> reverse_list(NameId name, ReverseKind kind) const;
  uint64_t hash_order(NameId name) const;

  std::vector<std::string> arches_;
  std::vector<apk::Dependency> world_source_;  // world Deps view into it
  std::vector<uint64_t> name_slots_;   // open-addressing table: hash bits | name id
  std::vector<uint64_t> name_hashes_;  // per name
  std::unordered_map<std::array<unsigned char, 20>, PackageId, IdentityHash> package_index_;
  std::unordered_map<std::string, PackageId> odd_identity_index_;  // identities that do not decode
  std::vector<Dep> dep_pool_;
  std::vector<DepRanges> dep_ranges_;
  std::vector<std::pair<NameId, Provider>> provider_entries_;  // in the order packages were added
  std::vector<Provider> provider_pool_;
  ReverseIndex reverse_[2];
  PackageId first_local_ = 0;
  mutable std::vector<uint64_t> hash_order_;  // per name, computed on first use (see hash_order)
  mutable std::vector<NameId> reverse_stamp_;
  bool compat_new_features_ = false, compat_dep_versions_ = false, compat_not_installable_ = false;
};

// apk_dep_is_provided / apk_dep_is_materialized / apk_dep_analyze.
bool dep_is_provided(const SolverDatabase& db, PackageId dependent, const Dep& dep, const Provider& provider);
bool dep_is_materialized(const SolverDatabase& db, const Dep& dep, PackageId package);
enum DepMatch : unsigned { dep_irrelevant = 1, dep_satisfies = 2, dep_conflicts = 4 };
unsigned dep_analyze(const SolverDatabase& db, PackageId dependent, const Dep& dep, PackageId package);

// apk_pkg_foreach_reverse_dependency: calls callback(dependent, dep) for each dependency of a
// package that depends on `package`'s name or one of its provides and whose analysis against
// `package` is in `match` (dep_satisfies / dep_conflicts).
struct ReverseDependencyFilter {
  unsigned match = dep_satisfies;
  bool installed_only = false;
  bool marked_only = false;
  bool skip_conflicts = false;
  // apk's generation id: each dependent is visited once while `visited` is shared; with
  // `one_dep_only`, only its first matching dependency is reported.
  std::vector<bool>* visited = nullptr;
  bool one_dep_only = false;
};

template <typename Callback>
void for_each_reverse_dependency(const SolverDatabase& db, PackageId package, const ReverseDependencyFilter& filter,
                                 Callback&& callback) {
  auto walk = [&](NameId name) {
    for (NameId dependent_name : db.rdepends(name)) {
      for (const Provider& provider : db.names[dependent_name].providers) {
        PackageId dependent = provider.package;
        const Package& pkg = db.packages[dependent];
        if (filter.installed_only && !pkg.installed) continue;
        if (filter.marked_only && !pkg.marked) continue;
        if (filter.visited) {
          if ((*filter.visited)[dependent]) continue;
          (*filter.visited)[dependent] = true;
        }
        for (const Dep& dep : pkg.depends) {
          if (filter.skip_conflicts && dep.conflict()) continue;
          if (!(dep_analyze(db, dependent, dep, package) & filter.match)) continue;
          callback(dependent, dep);
          if (filter.one_dep_only) break;
        }
      }
    }
  };
  walk(db.packages[package].name);
  for (const Dep& provided : db.packages[package].provides) walk(provided.name);
}

// "No version" (an unversioned provides, a plain "name" dependency) is apk-tools' null atom,
// the empty string, which compares as an invalid version: LESS than any real one, EQUAL to
// another empty one. So versions are compared with apk::version_compare/version_match as is.

// apk_version_op_string (apk prints "?" for masks it has no spelling for).
const char* apk_op_string(int op);

}  // namespace lupine::index::solver_detail
