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

#include "builder/build_root_lease.h"
#include "builder/compile.h"

#include <filesystem>
#include <functional>
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
};

struct BuildRoot {
  std::filesystem::path path;         // <cache_dir>/roots/<key>
  std::string key;
  bool reused = false;                // found in the cache: nothing was installed
  std::vector<std::string> packages;  // "name-version", in install order
  std::shared_ptr<RootLease> lease;   // keeps pruning away while the root is used (build_root_lease.h)
};

// Resolves, then finds or installs the root. Throws Error when the packages cannot be resolved
// (apk's problem report), fetched, verified or installed, or when the root has no /bin/sh.
BuildRoot prepare_build_root(const BuildRootRequest& request);

// The C: identities of the packages `request` resolves to (any order), without installing
// anything: what a farm's up-to-date key covers. Throws Error as prepare_build_root does.
std::vector<std::string> resolve_build_root_identities(const BuildRootRequest& request);

// The cache key for a resolved set (exposed for tests).
std::string build_root_key(const std::string& arch, std::vector<std::string> identities,
                           const CompiledAccounts& accounts);

// Removes `<cache_dir>/roots/.tmp-*` directories left by builds that died (unlocked ones only).
void remove_abandoned_roots(const std::filesystem::path& cache_dir);

}  // namespace lupine::builder
