// The rebuild report `lupine rebuild --report` writes and `farm verify-rebuild` reads back.
#include "builder/build/rebuild_report_json.h"

#include "common/error.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lupine::builder {
namespace {

using ::testing::HasSubstr;

TEST(RebuildReportJson, ADifferenceSurvivesTheRoundTrip) {
  RebuildOutcome outcome;
  RebuiltPackage same{"/r/a-1.0-r0.apk", "/out/a-1.0-r0.apk", {}};
  same.difference.identical = true;
  same.difference.same_signature = true;
  RebuiltPackage differs{"/r/b-1.0-r0.apk", "/out/b-1.0-r0.apk", {}};
  differs.difference.entries.push_back({"data", "usr/bin/b", "regular 0755 size 20", "regular 0755 size 21", 14});
  differs.difference.entries.push_back({"control", ".PKGINFO", "regular 0644", "", std::nullopt});
  differs.difference.note = "order";
  outcome.packages = {same, differs};

  RebuildOutcome back = parse_rebuild_outcome(rebuild_outcome_json(outcome), "report.json");
  ASSERT_EQ(back.packages.size(), 2u);
  EXPECT_TRUE(back.error.empty());
  EXPECT_TRUE(back.packages[0].difference.identical);
  EXPECT_TRUE(back.packages[0].difference.same_signature);
  EXPECT_EQ(back.packages[1].original, "/r/b-1.0-r0.apk");
  EXPECT_EQ(back.packages[1].rebuilt, "/out/b-1.0-r0.apk");
  EXPECT_FALSE(back.packages[1].difference.identical);
  EXPECT_EQ(back.packages[1].difference.note, "order");
  ASSERT_EQ(back.packages[1].difference.entries.size(), 2u);
  EXPECT_EQ(back.packages[1].difference.entries[0].first_differing_byte, 14u);
  EXPECT_EQ(back.packages[1].difference.entries[1].rebuilt, "");
  EXPECT_FALSE(back.packages[1].difference.entries[1].first_differing_byte.has_value());
}

TEST(RebuildReportJson, AnErrorIsKept) {
  RebuildOutcome outcome;
  outcome.error = "busybox: recorded 1.0-r0";
  EXPECT_EQ(parse_rebuild_outcome(rebuild_outcome_json(outcome), "r.json").error, "busybox: recorded 1.0-r0");
}

TEST(RebuildReportJson, SomethingElseIsRefusedNamingTheFile) {
  try {
    parse_rebuild_outcome("[1, 2]", "/tmp/x/report.json");
    FAIL() << "accepted";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("/tmp/x/report.json: expected a rebuild report"));
  }
  try {
    parse_rebuild_outcome(R"({"packages": [{"package": "a.apk"}]})", "/tmp/x/report.json");
    FAIL() << "accepted";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("/tmp/x/report.json: a rebuild report entry is malformed"));
  }
}

}  // namespace
}  // namespace lupine::builder
