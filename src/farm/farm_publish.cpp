#include "farm/farm_publish.h"

#include "apk/provenance.h"
#include "common/error.h"
#include "index/index_builder.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>

namespace lupine::farm {
namespace fs = std::filesystem;

namespace {

// rename(2): the staging repository lives inside the out dir, so this never copies.
void move_into(const fs::path& from, const fs::path& to) {
  fs::create_directories(to.parent_path());
  if (std::rename(from.c_str(), to.c_str()) != 0)
    fail_errno(fmt::format("cannot move {} to {}", from.string(), to.string()));
}

// <dir>/APKINDEX.tar.gz from every package in <dir>, signed with the farm's key.
void index_directory(const fs::path& dir, const PublishOptions& options, std::optional<int64_t> expires_in) {
  std::vector<fs::path> packages;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().extension() == ".apk") packages.push_back(entry.path());
  std::sort(packages.begin(), packages.end());
  apk::Keyring keyring;
  index::IndexBuildOptions index_options;
  index_options.output = dir / "APKINDEX.tar.gz";
  index_options.merge = true;
  index_options.arch = options.arch;
  index_options.keyring = &keyring;
  // As `lupine build`'s index: the out dir's packages are indexed whoever signed them (their
  // integrity is still checked); the index itself is signed with the farm's key.
  index_options.allow_untrusted = true;
  index_options.signer = options.signer;
  index_options.mtime = options.mtime;
  index_options.expires_in = expires_in;
  index::build_index(packages, index_options);
}

// Every file under <staging>/round-1/<arch>/ moved to the same place under <out>/round-1/<arch>/.
void publish_round_one(const PublishOptions& options) {
  fs::path from = options.staging_dir / kRoundOne / options.arch;
  std::error_code error;
  if (!fs::is_directory(from, error)) return;
  fs::path to = options.out_dir / kRoundOne / options.arch;
  std::vector<fs::path> files;  // listed first: moving while iterating is unspecified
  for (const auto& entry : fs::recursive_directory_iterator(from))
    if (entry.is_regular_file()) files.push_back(entry.path());
  for (const auto& file : files) move_into(file, to / file.lexically_relative(from));
  if (!files.empty()) index_directory(to, options, std::nullopt);
}

}  // namespace

PublishResult publish_staged(const PublishOptions& options, const std::vector<BuildRecord>& built) {
  publish_round_one(options);
  PublishResult result;
  fs::path staged = options.staging_dir / options.arch;
  fs::path published = options.out_dir / options.arch;
  fs::create_directories(published);
  for (const BuildRecord& record : built)
    for (const std::string& file : record.packages) {
      move_into(staged / file, published / file);
      // Its signed provenance goes with it (apk/provenance.h).
      fs::path provenance = apk::provenance_path(staged / file);
      if (fs::exists(provenance)) move_into(provenance, apk::provenance_path(published / file));
      ++result.packages;
    }
  std::error_code error;
  if (fs::is_directory(staged / "buildlogs", error))
    for (const auto& entry : fs::directory_iterator(staged / "buildlogs"))
      move_into(entry.path(), published / "buildlogs" / entry.path().filename());
  if (result.packages == 0) return result;

  index_directory(published, options, options.index_expires_in);
  result.index_updated = true;

  for (const BuildRecord& record : built)
    move_into(build_record_path(options.staging_dir, options.arch, record.name),
              build_record_path(options.out_dir, options.arch, record.name));
  return result;
}

}  // namespace lupine::farm
