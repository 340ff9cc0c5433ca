// The record of what a build ran on, written beside its log: every package of the build root with
// its version, arch and C: identity, so that "which packages built this" can be checked against the
// repositories they came from rather than asserted. Each package's SBOM lists the same packages by
// name and version (sbom.h, BUILD_DEPENDENCY_OF).
#pragma once

#include "builder/build/sbom.h"

#include <filesystem>
#include <string>
#include <vector>

namespace lupine::builder {

// <log without .log>.buildroot.json: buildlogs/hello-2.12-r0.log → buildlogs/hello-2.12-r0.buildroot.json
std::filesystem::path build_root_record_path(const std::filesystem::path& log);

// {"package": NAME, "version": V-rN, "arch": A, "build_root": [{"name", "version", "arch", "identity"}, ...]}
// in install order, 2-space indented with a trailing newline.
std::string build_root_record_json(const std::string& package, const std::string& version, const std::string& arch,
                                   const std::vector<BuildRootPackage>& build_root);

}  // namespace lupine::builder
