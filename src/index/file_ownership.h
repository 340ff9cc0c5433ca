// Who keeps a path two packages both ship (reference/apk.md §5.4): apk-tools'
// apk_pkg_replaces_file / apk_pkg_replaces_dir (package.c), over the installed-db view of a package.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lupine::index {

struct PackageIdentity {
  std::string name;
  std::string version;
  std::string identity;  // C: "Q1..."
  std::string origin;
  std::vector<std::string> replaces;  // dependencies ("name", "name<2", ...)
  int64_t replaces_priority = 0;
  bool to_be_removed = false;  // removed by the same transaction

  std::string display() const { return name + "-" + version; }
};

enum class Replaces { yes, no, conflict };

// May `incoming` take over a file `owner` has installed?
// * same name (an upgrade), or `owner` being removed: yes; `incoming` being removed: no;
// * `owner` lists `incoming` in replaces with a higher replaces_priority than `incoming` gives it: no
//   (the file is kept, and stays the owner's);
// * `incoming` lists `owner` in replaces: yes, silently;
// * same non-empty origin: yes;
// * otherwise a conflict ("trying to overwrite <path> owned by <owner>").
Replaces replaces_file(const PackageIdentity& owner, const PackageIdentity& incoming);

// Whose acl a directory both list takes (apk_pkg_replaces_dir): yes when `incoming` wins over
// `owner`: upgrade or owner being removed; else the higher replaces_priority; else, with the same
// origin, the package named as the origin; else the name that sorts later.
bool replaces_dir(const PackageIdentity& owner, const PackageIdentity& incoming);

}  // namespace lupine::index
