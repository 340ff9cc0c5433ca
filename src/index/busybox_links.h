// busybox's applet links in an installed root, made as apko makes them (pkg/build/busybox.go)
// rather than by running busybox: Wolfi's busybox ships only /usr/bin/busybox and a list of its
// applets' paths, /etc/busybox-paths.d/<package>, and a trigger (`busybox --install -s`) that apk
// runs on a live system. lupine runs no scripts, so every root lupine installs into — `lupine
// install`, build roots, images — gets the links from that list instead:
//
//  - only when the root has /bin/busybox and an installed package named busybox, or providing a
//    name that contains "busybox" (as apko, so busybox-full counts), has a list;
//  - a link is made only where nothing exists (lstat): a file another package ships, coreutils' ls
//    or util-linux's mount, always wins, whichever was installed first (busybox --install -s
//    leaves existing names alone too);
//  - each link is absolute, to /bin/busybox (apko's target), and belongs to no package: a package
//    installed later at that path simply replaces it.
#pragma once

#include "index/installed_db.h"

#include <filesystem>
#include <string>
#include <vector>

namespace lupine::index {

struct BusyboxLinks {
  std::string provider;  // the package whose list was read ("" when the root has no busybox)
  size_t created = 0;
};

// Makes the links. A listed path must be a safe relative path ("usr/bin/ls"; apko's lists have no
// leading '/'); one that is not, or whose directory exists as something other than a directory,
// is an error naming the list file and its line. Directories a path needs are created (0755).
BusyboxLinks install_busybox_links(const std::filesystem::path& root, const std::vector<InstalledDbPackage>& installed);

}  // namespace lupine::index
