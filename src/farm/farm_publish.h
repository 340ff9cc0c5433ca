// The last step of a farm build: what the run built, moved from the staging repository into the
// published one, and the published index updated once. Order matters for a publish that is cut
// short (killed): packages first, then the index, then the build records — a record is never
// there without its packages in the index, so a cut-short publish at worst rebuilds a recipe.
#pragma once

#include "apk/package_writer.h"
#include "farm/farm_job.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lupine::farm {

// A cycle's first-round packages (farm_build.h): <staging>/round-1/<arch>/ while the run lasts
// (kept there by the second round's jobs), <out>/round-1/<arch>/ once published.
inline constexpr const char* kRoundOne = "round-1";

struct PublishOptions {
  std::filesystem::path out_dir;      // the published repository
  std::filesystem::path staging_dir;  // the staging repository
  std::string arch;
  apk::PackageSigner signer;          // signs the index
  int64_t mtime = 0;                  // the index's timestamp (SOURCE_DATE_EPOCH)
  // The published index's version and expiry this far ahead (index/index_freshness.h); none unset.
  std::optional<int64_t> index_expires_in;
};

struct PublishResult {
  size_t packages = 0;
  bool index_updated = false;
};

// Moves the packages and records of `built` and every staged build log into <out>/<arch>/, then
// updates <out>/<arch>/APKINDEX.tar.gz from every package there (when anything moved). The kept
// first-round packages go first, into <out>/round-1/<arch>/ with its own index: a published
// record's inputs are published before it.
PublishResult publish_staged(const PublishOptions& options, const std::vector<BuildRecord>& built);

}  // namespace lupine::farm
