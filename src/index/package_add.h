// `apk add` as a library call: load the repositories' indexes, solve the root's world plus new
// atoms, fetch and verify each chosen package, install them. `lupine install`, build roots and
// image roots all go through it, so they resolve and verify the same way.
//
//   RepositorySet repos(lines, arch, keyring, allow_untrusted, fetch);    // indexes verified
//   RootState state = load_root_state(root);                             // installed db + world
//   AddPlan plan = plan_add(repos, state, {"build-base", "busybox"});   // solved, nothing written
//   if (!plan.solution.ok()) ... render_problems(plan.solution)
//   apply_add(repos, plan, root, options);                               // fetched, verified, installed
#pragma once

#include "apk/keyring.h"
#include "index/http_fetch.h"
#include "index/installed_db.h"
#include "index/installer.h"
#include "index/repository.h"
#include "index/solver.h"

#include <deque>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace lupine::index {

// The indexes of several repositories for one arch, loaded and verified once; the records stay in
// place for as long as the set lives (solutions point into them).
class RepositorySet {
 public:
  // `lines` as in etc/apk/repositories (`[@tag] LOCATION`). Each index is fetched (HTTP through the
  // cache in `fetch`) and its signature checked against `keyring`. Warnings (a stale cached index
  // used) go to `on_warning` when set.
  RepositorySet(std::vector<std::string> lines, std::string arch, const apk::Keyring& keyring, bool allow_untrusted,
                FetchOptions fetch, const std::function<void(const std::string&)>& on_warning = {});
  RepositorySet(const RepositorySet&) = delete;
  RepositorySet& operator=(const RepositorySet&) = delete;

  const std::string& arch() const { return arch_; }
  const std::vector<std::string>& lines() const { return lines_; }
  const std::deque<LoadedIndex>& indexes() const { return indexes_; }
  const apk::Keyring& keyring() const { return keyring_; }
  const FetchOptions& fetch_options() const { return fetch_; }

  // Takes the records `leave_out` picks out of their indexes, before anything is solved against
  // the set (a cycle's member built once in a farm stage must not see the packages of the members
  // after it: farm_build.h). Returns how many it took.
  size_t leave_out(const std::function<bool(const LoadedIndex&, const IndexRecord&)>& picks);

 private:
  std::vector<std::string> lines_;
  std::string arch_;
  apk::Keyring keyring_;
  FetchOptions fetch_;
  std::deque<LoadedIndex> indexes_;
};

// What a root holds now: its installed database and world (both empty for a new root).
struct RootState {
  bool exists = false;  // lib/apk/db/installed is there
  std::vector<InstalledDbPackage> installed;
  std::vector<std::string> world;
};
RootState load_root_state(const std::filesystem::path& root);

// apk add's world update: each atom replaces a world entry of the same name; sorted.
std::vector<std::string> merge_world(std::vector<std::string> world, const std::vector<std::string>& atoms);

struct AddPlan {
  std::vector<std::string> world;  // the new world
  Solution solution;               // check solution.ok() before applying
};

// Solves `state`'s world with `atoms` added against `repos`. Nothing is fetched or written.
// Throws Error for a malformed atom.
AddPlan plan_add(const RepositorySet& repos, const RootState& state, const std::vector<std::string>& atoms);

// The packages the solution installs or keeps, in install order ("name-version" identities of the
// resulting root): what a cache of roots keys on, with their C: identities.
std::vector<const IndexRecord*> resulting_packages(const AddPlan& plan);

// Fetches every package the plan installs, checks it is the one the (verified) index lists (C:
// identity, datahash, per-file checksums), and installs the lot into `root` (installer.h: all or
// nothing). `options.repositories` and `options.arch` default to the set's. Then busybox's applet
// links are made where nothing else took their paths (busybox_links.h), as Wolfi's busybox trigger
// would. Throws Error when the plan is not solvable (with the problems rendered) or anything fails.
InstallReport apply_add(const RepositorySet& repos, const AddPlan& plan, const std::filesystem::path& root,
                        InstallOptions options);

}  // namespace lupine::index
