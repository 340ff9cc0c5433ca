#include "apk/package_diff.h"

#include "apk/package_writer.h"
#include "common/fs.h"
#include "common/rsa.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

namespace lupine::apk {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

void write(const fs::path& path, const std::string& contents, unsigned mode = 0644) {
  fs::create_directories(path.parent_path());
  write_file_atomic(path, contents, mode);
}

Package pack(const fs::path& tree, const fs::path& file, const RsaPrivateKey* key) {
  PackOptions options;
  options.info.pkgname = "hello";
  options.info.pkgver = "1.0-r0";
  options.info.arch = "x86_64";
  options.mtime = 1700000000;
  options.signer = {key, "k.rsa.pub", HashAlgorithm::sha256};
  pack_directory(tree, options, file);
  return Package::read(file);
}

class PackageDiff : public ::testing::Test {
 protected:
  void SetUp() override {
    write(dir_.path() / "a/usr/bin/hello", "#!/bin/sh\necho hello\n", 0755);
    write(dir_.path() / "a/usr/share/hello/data", "same\n");
    fs::copy(dir_.path() / "a", dir_.path() / "b", fs::copy_options::recursive);
  }
  TempDir dir_;
  RsaPrivateKey key_ = RsaPrivateKey::generate(2048);
  RsaPrivateKey other_ = RsaPrivateKey::generate(2048);
};

TEST_F(PackageDiff, TheSameTreeIsIdenticalWhicheverKeySignedIt) {
  Package a = pack(dir_.path() / "a", dir_.path() / "a.apk", &key_);
  Package b = pack(dir_.path() / "b", dir_.path() / "b.apk", &key_);
  Package c = pack(dir_.path() / "b", dir_.path() / "c.apk", &other_);
  PackageDifference same = diff_packages(a, b);
  EXPECT_TRUE(same.identical);
  EXPECT_TRUE(same.same_signature);
  EXPECT_TRUE(same.entries.empty());
  PackageDifference resigned = diff_packages(a, c);
  EXPECT_TRUE(resigned.identical);
  EXPECT_FALSE(resigned.same_signature);
}

TEST_F(PackageDiff, NamesEachDifferingEntryWithBothSides) {
  write(dir_.path() / "b/usr/bin/hello", "#!/bin/sh\necho hullo\n", 0755);
  write(dir_.path() / "b/usr/share/hello/new", "x");
  fs::remove(dir_.path() / "b/usr/share/hello/data");
  Package a = pack(dir_.path() / "a", dir_.path() / "a.apk", &key_);
  Package b = pack(dir_.path() / "b", dir_.path() / "b.apk", &key_);
  PackageDifference difference = diff_packages(a, b);
  EXPECT_FALSE(difference.identical);
  std::vector<std::string> paths;
  for (const auto& entry : difference.entries) paths.push_back(entry.member + " " + entry.path);
  // .PKGINFO differs too: its datahash covers the data member.
  EXPECT_THAT(paths, ::testing::ElementsAre("control .PKGINFO", "data usr/bin/hello", "data usr/share/hello/data",
                                            "data usr/share/hello/new"));
  const EntryDifference& hello = difference.entries[1];
  ASSERT_TRUE(hello.first_differing_byte);
  EXPECT_EQ(*hello.first_differing_byte, 16u);  // "#!/bin/sh\necho h" then 'e' | 'u'
  EXPECT_THAT(hello.original, HasSubstr("regular 0755 0:0 size 21 sha256 "));
  EXPECT_EQ(difference.entries[2].rebuilt, "");
  EXPECT_EQ(difference.entries[3].original, "");
  std::string text = render_package_difference(difference);
  EXPECT_THAT(text, HasSubstr("  data usr/share/hello/data: regular 0644 0:0 size 5 sha256 "));
  EXPECT_THAT(text, HasSubstr(" | (absent)\n"));
  EXPECT_THAT(text, HasSubstr("(first differing byte at 16)"));
}

TEST_F(PackageDiff, ModeAloneIsADifference) {
  ::chmod((dir_.path() / "b/usr/bin/hello").c_str(), 0700);
  Package a = pack(dir_.path() / "a", dir_.path() / "a.apk", &key_);
  Package b = pack(dir_.path() / "b", dir_.path() / "b.apk", &key_);
  PackageDifference difference = diff_packages(a, b);
  ASSERT_EQ(difference.entries.size(), 2u);
  EXPECT_EQ(difference.entries[1].path, "usr/bin/hello");
  EXPECT_FALSE(difference.entries[1].first_differing_byte);
  EXPECT_THAT(difference.entries[1].rebuilt, HasSubstr("regular 0700 "));
}

}  // namespace
}  // namespace lupine::apk
