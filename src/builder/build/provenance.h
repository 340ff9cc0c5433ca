// The SLSA v1.0 provenance lupine writes for each package it builds and signs (apk/provenance.h has
// the file and its checks): what was built (the .apk file, by sha256), from what (the recipe file
// and the compiled recipe the package carries, each source with its checksum, every package of the
// build root with its C: identity as a sha1 digest), how (arch, SOURCE_DATE_EPOCH, namespace), by
// whom (builder id and lupine's version) and when (start and finish of the build).
//
//   buildType:  https://lupine.dev/buildtypes/recipe/v1
//   builder.id: https://lupine.dev/builders/lupine/v1
#pragma once

#include "builder/build/package_emit.h"
#include "builder/build/sbom.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lupine::builder {

inline constexpr const char* kProvenanceBuildType = "https://lupine.dev/buildtypes/recipe/v1";
inline constexpr const char* kProvenanceBuilderId = "https://lupine.dev/builders/lupine/v1";

struct ProvenanceInputs {
  std::string package_file;    // "hello-2.12-r0.apk"
  std::string package_sha256;  // of the file
  std::string origin, full_version, arch, namespace_name;
  std::string recipe_name, recipe_sha256;
  std::string compiled_recipe_sha256;  // of its .melange.yaml
  std::vector<BuildSource> sources;
  std::vector<BuildRootPackage> build_root;
  int64_t source_date_epoch = 0;
  int64_t started = 0, finished = 0;  // Unix seconds
  std::string lupine_version;
};

// The in-toto Statement v1 (JSON text) with the SLSA provenance v1 predicate.
std::string make_provenance_statement(const ProvenanceInputs& inputs);

}  // namespace lupine::builder
