// APK dependencies as written in .PKGINFO (depend/provides/install_if), APKINDEX D:/p:/i: and
// world: ['!'] name ['@' tag] [op version], following apk-tools' apk_dep_parse/apk_blob_pull_dep.
#pragma once

#include "apk/version.h"

#include <string>
#include <string_view>
#include <vector>

namespace lupine::apk {

struct Dependency {
  std::string name;     // package or provided name: "musl", "so:libc.musl-x86_64.so.1", "/bin/sh"
  std::string tag;      // repository tag ("name@tag"), empty when none
  int op = ANY;         // operator mask (version.h) without CONFLICT; ANY means no version
  std::string version;  // empty when op is ANY; a package identity ("Q1...") when op is CHECKSUM
  bool conflict = false;  // "!name": satisfied only when no matching package is installed
  bool broken = false;    // the version failed validation (apk-tools keeps such deps, unsatisfiable)

  bool is_identity() const { return op == CHECKSUM; }
  std::string to_string() const;

  // Is this dependency satisfied by a package (or provides entry) called `package_name` at
  // `package_version`? As apk-tools' apk_dep_is_materialized: another name is unrelated, which
  // satisfies only a conflict. An empty `package_version` is an unversioned provides entry and
  // matches every version constraint. For identity dependencies pass the package's identity
  // ("Q1..." of its control member) as `package_identity`.
  bool matches(std::string_view package_name, std::string_view package_version,
               std::string_view package_identity = {}) const;
};

// Throws lupine::Error naming `text` and what was expected. Name and tag characters are
// [A-Za-z0-9+._-] plus : , / [ ] (apk-tools' dependency-name class). A version that is not
// valid does not throw: the dependency is returned with `broken` set, as apk-tools does.
Dependency parse_dependency(std::string_view text);

// Dependencies separated by spaces and/or newlines (empty entries skipped).
std::vector<Dependency> parse_dependency_list(std::string_view text);

// Space-separated, as apk-tools writes them.
std::string to_string(const std::vector<Dependency>& dependencies);

}  // namespace lupine::apk
