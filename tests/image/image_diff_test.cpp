// diff_images on images made in memory: packages by the installed database, files by attributes,
// the attack surface by image check's notes.
#include "image/image_diff.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lupine::image {
namespace {

using apk::TarType;
using ::testing::ElementsAre;

struct File {
  std::string path;
  uint32_t mode;
  std::string data;
};

ReadImage image_of(const std::string& name, const std::vector<File>& files, std::vector<uint64_t> sizes) {
  std::string tar;
  for (const auto& file : files) {
    apk::TarEntry entry;
    entry.path = file.path;
    entry.mode = file.mode;
    entry.size = file.data.size();
    tar += apk::tar_header(entry) + file.data + std::string(apk::tar_padding(file.data.size()));
  }
  ReadImage image;
  image.reference = name;
  image.layers = {tar + std::string(apk::tar_end_of_archive())};
  image.layer_sizes = std::move(sizes);
  image.config = nlohmann::json::object();
  return image;
}

std::string installed(const std::vector<std::string>& packages) {
  std::string db;
  for (const auto& package : packages) db += package + "\n\n";
  return db;
}

TEST(ImageDiff, PackagesFilesSizesAndAttackSurface) {
  auto before = image_of("a",
                         {{"lib/apk/db/installed", 0644,
                           installed({"C:Q1aaaaaaaaaaaaaaaaaaaaaaaaaaa=\nP:hello\nV:2.12-r0\nA:x86_64\no:hello",
                                      "C:Q1bbbbbbbbbbbbbbbbbbbbbbbbbbb=\nP:old\nV:1-r0\nA:x86_64",
                                      "C:Q1ccccccccccccccccccccccccccc=\nP:same\nV:1-r0\nA:x86_64"})},
                          {"usr/bin/hello", 0755, "v1"},
                          {"usr/bin/old", 0755, "old"},
                          {"etc/conf", 0644, "x"}},
                         {100});
  auto after = image_of("b",
                        {{"lib/apk/db/installed", 0644,
                          installed({"C:Q1ddddddddddddddddddddddddddd=\nP:hello\nV:2.12-r1\nA:x86_64\no:hello",
                                     "C:Q1ccccccccccccccccccccccccccc=\nP:same\nV:1-r0\nA:x86_64",
                                     "C:Q1eeeeeeeeeeeeeeeeeeeeeeeeeee=\nP:new\nV:3-r0\nA:x86_64\no:newsrc"})},
                         {"usr/bin/hello", 04755, "v2!"},
                         {"usr/bin/sh", 0755, "shell"},
                         {"etc/conf", 0644, "x"}},
                        {100, 50});
  ImageDiff diff = diff_images(before, after);
  std::vector<std::string> packages;
  for (const auto& p : diff.packages) packages.push_back(p.name + " " + p.what + " [" + p.before + "] [" + p.after + "]");
  EXPECT_THAT(packages, ElementsAre("hello version [2.12-r0] [2.12-r1]", "new added [] [3-r0 (origin newsrc)]",
                                    "old removed [1-r0] []"));
  std::vector<std::string> files;
  for (const auto& f : diff.files) files.push_back(f.path + ": " + f.what);
  EXPECT_THAT(files, ElementsAre("/lib/apk/db/installed: size 182 -> 191, contents",
                                 "/usr/bin/hello: mode 0755 -> 4755, size 2 -> 3, contents", "/usr/bin/old: removed",
                                 "/usr/bin/sh: added"));
  EXPECT_THAT(diff.surface_added, ElementsAre("setuid /usr/bin/hello", "shell /usr/bin/sh"));
  EXPECT_TRUE(diff.surface_removed.empty());
  EXPECT_EQ(diff.total(diff.layers_before), 100u);
  EXPECT_EQ(diff.total(diff.layers_after), 150u);
}

}  // namespace
}  // namespace lupine::image
