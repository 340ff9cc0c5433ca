// Who owns each entry of an image root, independently of who owns the files on disk.
//
// lupine may build images unprivileged, where the installer cannot chown (index/installer.h:
// owners are then only recorded in lib/apk/db/installed as `M:`/`a:`). The layer takes uid, gid
// and mode from this map instead of the filesystem: first the installed database (what each
// package's tar header said — apko loses this, melange#1395), then what the image build itself
// sets (accounts' home directories, `paths:` mutations). Entries absent from the map are
// root-owned with their on-disk permission bits.
#pragma once

#include "index/installed_db.h"

#include <map>
#include <string>
#include <vector>

namespace lupine::image {

// Root-relative path ("etc/os-release", no leading '/') → owner and permission bits.
using OwnerMap = std::map<std::string, index::FileAcl>;

// Every directory (`F:` + `M:`) and file (`R:` + `a:`) of the installed packages. When several
// packages list one directory, the first whose acl is not the default wins (apk-tools keeps the
// acl of the package that created the directory, and packages normally agree).
OwnerMap owners_from_installed_db(const std::vector<index::InstalledDbPackage>& packages);

}  // namespace lupine::image
