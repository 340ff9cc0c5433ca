// The build workspace: the host directory bound at /home/build (reference/melange.md §4.2). It holds
// the regular files of the source directory (Wolfi: `<recipe dir>/<package name>/`, its patches),
// the fetched and extracted sources, and `melange-out/<pkg>` for each package (the destdirs that
// become the packages).
#pragma once

#include "builder/recipe/compile.h"

#include <filesystem>
#include <string>

namespace lupine::builder {

class BuildWorkspace {
 public:
  // `requested` empty: a new temporary directory, removed with this object unless keep()-ed.
  // Otherwise that directory (--workspace-dir), kept afterwards: created when missing; when it holds
  // files it must be one lupine made before (it has a `.lupine-workspace` marker) and is emptied,
  // so that nothing of an earlier build reaches the packages. Any other non-empty directory is
  // refused rather than cleared.
  explicit BuildWorkspace(const std::filesystem::path& requested = {});
  // A workspace an earlier build left (resuming, build_resume.h): `dir` must have the marker; its
  // contents are kept as they are, and so is the directory afterwards.
  struct Resume {};
  BuildWorkspace(const std::filesystem::path& dir, Resume);
  ~BuildWorkspace();
  BuildWorkspace(const BuildWorkspace&) = delete;
  BuildWorkspace& operator=(const BuildWorkspace&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path output_dir() const { return path_ / "melange-out"; }
  bool temporary() const { return temporary_; }
  void keep() { keep_ = true; }
  // Moves the workspace to `destination` (replacing what is there; across filesystems by copying)
  // and keeps it there.
  void move_to(const std::filesystem::path& destination);

 private:
  std::filesystem::path path_;
  bool temporary_ = false;
  bool keep_ = false;
};

// The source directory to copy when --source-dir is not given: `<recipe dir>/<package>/` when it is
// a directory (Wolfi's layout), else none ("").
std::filesystem::path default_source_dir(const std::filesystem::path& recipe, const std::string& package);

// Copies the regular files below `source_dir` into `workspace`, keeping relative paths and modes,
// as melange's populateWorkspace (symlinks and special files are skipped). Paths matching a pattern
// of `<source_dir>/.melangeignore` (fnmatch; one a line, `#` comments; a pattern without '/' matches
// a name at any depth) are left out. Returns how many files were copied.
size_t copy_source_files(const std::filesystem::path& source_dir, const std::filesystem::path& workspace);

// Creates melange-out/<name> for the package and every enabled subpackage.
void create_package_dirs(const std::filesystem::path& workspace, const BuildPlan& plan);

}  // namespace lupine::builder
