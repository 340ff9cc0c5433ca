// `lupine rebuild`: a package built again from what it carries, then compared with itself (as
// melange's rebuild does from .melange.yaml):
//   1. the package's .melange.yaml (the compiled recipe, its environment locked to the build root
//      as name=version) is compiled again, with no pipeline library (its steps are laid out);
//   2. SOURCE_DATE_EPOCH is the package's builddate, and the recipe is named in the SBOM as the
//      original's SBOM names it (file name and sha256), so that nothing but the build decides;
//   3. the build root is resolved from the repositories given; where the original's build-root
//      record lies beside it (<arch>/buildlogs/<origin>-<version>.buildroot.json, as `lupine build`
//      writes it), every package must be the one recorded, by C: identity — a missing or changed
//      input is an error naming it, before anything is built;
//   4. the recipe is built into the rebuild's out dir and each package given is compared with the
//      one of the same file name there (apk/package_diff.h).
// Packages of one recipe given together are rebuilt once.
#pragma once

#include "apk/package_diff.h"
#include "builder/build/build.h"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace lupine::builder {

struct RebuiltPackage {
  std::filesystem::path original;
  std::filesystem::path rebuilt;  // "" when the rebuild made no package of that name
  apk::PackageDifference difference;
};

struct RebuildReport {
  std::vector<RebuiltPackage> packages;  // in the order given
  bool identical() const;
};

// The options of one recipe's rebuild, as for a build of `recipe` (the .melange.yaml written out):
// out_dir (where the rebuild goes), repositories, keyring, cache, signer, source_dir, fetch. The
// recipe, SOURCE_DATE_EPOCH, the SBOM's recipe name and namespace are then set from the package.
using RebuildOptionsFor = std::function<BuildOptions(const BuildPlan& plan, const std::filesystem::path& recipe)>;

// Throws Error naming the package (no .melange.yaml, a recipe that does not compile) or the input
// (a build-root package missing or not the recorded one); StepFailed when a step fails.
RebuildReport rebuild_packages(const std::vector<std::filesystem::path>& packages, const RebuildOptionsFor& options_for);

}  // namespace lupine::builder
