#include "image/owners.h"

namespace lupine::image {

OwnerMap owners_from_installed_db(const std::vector<index::InstalledDbPackage>& packages) {
  OwnerMap owners;
  for (const auto& package : packages) {
    for (const auto& dir : package.dirs) {
      if (!dir.path.empty()) {
        auto [it, inserted] = owners.try_emplace(dir.path, dir.acl);
        if (!inserted && it->second == index::default_dir_acl()) it->second = dir.acl;
      }
      for (const auto& file : dir.files) {
        std::string path = dir.path.empty() ? file.name : dir.path + "/" + file.name;
        owners[path] = file.acl;  // a file belongs to the one package that installed it last
      }
    }
  }
  return owners;
}

}  // namespace lupine::image
