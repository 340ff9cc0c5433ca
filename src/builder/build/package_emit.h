// Turning a finished build's `melange-out/<pkg>` directories into signed .apk files (melange
// pkg/build/package.go EmitPackage, reference/melange.md §5.1–5.4): for the main package and each
// enabled subpackage, in recipe order,
//   1. the dependency scan (sca.h) over its directory, merged with the recipe's runtime/provides;
//   2. an SPDX 2.3 SBOM written into it at var/lib/db/sbom/<name>-<version>-r<epoch>.spdx.json
//      (sbom.h), naming the recipe and the fetched sources with their checksums;
//   3. .PKGINFO (origin = the main package, commit, license, url, builddate = SOURCE_DATE_EPOCH,
//      replaces, priorities, triggers) and the scriptlets;
//   4. the .apk packed (every entry owned by root, timestamps = SOURCE_DATE_EPOCH) and signed,
//      written atomically to <out_dir>/<arch>/<name>-<version>-r<epoch>.apk;
//   5. when signed, its signed SLSA provenance beside it (<file>.intoto.jsonl).
#pragma once

#include "apk/package_writer.h"
#include "builder/recipe/compile.h"
#include "builder/build/sbom.h"
#include "builder/scan/sca.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace lupine::builder {

// A source the build fetched (for the SBOM's GENERATED_FROM packages).
struct BuildSource {
  std::string uri;            // as in the fetch step, or the git repository URL
  std::string sha256;         // hex, when known
  std::string sha512;         // hex, when known
  std::string git_commit;     // for git-checkout sources
  std::string git_tag;        // idem, when given
};

struct EmitOptions {
  std::filesystem::path recipe_path;   // the recipe file (named in the SBOM)
  // The recipe as the SBOM names it, when not recipe_path's own name and sha256: a rebuild from a
  // package's .melange.yaml names the recipe file the original was built from (rebuild.h).
  std::string recipe_name, recipe_sha256;
  std::filesystem::path output_dir;    // the workspace's melange-out (holds <pkg>/ directories)
  std::filesystem::path out_dir;       // packages go to <out_dir>/<arch>/
  apk::PackageSigner signer;           // unsigned when signer.key is null
  int64_t source_date_epoch = 0;
  std::vector<BuildSource> sources;    // main-pipeline sources, added to every package's SBOM
  std::vector<BuildRootPackage> build_root;  // what the build ran on, added to every package's SBOM
  std::string namespace_name = "lupine";  // SBOM supplier / purl namespace (melange --namespace)
  // With a signer: each package's SLSA provenance, signed with the same key, is written beside it
  // (apk/provenance.h; builder/build/provenance.h), its build started at `started` (Unix seconds).
  int64_t started = 0;
  unsigned threads = 0;                // compression threads; 0 = one per core
  std::function<void(const std::string&)> log;  // progress and scanner warnings
};

struct EmittedPackage {
  std::string name;
  std::filesystem::path file;  // the written .apk
  apk::PkgInfo info;           // as written (with size and datahash)
  std::string identity;        // Q1… (the index's C:)
  ScanResult scan;
};

// Emits the main package and every enabled subpackage of `plan`. A package directory that does not
// exist is created empty (melange does the same for subpackages that move nothing). Throws Error
// naming the package when anything fails; packages already written stay (each is complete).
std::vector<EmittedPackage> emit_packages(const BuildPlan& plan, const EmitOptions& options);

}  // namespace lupine::builder
