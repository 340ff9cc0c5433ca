#include "farm/stage_compare.h"

#include "apk/package.h"
#include "apk/package_diff.h"
#include "common/fs.h"
#include "index/index_archive.h"

#include <fmt/format.h>

namespace lupine::farm {
namespace fs = std::filesystem;

std::vector<PackageComparison> compare_stage_packages(const fs::path& repo, const fs::path& other,
                                                      const std::string& arch) {
  std::vector<PackageComparison> out;
  for (const auto& record : index::read_index_archive(repo / arch / "APKINDEX.tar.gz").records) {
    PackageComparison comparison;
    comparison.file = fmt::format("{}-{}.apk", record.name, record.version);
    const fs::path mine = repo / arch / comparison.file, theirs = other / arch / comparison.file;
    std::error_code error;
    if (!fs::is_regular_file(theirs, error)) {
      comparison.detail = fmt::format("{} has no {}", (other / arch).string(), comparison.file);
    } else if (read_file(mine) == read_file(theirs)) {
      comparison.outcome = PackageComparison::Outcome::identical;
    } else {
      apk::PackageDifference difference = apk::diff_packages(apk::Package::read(theirs), apk::Package::read(mine));
      // The same members under other signatures cannot come from one key; say so all the same.
      comparison.outcome = difference.identical ? PackageComparison::Outcome::identical
                                                : PackageComparison::Outcome::different;
      if (!difference.identical) comparison.detail = apk::render_package_difference(difference);
    }
    out.push_back(std::move(comparison));
  }
  return out;
}

}  // namespace lupine::farm
