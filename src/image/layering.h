// apko's `layering: {strategy: origin, budget: N}` (docs/layering.md, pkg/build/layers.go): the root
// filesystem split into layers by package, so that images sharing packages share their layers
// byte for byte and registries store and serve them once. Packages are grouped by origin, groups
// whose packages replace one another's files merged; the groups are ranked by installed size
// (then name), the first N-1 get a layer each, the rest share one; a last layer holds every
// directory and what no package owns (the installed database, accounts, paths, certificates).
// A package layer holds its files and the directories above them; as lupine clamps every mtime to
// the build's, a directory's entry is the same in every layer.
#pragma once

#include "index/installed_db.h"

#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace lupine::image {

// The entries (root-relative paths) of each layer, bottom first: budget package layers at most
// (fewer when there are fewer groups), then the last. Paths the packages list that the root no
// longer has are left out.
std::vector<std::set<std::string>> partition_layers(const std::filesystem::path& root,
                                                    const std::vector<index::InstalledDbPackage>& installed,
                                                    uint32_t budget);

}  // namespace lupine::image
