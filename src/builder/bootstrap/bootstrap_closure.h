// The self-consistency check of a stage-0 repository: every dependency of every package is met by
// a package of the repository itself (by name and version, or by a provides entry), so that any of
// them installs from it alone.
#pragma once

#include <string>
#include <vector>

namespace lupine::builder {

struct ClosurePackage {
  std::string name;
  std::string version;  // "12.2.0_p14-r1"
  std::vector<std::string> depends;   // atoms: "so:libc.so.6", "binutils", "cmd:perl", "glibc>=2"
  std::vector<std::string> provides;  // "so:libc.so.6=6", "cmd:gcc=12.2.0_p14-r1", "cc"
};

struct UnresolvedDependency {
  std::string package;     // who needs it
  std::string dependency;  // the atom nothing satisfies
};

// Conflicts ("!name") are not checked. Throws Error for an atom that does not parse.
std::vector<UnresolvedDependency> unresolved_dependencies(const std::vector<ClosurePackage>& packages);

// Versioned provides of one name by several packages ("cmd:ar provided by binutils and busybox"):
// apk installs at most one provider of a versioned name, so such packages could not be installed
// together.
std::vector<std::string> shared_versioned_provides(const std::vector<ClosurePackage>& packages);

}  // namespace lupine::builder
