#include "image/paths.h"

#include "common/error.h"
#include "common/fs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

namespace lupine::image {
namespace {

using ::testing::HasSubstr;

PathMutation mutation(std::string path, PathType type, std::string source = {}) {
  PathMutation m;
  m.path = std::move(path);
  m.type = type;
  m.source = std::move(source);
  m.where = "apko.yaml:1";
  return m;
}

std::string error_of(const std::filesystem::path& root, const std::vector<PathMutation>& mutations) {
  OwnerMap owners;
  try {
    apply_paths(root, mutations, owners);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(ImagePaths, AppliesEveryKindAndRecordsOwners) {
  TempDir root("lupine-image-paths");
  std::filesystem::create_directories(root.path() / "bin");
  write_file_atomic(root.path() / "bin/busybox", "binary", 0755);
  OwnerMap owners;
  owners["bin/busybox"] = index::FileAcl{0, 0, 0755, {}};

  PathMutation dir = mutation("/run/nginx/cache", PathType::directory);
  dir.uid = 10000;
  dir.gid = 10000;
  dir.permissions = 0750;
  PathMutation file = mutation("/etc/marker", PathType::empty_file);
  file.permissions = 0600;
  file.uid = 5;  // gid defaults to 0 when only uid is given (apko)
  PathMutation link = mutation("/bin/sh", PathType::symlink, "busybox");
  PathMutation hard = mutation("/bin/ash", PathType::hardlink, "/bin/busybox");
  PathMutation chmod = mutation("/run", PathType::permissions);
  chmod.permissions = 0700;
  chmod.recursive = true;
  std::filesystem::create_directories(root.path() / "etc");
  apply_paths(root.path(), {dir, file, link, hard, chmod}, owners);

  EXPECT_TRUE(std::filesystem::is_directory(root.path() / "run/nginx/cache"));
  EXPECT_EQ(owners["run/nginx/cache"], (index::FileAcl{10000, 10000, 0700, {}}));  // then chmod'ed recursively
  EXPECT_EQ(owners["run"].mode, 0700u);
  EXPECT_EQ(owners["etc/marker"], (index::FileAcl{5, 0, 0600, {}}));
  EXPECT_EQ(std::filesystem::read_symlink(root.path() / "bin/sh"), "busybox");
  EXPECT_TRUE(std::filesystem::equivalent(root.path() / "bin/ash", root.path() / "bin/busybox"));
  EXPECT_EQ(owners["bin/ash"].mode, 0755u);
  struct stat st {};
  ASSERT_EQ(::stat((root.path() / "etc/marker").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST(ImagePaths, RefusesSymlinksLeadingOutOfTheRoot) {
  TempDir outside("lupine-image-outside");
  TempDir root("lupine-image-paths");
  std::filesystem::create_symlink(outside.path(), root.path() / "absolute");
  std::filesystem::create_symlink("../../../../../../../../" + outside.path().relative_path().string(),
                                  root.path() / "relative");
  EXPECT_THAT(error_of(root.path(), {mutation("/absolute/pwned", PathType::directory)}),
              HasSubstr("apko.yaml:1: paths: '/absolute/pwned' leads outside the image root through a symlink"));
  EXPECT_THAT(error_of(root.path(), {mutation("/relative/pwned", PathType::empty_file)}),
              HasSubstr("leads outside the image root"));
  EXPECT_THAT(error_of(root.path(), {mutation("/x", PathType::hardlink, "/relative/file")}),
              HasSubstr("leads outside the image root"));
  EXPECT_TRUE(std::filesystem::is_empty(outside.path()));
  // A symlink that stays inside is followed.
  std::filesystem::create_directories(root.path() / "usr/lib");
  std::filesystem::create_symlink("usr/lib", root.path() / "lib");
  OwnerMap owners;
  apply_paths(root.path(), {mutation("/lib/data", PathType::directory)}, owners);
  EXPECT_TRUE(std::filesystem::is_directory(root.path() / "usr/lib/data"));
}

}  // namespace
}  // namespace lupine::image
