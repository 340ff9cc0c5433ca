// Test archives written with libarchive, including the hostile entries real tools refuse to make
// (absolute names, `..`, symlinks leading out).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace lupine::testing {

struct ArchiveEntrySpec {
  enum class Type { file, directory, symlink, hardlink };
  std::string name;
  Type type = Type::file;
  std::string content;  // file data
  std::string target;   // symlink / hard link target
  unsigned mode = 0644;

  static ArchiveEntrySpec file(std::string name, std::string content, unsigned mode = 0644) {
    return {std::move(name), Type::file, std::move(content), "", mode};
  }
  static ArchiveEntrySpec dir(std::string name) { return {std::move(name), Type::directory, "", "", 0755}; }
  static ArchiveEntrySpec symlink(std::string name, std::string target) {
    return {std::move(name), Type::symlink, "", std::move(target), 0777};
  }
  static ArchiveEntrySpec hardlink(std::string name, std::string target) {
    return {std::move(name), Type::hardlink, "", std::move(target), 0644};
  }
};

// format: "tar" (pax) or "zip"; filter: "", "gzip", "xz", "bzip2", "zstd".
void write_archive(const std::filesystem::path& path, const std::vector<ArchiveEntrySpec>& entries,
                   const std::string& format = "tar", const std::string& filter = "gzip");

// Names of everything under `dir` (relative, sorted, directories with a trailing '/').
std::vector<std::string> list_tree(const std::filesystem::path& dir);

}  // namespace lupine::testing
