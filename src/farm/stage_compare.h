// The classic compiler-bootstrap comparison, between two stages of `lupine farm stages`
// (stages.h, `compare:`): every package a stage built, byte for byte against the package of the
// same file name in the stage it is compared with. A stage 3 built by stage 2's compiler, from the
// same recipes, should give stage 2's packages again: the compiler that built stage 2 (stage 1's,
// itself built by the bootstrap's) and the one that built stage 3 (stage 2's) are the same source
// built by different compilers, so they must compile alike. Build roots are named in a package's
// SBOM by name and version only (builder/build/sbom.h), so a root of other bytes does not by
// itself make a package differ.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace lupine::farm {

struct PackageComparison {
  enum class Outcome { identical, different, missing };
  std::string file;  // the package file name (name-version.apk)
  Outcome outcome = Outcome::missing;
  std::string detail;  // different: apk::render_package_difference; missing: what is missing
};

// Every package <repo>/<arch>/APKINDEX.tar.gz lists, compared with <other>/<arch>/<file>: the
// whole file the same (signatures included: one key, the same content); else the control and data
// members and their entries (apk/package_diff.h). In the index's order.
std::vector<PackageComparison> compare_stage_packages(const std::filesystem::path& repo,
                                                      const std::filesystem::path& other, const std::string& arch);

}  // namespace lupine::farm
