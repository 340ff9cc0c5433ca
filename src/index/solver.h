// The dependency solver: which packages to install, upgrade and remove so that the world
// (the user's dependencies) holds, with apk-tools 3 semantics (reference/apk.md §4.1;
// apk-tools src/solver.c, its changeset generation and src/commit.c's reports).
//
// apk-tools' solver is deductive rather than searching: it propagates constraints down from
// the world and up from unsatisfiable dependencies, then picks names one at a time in a fixed
// order, choosing each name's best provider (compare_providers). Its choices — which provider,
// which version, which order — are what users of apk-based systems expect, so lupine follows
// them exactly, including the order of the resulting changes and the wording of the errors.
//
// Input records are not copied: every IndexRecord a request points to must outlive the
// Solution (whose changes point back at them).
//
//   SolverRequest request;
//   request.repositories.push_back({"", index_records});          // untagged: used by default
//   request.repositories.push_back({"testing", testing_records});  // only for name@testing
//   for (auto& record : installed) request.installed.push_back({&record, ""});
//   request.world = {apk::parse_dependency("busybox"), apk::parse_dependency("curl>=7")};
//   request.arches = {"x86_64"};
//   Solution solution = solve(request);
//   if (!solution.ok()) std::cerr << render_problems(solution);
//   else for (const Change& change : solution.changes) if (change.does_something()) apply(change);
#pragma once

#include "apk/dependency.h"
#include "index/index_record.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace lupine::index {

// Solver flags, bit for bit apk-tools' APK_SOLVERF_*. As global flags (SolverRequest::flags)
// they apply to everything the world pulls in; as NameFlags to the providers of one name.
namespace solver_flags {
inline constexpr unsigned upgrade = 0x0001;    // prefer the newest version over the installed one
inline constexpr unsigned available = 0x0002;  // prefer packages a repository can deliver
inline constexpr unsigned reinstall = 0x0004;  // reinstall even if unchanged (apk fix)
inline constexpr unsigned latest = 0x0008;     // the newest version or an error (apk --latest)
inline constexpr unsigned ignore_conflict = 0x0010;
inline constexpr unsigned installed = 0x0020;  // keep the installed version (apk upgrade --ignore)
inline constexpr unsigned remove = 0x0040;     // being removed: do not prefer installed (apk del)
}  // namespace solver_flags

// One repository index. Several entries with the same `packages` span (same data, same size)
// are one repository reachable under several tags, as apk-tools merges identical URLs.
struct SolverRepository {
  std::string tag;  // "" for a default repository; "testing" or "@testing" for a pinned one
  std::span<const IndexRecord> packages;
  bool available = true;  // false: its packages cannot be fetched (apk's --no-network for remote ones)
};

// A package in the installed database. Its identity (C:) equal to a repository package's
// means it IS that package; equal name and version with another identity is a different build.
struct InstalledPackage {
  const IndexRecord* record = nullptr;
  std::string tag;  // the installed database's s: field: the pinning it was installed with
};

// A package that is in no repository but can be installed: a package file named on the
// command line, or a virtual meta package (apk add -t NAME=VERSION deps...).
// A record with an empty identity (C:) is a package of its own, never merged with another.
struct LocalPackage {
  const IndexRecord* record = nullptr;
  bool from_file = true;  // false: virtual meta package (installed_size 0, nothing to fetch)
};

// apk_solver_set_name_flags: flags for every provider of `name` (`inheritable` passes on to
// their dependencies). Naming a name here also moves it earlier in the selection order,
// even with both masks 0 — apk add does that for every name it is given.
struct NameFlags {
  std::string name;
  unsigned flags = 0;
  unsigned inheritable = 0;
};

struct SolverRequest {
  std::vector<SolverRepository> repositories;  // in configuration order: earlier wins ties
  std::vector<InstalledPackage> installed;     // in installed-database order
  std::span<const IndexRecord> cached;         // non-repository packages of the cache index
  std::vector<LocalPackage> local;
  std::vector<apk::Dependency> world;  // one entry per name, as apk's world file
  // Accepted architectures; packages with another non-empty A: (other than "noarch") are
  // uninstallable. Empty accepts every architecture.
  std::vector<std::string> arches;
  unsigned flags = 0;  // solver_flags for everything
  std::vector<NameFlags> name_flags;
  bool preupgrade = false;          // apk's self-upgrade pass: keep installed versions unless flagged
  bool force_broken_world = false;  // drop world dependencies that cannot be met, then solve again
};

enum class ChangeKind {
  install,
  purge,
  upgrade,
  downgrade,
  replace,         // same version, another build (identity)
  reinstall,
  pinning_update,  // same package, now tracked under another repository tag
  unchanged,       // stays installed as it is (kept so the change set lists the whole result)
};

struct Change {
  ChangeKind kind = ChangeKind::unchanged;
  const IndexRecord* old_package = nullptr;  // null for install
  const IndexRecord* new_package = nullptr;  // null for purge
  // Repository tags as apk prints them, "@testing" ("" = default); the installed database's
  // s: field holds new_tag without its '@'.
  std::string old_tag;
  std::string new_tag;
  // Where to fetch new_package: index into SolverRequest::repositories of the first available
  // repository holding it, -1 for installed-only, cached or local packages.
  int repository = -1;
  bool fetchable = true;  // false: no repository, file or cache can deliver new_package

  bool does_something() const { return kind != ChangeKind::unchanged; }
};

// One block of apk-tools' "unable to select packages" report: a package ("b-2") or a name
// ("foo (no such package)", "foo (virtual)") and labelled details ("breaks:" a-1[!b>1] ...).
struct SolverProblem {
  struct Detail {
    std::string label;               // "breaks:", "satisfies:", "conflicts:", "required by:", ...
    std::vector<std::string> items;  // "a-1[!b>1]", "world[b>1]", words of a note
  };
  std::string subject;
  std::vector<Detail> details;
};

struct Solution {
  // Ordered as they must be applied: removals of what is replaced or orphaned where apk-tools
  // puts them, dependencies before their dependents, install_if packages after their triggers.
  std::vector<Change> changes;
  unsigned errors = 0;                  // apk-tools' error count; 0 = solvable
  std::vector<SolverProblem> problems;  // why, when errors > 0
  std::vector<std::string> warnings;    // about the inputs ("The indexes contain broken packages ...")
  uint64_t installed_packages_before = 0;
  uint64_t installed_bytes_before = 0;

  bool ok() const { return errors == 0; }
  size_t action_count() const;  // changes that do something
  // After applying the changes (as apk's "OK: ... in N packages").
  uint64_t installed_packages_after() const;
  uint64_t installed_bytes_after() const;
};

Solution solve(const SolverRequest& request);

// apk-tools' commit lines, "(1/24) Installing musl (1.2.3-r2)", one per change that does
// something, each ending in '\n'.
std::string render_changes(const Solution& solution);

// apk-tools' "ERROR: unable to select packages:" block (lines wrapped at `width` columns as
// apk-tools does when not on a terminal), or "" when solvable.
std::string render_problems(const Solution& solution, size_t width = 50);

// "OK: 2 B in 2 packages\n" (or "N errors; ..." with commit_errors > 0), apk-tools' final
// line after the changes were applied.
std::string render_summary(const Solution& solution, unsigned commit_errors = 0);

// apk_fmt_human_size: "2 B", "9999 B", "9 KiB" (10000 B), "59.3 MiB".
std::string format_human_size(uint64_t bytes);

const char* change_verb(const Change& change);  // "Installing", "Purging", ... ("" for unchanged)

}  // namespace lupine::index
