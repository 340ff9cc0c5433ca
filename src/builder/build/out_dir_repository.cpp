#include "builder/build/out_dir_repository.h"

#include "common/error.h"
#include "index/repository.h"

#include <fmt/format.h>

#include <system_error>

namespace lupine::builder {

namespace fs = std::filesystem;

namespace {

// The local directory an untagged repository line names (index::Repository's reading of a path or
// file:// URL), or "" for an HTTP repository, a tagged line (`@tag DIR`: a tag is asked for by
// name, and leaving it out would change what resolves) or a line the loader will refuse itself.
fs::path local_directory(const std::string& line, const std::string& arch) {
  try {
    auto repository = index::Repository::parse(line);
    if (repository.kind() != index::Repository::Kind::local || !repository.tag().empty()) return {};
    return fs::path(repository.index_location(arch)).parent_path().parent_path();  // DIR/<arch>/APKINDEX.tar.gz
  } catch (const Error&) {
    return {};
  }
}

// The directory, absolute and without "." / ".." / a trailing '/', as far as it exists resolved.
fs::path comparable(const fs::path& directory, std::error_code& error) {
  fs::path path = fs::weakly_canonical(directory, error).lexically_normal();
  if (!path.has_filename() && path.has_parent_path()) path = path.parent_path();
  return path;
}

}  // namespace

std::vector<std::string> without_unbuilt_out_dir(const std::vector<std::string>& repositories,
                                                 const fs::path& out_dir, const std::string& arch,
                                                 const std::function<void(const std::string&)>& log) {
  std::error_code error;
  const fs::path out = comparable(out_dir, error);
  if (error || fs::exists(out / arch / "APKINDEX.tar.gz", error)) return repositories;
  std::vector<std::string> kept;
  for (const auto& line : repositories) {
    fs::path directory = local_directory(line, arch);
    if (!directory.empty() && comparable(directory, error) == out && !error) {
      if (log) log(fmt::format("repository {} is this build's --out-dir, where nothing is built yet (no {}/APKINDEX.tar.gz): left out", line, arch));
      continue;
    }
    kept.push_back(line);
  }
  return kept;
}

}  // namespace lupine::builder
