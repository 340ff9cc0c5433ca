// RepositorySet: records left out before solving are not chosen, whichever repository has them.
#include "index/package_add.h"

#include "common/fs.h"
#include "index/index_archive.h"

#include <gtest/gtest.h>

namespace lupine::index {
namespace {

IndexRecord record(std::string name, std::string version, std::string origin, char tag) {
  IndexRecord r;
  r.identity = "Q1" + std::string(27, tag) + "=";
  r.name = std::move(name);
  r.version = std::move(version);
  r.origin = std::move(origin);
  r.arch = "x86_64";
  return r;
}

std::string repository(const TempDir& dir, const std::string& name, const std::vector<IndexRecord>& records) {
  std::filesystem::path path = dir.path() / name;
  std::filesystem::create_directories(path / "x86_64");
  write_file_atomic(path / "x86_64" / "APKINDEX.tar.gz", make_index_member(records, name, 0));
  return path.string();
}

std::vector<std::string> chosen(const RepositorySet& repos, const std::vector<std::string>& atoms) {
  AddPlan plan = plan_add(repos, RootState{}, atoms);
  EXPECT_TRUE(plan.solution.ok());
  std::vector<std::string> out;
  for (const IndexRecord* picked : resulting_packages(plan)) out.push_back(picked->name + "-" + picked->version);
  std::sort(out.begin(), out.end());
  return out;
}

// A farm stage's cycle member must not see what a later member made in the stage itself: with
// those records left out, the earlier stage's older package is chosen (the newer would win).
TEST(RepositorySetLeaveOut, TakesThePickedRecordsOfOneRepositoryOnly) {
  TempDir dir{"lupine-leave-out"};
  std::string stage = repository(dir, "stage", {record("gcc", "14-r1", "gcc", 'A'), record("libgcc", "14-r1", "gcc", 'B'),
                                                record("make", "4.4-r0", "make", 'C')});
  std::string earlier = repository(dir, "earlier", {record("gcc", "14-r0", "gcc", 'D'), record("libgcc", "14-r0", "gcc", 'E')});
  RepositorySet repos({stage, earlier}, "x86_64", apk::Keyring{}, true, FetchOptions{});
  EXPECT_EQ(chosen(repos, {"gcc", "libgcc", "make"}),
            (std::vector<std::string>{"gcc-14-r1", "libgcc-14-r1", "make-4.4-r0"}));

  size_t taken = repos.leave_out([&](const LoadedIndex& loaded, const IndexRecord& r) {
    return loaded.repository.location() == stage && r.origin == "gcc";
  });
  EXPECT_EQ(taken, 2u);
  EXPECT_EQ(chosen(repos, {"gcc", "libgcc", "make"}),
            (std::vector<std::string>{"gcc-14-r0", "libgcc-14-r0", "make-4.4-r0"}));
  EXPECT_EQ(repos.indexes()[0].records.size(), 1u);
  EXPECT_EQ(repos.indexes()[1].records.size(), 2u);
}

}  // namespace
}  // namespace lupine::index
