// Solving an image's package set for one arch through src/index (the same solver and verified
// repositories `lupine install` uses), optionally pinned to a lock file.
#pragma once

#include "apk/keyring.h"
#include "common/fs.h"
#include "image/config.h"
#include "image/lock.h"
#include "index/package_add.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lupine::image {

// The config's keyring: key files as given, http(s) keys downloaded (through the fetch cache)
// into a temporary directory; the same files are copied into the image's etc/apk/keys.
class ImageKeyring {
 public:
  ImageKeyring(const ImageConfig& config, const index::FetchOptions& fetch);
  const apk::Keyring& keyring() const { return keyring_; }
  const std::vector<std::filesystem::path>& files() const { return files_; }
  std::vector<LockedKey> locked() const;

 private:
  std::unique_ptr<TempDir> downloads_;
  apk::Keyring keyring_;
  std::vector<std::filesystem::path> files_;
  std::vector<std::string> names_;  // as written in the config
};

struct ArchSolution {
  std::unique_ptr<index::RepositorySet> repos;
  index::AddPlan plan;
};

// Loads the build repositories (build_repositories then repositories) for `apk_arch`, verified
// against the keyring, and solves the config's packages. With `locked` (the lock's packages of
// this arch) each is requested as name=version and the result must be exactly those packages
// with the locked checksums; what moved is named in the error. Throws lupine::Error with the
// solver's report when the packages cannot be selected.
ArchSolution resolve_arch(const ImageConfig& config, const std::string& apk_arch, const ImageKeyring& keys,
                          const index::FetchOptions& fetch, const std::vector<LockedPackage>* locked,
                          const std::function<void(const std::string&)>& on_warning);

// The packages a solution installs, in install order, as the lock records them. URLs are spelled
// with the config's repository locations (a relative local repository stays relative).
std::vector<LockedPackage> locked_packages(const ImageConfig& config, const ArchSolution& solution);

// The repositories lines used to build (build_repositories ∪ repositories) and written to the
// image (repositories ∪ runtime_repositories, sorted and deduplicated as apko's postBuildSetApk).
std::vector<std::string> build_repository_lines(const ImageConfig& config, bool as_written = false);
std::vector<std::string> runtime_repository_lines(const ImageConfig& config);

}  // namespace lupine::image

namespace lupine::image {

// The archs to build: `requested` (apk or Go names) if any, else the config's, else this machine's
// (apko builds all nine archs by default; lupine builds what it is asked for). Apk names, sorted
// by their Go name as the image index lists them.
std::vector<std::string> select_archs(const ImageConfig& config, const std::vector<std::string>& requested);

// `lupine image lock`: solves every arch and pins the result. As apko, every package the config
// names must resolve to one version on all archs ("unable to lock packages to a consistent version").
Lock make_lock(const ImageConfig& config, const std::vector<std::string>& apk_archs, const index::FetchOptions& fetch,
               const std::function<void(const std::string&)>& on_warning);

}  // namespace lupine::image
