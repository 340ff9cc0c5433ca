#include "apk/arch.h"

#include "common/error.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace lupine::apk {
namespace {

TEST(Arch, ParsesApkAndGoSpellingsToTheSameArch) {
  for (auto [go, apk] : {std::pair{"amd64", "x86_64"}, {"arm64", "aarch64"}, {"arm/v7", "armv7"}, {"386", "x86"}}) {
    auto from_go = parse_arch(go);
    auto from_apk = parse_arch(apk);
    ASSERT_TRUE(from_go && from_apk) << go;
    EXPECT_EQ(from_go->apk, apk);
    EXPECT_EQ(from_apk->go, go);
  }
  EXPECT_FALSE(parse_arch("x86-64"));
  EXPECT_FALSE(parse_arch(""));
}

TEST(Arch, TripletsFollowApkosTables) {
  EXPECT_EQ(parse_arch("x86_64")->gnu_triplet("gnu"), "x86_64-pc-linux-gnu");
  EXPECT_EQ(parse_arch("x86_64")->rust_triplet("gnu"), "x86_64-unknown-linux-gnu");
  EXPECT_EQ(parse_arch("aarch64")->gnu_triplet("musl"), "aarch64-unknown-linux-musl");
  EXPECT_EQ(parse_arch("armv7")->gnu_triplet("gnu"), "armv7l-unknown-linux-gnueabihf");
  EXPECT_EQ(parse_arch("x86")->gnu_triplet("gnu"), "i486-pc-linux-gnu");
  EXPECT_EQ(parse_arch("x86")->rust_triplet("gnu"), "i686-unknown-linux-gnu");
  EXPECT_EQ(parse_arch("s390x")->gnu_triplet("gnu"), "s390x-ibm-linux-gnu");
}

TEST(Arch, HostArchIsAnApkNameApkoKnows) {
  std::string host = host_apk_arch();
  auto archs = all_apk_archs();
  EXPECT_NE(std::find(archs.begin(), archs.end(), host), archs.end()) << host;
  EXPECT_EQ(apk_arch_or_host(""), host);
}

TEST(Arch, UnknownNamesAreRefusedByName) {
  EXPECT_EQ(apk_arch_or_host("arm64"), "aarch64");
  try {
    apk_arch_or_host("pdp11");
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("pdp11"), std::string::npos) << error.what();
  }
}

TEST(Arch, AllArchsAreApkNamesWithoutDuplicates) {
  auto archs = all_apk_archs();
  EXPECT_EQ(archs.size(), 9u);
  std::sort(archs.begin(), archs.end());
  EXPECT_EQ(std::adjacent_find(archs.begin(), archs.end()), archs.end());
  for (const auto& arch : archs) EXPECT_EQ(parse_arch(arch)->apk, arch);
}

}  // namespace
}  // namespace lupine::apk
