// Debian → apk version mapping of stage-0 packages.
#include "apk/version.h"
#include "builder/bootstrap/bootstrap_version.h"
#include "common/error.h"

#include <gtest/gtest.h>

namespace lupine::builder {
namespace {

TEST(BootstrapVersion, MapsDebianVersionsOfTheToolchain) {
  EXPECT_EQ(apk_version_from_debian("12.2.0-14+deb12u1"), "12.2.0_p14-r1");
  EXPECT_EQ(apk_version_from_debian("4:12.2.0-3"), "12.2.0_p3-r0");
  EXPECT_EQ(apk_version_from_debian("2.36-9+deb12u14"), "2.36_p9-r14");
  EXPECT_EQ(apk_version_from_debian("1:1.35.0-4+deb12u1+b1"), "1.35.0_p4-r1");
  EXPECT_EQ(apk_version_from_debian("1.34+dfsg-1.2+deb12u1"), "1.34_p1-r1");
  EXPECT_EQ(apk_version_from_debian("20230311+deb12u1"), "20230311-r1");
  EXPECT_EQ(apk_version_from_debian("1.11.1-2~deb12u1"), "1.11.1_p2-r1");
  EXPECT_EQ(apk_version_from_debian("1.3.4.20200120-3.1"), "1.3.4.20200120_p3-r1");
  EXPECT_EQ(apk_version_from_debian("5.2.15-2+b8"), "5.2.15_p2-r8");
  EXPECT_EQ(apk_version_from_debian("2.40-2"), "2.40_p2-r0");
  EXPECT_EQ(apk_version_from_debian("9.1-1"), "9.1_p1-r0");
}

TEST(BootstrapVersion, KeepsALetterAndPreReleases) {
  EXPECT_EQ(apk_version_from_debian("1.1.1w-0+deb11u1"), "1.1.1w_p0-r1");
  EXPECT_EQ(apk_version_from_debian("2.0~rc3-1"), "2.0_rc3_p1-r0");
  EXPECT_EQ(apk_version_from_debian("3.2~beta1"), "3.2_beta1-r0");
  // A letter that starts a word is not a version letter.
  EXPECT_EQ(apk_version_from_debian("1.0dfsg-1"), "1.0_p1-r0");
}

TEST(BootstrapVersion, OrdersStableUpdatesAndRevisions) {
  auto less = [](const char* a, const char* b) {
    return apk::version_compare(apk_version_from_debian(a), apk_version_from_debian(b)) == apk::LESS;
  };
  EXPECT_TRUE(less("2.36-9+deb12u13", "2.36-9+deb12u14"));
  EXPECT_TRUE(less("12.2.0-14", "12.2.0-14+deb12u1"));
  EXPECT_TRUE(less("12.2.0-13", "12.2.0-14"));
  EXPECT_TRUE(less("2.0~rc3-1", "2.0-1"));
  EXPECT_TRUE(less("1.2-1", "1.2.1-1"));
}

TEST(BootstrapVersion, ResultsAreValidApkVersions) {
  for (const char* version : {"1:3.8-4", "1:2.39.5-0+deb12u3", "0.8.0-2+deb12u1", "6.1.187-1", "1:4.4.33-2",
                              "2:6.2.1+dfsg1-1.1", "3.0.17-1~deb12u3", "5.36.0-7+deb12u2", "72.1-3+deb12u1"})
    EXPECT_TRUE(apk::version_valid(apk_version_from_debian(version))) << version;
}

TEST(BootstrapVersion, RefusesVersionsWithoutANumber) {
  EXPECT_THROW(apk_version_from_debian("git20200101-1"), Error);
  EXPECT_THROW(apk_version_from_debian(""), Error);
  try {
    apk_version_from_debian("abc-1");
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("'abc-1'"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace lupine::builder
