#include "index/index_lock.h"

namespace lupine::index {

std::filesystem::path IndexLock::lock_path(const std::filesystem::path& index) {
  std::filesystem::path path = index;
  path += ".lock";
  return path;
}

void remove_stale_temp_files(const std::filesystem::path& index) {
  std::filesystem::path directory = index.parent_path();
  if (directory.empty()) directory = ".";
  // The naming of common/fs.h AtomicFile: ".<file name>.tmp-<random>".
  const std::string prefix = "." + index.filename().string() + ".tmp-";
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    if (entry.path().filename().string().starts_with(prefix)) std::filesystem::remove(entry.path(), error);
  }
}

}  // namespace lupine::index
