// Build roots: the packages a build (or a test) needs — environment.contents.packages with the
// `needs` of its pipelines — resolved through the repositories and installed by lupine's own
// verified installer (index/package_add.h) into a root directory the sandbox shows read-only at /.
//
// Roots are cached: the key is a SHA-256 over a format version, the arch, the resolved packages'
// C: identities (sorted) and the accounts written into etc/passwd; the root lives in
// `<cache_dir>/roots/<key>/`. An unchanged resolved set reuses the root without installing
// anything; any change of a package (a rebuild gives a new C:) gives a new key.
//
// The cache keeps the most recently used roots (BuildRootRequest::keep_roots); older ones are
// removed when a new root is made, unless a build is using them (build_root_lease.h).
//
// Safety: a root is installed into `<cache_dir>/roots/.tmp-<key>-XXXXXX/` and renamed into place
// only when complete, so a killed build never leaves a half root under a key. The temporary
// directory is flock'ed while it is filled: another build finding an unlocked one knows its owner
// died and removes it. Two builds making the same root at once both install; the loser of the
// rename discards its copy and uses the winner's (identical) root. Cached roots are never written
// to again: the sandbox shows them read-only.
#pragma once

#include "builder/build/build_root_lease.h"
#include "builder/build/sbom.h"
#include "builder/recipe/compile.h"
#include "index/package_add.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace lupine::builder {

struct BuildRootRequest {
  std::vector<std::string> packages;      // apk atoms (world)
  std::vector<std::string> repositories;  // repository lines (directory, file://, http(s)://, @tag)
  std::vector<std::filesystem::path> keyring;  // trusted public keys: files or directories
  bool allow_untrusted = false;
  std::string arch;
  CompiledAccounts accounts;              // users and groups written into etc/passwd and etc/group
  std::filesystem::path cache_dir;        // roots/ and downloaded indexes live here
  std::filesystem::path bwrap;            // for ldconfig in the new root; default: as the sandbox finds it
  std::function<void(const std::string&)> log;  // progress lines
  std::string what = "build environment";  // named in errors ("test environment of hello-doc")
  size_t keep_roots = 8;                  // after making a root, prune the cache to this many (0: never)
  // Records of the repositories that the root must not be made of (RepositorySet::leave_out).
  std::function<bool(const index::LoadedIndex&, const index::IndexRecord&)> leave_out;
};

struct BuildRoot {
  std::filesystem::path path;         // <cache_dir>/roots/<key>
  std::string key;
  bool reused = false;                // found in the cache: nothing was installed
  std::vector<std::string> packages;  // "name-version", in install order
  std::vector<BuildRootPackage> records;  // the same packages with arch and C: identity
  std::shared_ptr<RootLease> lease;   // keeps pruning away while the root is used (build_root_lease.h)
};

// A request resolved: the repositories as they were read and the solver's plan over them (which
// points into them). Resolving once and installing from it means that what a farm keys a build on
// is exactly what the build gets, even if a repository changes in between.
class ResolvedBuildRoot {
 public:
  ResolvedBuildRoot(BuildRootRequest request, std::unique_ptr<index::RepositorySet> repos, index::AddPlan plan);
  ~ResolvedBuildRoot();
  ResolvedBuildRoot(const ResolvedBuildRoot&) = delete;
  ResolvedBuildRoot& operator=(const ResolvedBuildRoot&) = delete;

  const BuildRootRequest& request() const { return request_; }
  const index::RepositorySet& repositories() const { return *repos_; }
  const index::AddPlan& plan() const { return plan_; }
  // The C: identities of the resolved packages, in install order.
  std::vector<std::string> identities() const;
  // The resolved packages, in install order, each with the repository it comes from.
  struct Package {
    const index::IndexRecord* record = nullptr;
    const index::Repository* repository = nullptr;
  };
  std::vector<Package> packages() const;

 private:
  BuildRootRequest request_;
  std::unique_ptr<index::RepositorySet> repos_;
  index::AddPlan plan_;
};

// Reads the repositories and solves, installing nothing. Throws Error when the packages cannot be
// resolved (apk's problem report) or a repository cannot be read or verified.
std::shared_ptr<const ResolvedBuildRoot> resolve_build_root(const BuildRootRequest& request);

// Finds or installs the root of `resolved`; progress goes to `log` when set, else to the request's.
// Throws Error when a package cannot be fetched, verified or installed, or the root has no /bin/sh.
BuildRoot prepare_build_root(const ResolvedBuildRoot& resolved,
                             const std::function<void(const std::string&)>& log = {});

// resolve_build_root, then prepare_build_root.
BuildRoot prepare_build_root(const BuildRootRequest& request);

// The cache key for a resolved set (exposed for tests).
std::string build_root_key(const std::string& arch, std::vector<std::string> identities,
                           const CompiledAccounts& accounts);

// Removes `<cache_dir>/roots/.tmp-*` directories left by builds that died (unlocked ones only).
void remove_abandoned_roots(const std::filesystem::path& cache_dir);

}  // namespace lupine::builder
