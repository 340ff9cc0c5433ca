#include "image/layer.h"

#include "apk/gzip.h"
#include "apk/tar.h"
#include "common/encoding.h"
#include "common/fs.h"
#include "common/hash.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lupine::image {
namespace {

TEST(ImageLayer, SortedOwnedFromTheMapStampedAndHashed) {
  TempDir root("lupine-image-layer");
  std::filesystem::create_directories(root.path() / "etc");
  std::filesystem::create_directories(root.path() / "a-b");
  write_file_atomic(root.path() / "etc/os-release", "ID=test\n", 0644);
  write_file_atomic(root.path() / "etc/passwd", "root:x:0:0::/root:/bin/sh\nuser:x:501:20::/:/bin/sh\n", 0644);
  std::filesystem::create_hard_link(root.path() / "etc/os-release", root.path() / "etc/z-link");
  std::filesystem::create_symlink("etc", root.path() / "b");
  OwnerMap owners;
  owners["etc/os-release"] = index::FileAcl{501, 20, 0640, {}};
  LayerOptions options;
  options.mtime = 1234567;
  options.owners = &owners;
  options.user_names = names_by_id(read_file(root.path() / "etc/passwd"));
  options.threads = 2;
  TempDir out("lupine-image-layer-out");
  LayerBlob blob = write_layer(root.path(), options, out.path() / "layer");

  std::string compressed = read_file(out.path() / "layer");
  EXPECT_EQ(blob.digest, "sha256:" + sha256_hex(compressed));
  EXPECT_EQ(blob.size, compressed.size());
  std::string tar = apk::read_gzip_members(compressed, "layer").at(0).content;
  EXPECT_EQ(blob.diff_id, "sha256:" + sha256_hex(tar));
  auto items = apk::parse_tar(tar, "layer").items;
  std::vector<std::string> names;
  for (const auto& item : items) {
    names.push_back(item.entry.path);
    EXPECT_EQ(item.entry.mtime, 1234567);
  }
  // Each directory's entries sorted, depth-first (fs.WalkDir order).
  EXPECT_THAT(names, ::testing::ElementsAre("a-b", "b", "etc", "etc/os-release", "etc/passwd", "etc/z-link"));
  EXPECT_EQ(blob.entries, 6u);
  const auto& os_release = items[3].entry;
  EXPECT_EQ(os_release.uid, 501u);
  EXPECT_EQ(os_release.gid, 20u);
  EXPECT_EQ(os_release.mode, 0640u);
  EXPECT_EQ(os_release.uname, "user");
  EXPECT_EQ(items[1].entry.type, apk::TarType::symlink);
  EXPECT_EQ(items[1].entry.link_target, "etc");
  EXPECT_EQ(items[5].entry.type, apk::TarType::hardlink);
  EXPECT_EQ(items[5].entry.link_target, "etc/os-release");

  // Same tree, same bytes, whatever the thread count.
  options.threads = 1;
  LayerBlob again = write_layer(root.path(), options, out.path() / "again");
  EXPECT_EQ(again.digest, blob.digest);
}

}  // namespace
}  // namespace lupine::image
