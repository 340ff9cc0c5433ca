// An image's root filesystem from its layers: later layers replace, whiteouts remove, symlinks
// resolve inside the image.
#include "image/image_tree.h"

#include "common/error.h"
#include "common/fs.h"

#include <gtest/gtest.h>

namespace lupine::image {
namespace {

using apk::TarType;

std::string layer(const std::vector<apk::TarEntry>& entries, const std::vector<std::string>& contents = {}) {
  std::string tar;
  for (size_t i = 0; i < entries.size(); ++i) {
    apk::TarEntry entry = entries[i];
    std::string data = i < contents.size() ? contents[i] : "";
    if (entry.type == TarType::regular) entry.size = data.size();
    tar += apk::tar_header(entry) + data + std::string(apk::tar_padding(data.size()));
  }
  return tar + std::string(apk::tar_end_of_archive());
}

apk::TarEntry file(std::string path, uint32_t mode = 0644) {
  apk::TarEntry entry;
  entry.path = std::move(path);
  entry.mode = mode;
  return entry;
}

apk::TarEntry dir_entry(std::string path) {
  apk::TarEntry entry = file(std::move(path), 0755);
  entry.type = TarType::directory;
  return entry;
}

apk::TarEntry link(std::string path, std::string target, TarType type = TarType::symlink) {
  apk::TarEntry entry = file(std::move(path), 0777);
  entry.type = type;
  entry.link_target = std::move(target);
  return entry;
}

TEST(ImageTree, LaterLayersReplaceAndWhiteoutsRemoveOnlyWhatIsBelow) {
  ImageTree tree;
  tree.apply_layer(layer({dir_entry("etc"), file("etc/a"), file("etc/b"), dir_entry("opt"), file("opt/old"), dir_entry("opt/sub"),
                          file("opt/sub/x")},
                         {"", "a1", "b1", "", "old", "", "x"}),
                   "layer 1");
  tree.apply_layer(layer({file("etc/a"), file("etc/.wh.b"), file("opt/new"), file("opt/.wh..wh..opq")}, {"a2", "", "new"}),
                   "layer 2");
  ASSERT_NE(tree.entry("/etc/a"), nullptr);
  EXPECT_EQ(tree.entry("etc/a")->data, "a2");
  EXPECT_EQ(tree.entry("etc/b"), nullptr);
  // The opaque directory lost what layer 1 put there, not what layer 2 adds beside the marker.
  EXPECT_EQ(tree.entry("opt/old"), nullptr);
  EXPECT_EQ(tree.entry("opt/sub/x"), nullptr);
  ASSERT_NE(tree.entry("opt/new"), nullptr);
  EXPECT_EQ(tree.entry("opt/.wh..wh..opq"), nullptr);
  EXPECT_NE(tree.entry("opt"), nullptr);
}

TEST(ImageTree, SymlinksResolveInsideTheImage) {
  ImageTree tree;
  tree.apply_layer(layer({dir_entry("usr"), dir_entry("usr/lib"), file("usr/lib/libc.so.6"), link("lib", "usr/lib"),
                          link("lib64", "/usr/lib"), link("usr/lib/libc.so", "libc.so.6"), link("escape", "../../../usr"),
                          link("loop", "loop"), link("usr/lib/hard", "usr/lib/libc.so.6", TarType::hardlink)},
                         {"", "", "libc"}),
                   "layer");
  EXPECT_EQ(tree.resolve("/lib64/libc.so"), "usr/lib/libc.so.6");
  EXPECT_EQ(tree.resolve("lib/libc.so.6"), "usr/lib/libc.so.6");
  EXPECT_EQ(tree.resolve("/escape/lib/libc.so.6"), "usr/lib/libc.so.6");  // ".." stops at the root
  EXPECT_EQ(tree.resolve("/loop"), std::nullopt);
  EXPECT_EQ(tree.resolve("/lib/missing"), std::nullopt);
  ASSERT_NE(tree.find("/usr/lib/hard"), nullptr);
  EXPECT_EQ(tree.find("/usr/lib/hard")->data, "libc");
  EXPECT_EQ(tree.find("/usr/lib/hard")->type, TarType::regular);
}

TEST(ImageTree, AHardLinkToNothingIsAnError) {
  ImageTree tree;
  EXPECT_THROW(tree.apply_layer(layer({link("a", "missing", TarType::hardlink)}), "layer"), Error);
}

// Written out for a sandbox: modes kept, symlinks as they are; an entry below a symlink (which
// would be written through it, wherever it points) is refused.
TEST(ImageTree, WrittenOutWithModesAndNothingThroughASymlink) {
  TempDir dir("lupine-image-tree");
  ImageTree tree;
  tree.apply_layer(layer({dir_entry("usr"), file("usr/run", 0750), link("lib", "usr")}, {"", "#!/bin/sh\n"}), "layer");
  write_tree(tree, dir.path() / "root");
  EXPECT_EQ(read_file(dir.path() / "root/usr/run"), "#!/bin/sh\n");
  EXPECT_EQ(std::filesystem::status(dir.path() / "root/usr/run").permissions() & std::filesystem::perms::all,
            static_cast<std::filesystem::perms>(0750));
  EXPECT_EQ(std::filesystem::read_symlink(dir.path() / "root/lib"), "usr");

  ImageTree escaping;
  escaping.apply_layer(layer({link("etc", "/etc"), file("etc/passwd")}, {"", "x"}), "layer");
  EXPECT_THROW(write_tree(escaping, dir.path() / "escape"), Error);
}

TEST(ImageTree, PathsAreNormalised) {
  EXPECT_EQ(tree_path("/usr//bin/./x/"), "usr/bin/x");
  EXPECT_EQ(tree_path("./a/../b"), "b");
  EXPECT_EQ(tree_path("/../.."), "");
}

}  // namespace
}  // namespace lupine::image
