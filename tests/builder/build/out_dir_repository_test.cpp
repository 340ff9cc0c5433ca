// A build's --out-dir among its repositories: left out while it has no index, kept once it has.
#include "builder/build/out_dir_repository.h"

#include "common/fs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

namespace lupine::builder {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

TEST(OutDirRepository, AnUnbuiltOutDirIsLeftOutAndSaidSo) {
  TempDir dir("out-dir-repository");
  const fs::path out = dir.path() / "packages";
  const fs::path other = dir.path() / "stage0";
  std::vector<std::string> said;
  auto kept = without_unbuilt_out_dir({other.string(), out.string(), "file://" + out.string() + "/",
                                       "https://example.org/os", "@local " + out.string()},
                                      out, "x86_64", [&](const std::string& line) { said.push_back(line); });
  // The out-dir by path and by file:// URL goes; another missing repository, an HTTP one and a
  // tagged line stay (asked for by name: leaving them out would change what resolves).
  EXPECT_THAT(kept, ElementsAre(other.string(), "https://example.org/os", "@local " + out.string()));
  ASSERT_EQ(said.size(), 2u);
  EXPECT_THAT(said[0], HasSubstr("is this build's --out-dir, where nothing is built yet (no x86_64/APKINDEX.tar.gz)"));
}

TEST(OutDirRepository, AnOutDirWithAnIndexStays) {
  TempDir dir("out-dir-repository");
  const fs::path out = dir.path() / "packages";
  fs::create_directories(out / "x86_64");
  std::ofstream(out / "x86_64" / "APKINDEX.tar.gz") << "index";
  // A relative spelling of the same directory compares equal, and stays too.
  auto relative = fs::relative(out, fs::current_path()).string();
  auto kept = without_unbuilt_out_dir({out.string(), relative}, out, "x86_64", nullptr);
  EXPECT_THAT(kept, ElementsAre(out.string(), relative));
  // Another arch's index does not count for this one.
  EXPECT_TRUE(without_unbuilt_out_dir({out.string()}, out, "aarch64", nullptr).empty());
}

}  // namespace
}  // namespace lupine::builder
