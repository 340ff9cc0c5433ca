#include "support/run.h"

#include <gtest/gtest.h>

namespace lupine::testing {
namespace {

TEST(VersionCli, ComparePrintsRelation) {
  auto less = run_lupine({"version", "compare", "1.2", "1.10"});
  EXPECT_EQ(less.exit_code, 0) << less.err;
  EXPECT_EQ(less.out, "<\n");
  EXPECT_EQ(run_lupine({"version", "compare", "1.0-r1", "1.0-r1"}).out, "=\n");
  EXPECT_EQ(run_lupine({"version", "compare", "4.5.14", "4.09-r1"}).out, ">\n");
  EXPECT_EQ(run_lupine({"version", "compare", "1.0_rc1", "1.0"}).out, "<\n");
}

TEST(VersionCli, CompareNeedsTwoVersions) {
  EXPECT_NE(run_lupine({"version", "compare", "1.0"}).exit_code, 0);
}

TEST(VersionCli, CheckValidVersions) {
  auto result = run_lupine({"version", "check", "1.2.3", "0.1_pre2~1234abcd", "2.12r-r4"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "");
}

TEST(VersionCli, CheckReportsInvalidVersions) {
  auto result = run_lupine({"version", "check", "1.2.3", "1.0bc", "0.1-r2_pre1"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("1.0bc"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("0.1-r2_pre1"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("1.2.3"), std::string::npos) << result.err;
}

TEST(VersionCli, TestExitCodes) {
  EXPECT_EQ(run_lupine({"version", "test", "1.0", "<", "1.1"}).exit_code, 0);
  EXPECT_EQ(run_lupine({"version", "test", "1.1", "<", "1.0"}).exit_code, 1);
  EXPECT_EQ(run_lupine({"version", "test", "1.0", "<=", "1.0"}).exit_code, 0);
  EXPECT_EQ(run_lupine({"version", "test", "1.0-r0", "=", "1.0"}).exit_code, 1);
  EXPECT_EQ(run_lupine({"version", "test", "2.0", ">=", "1.9"}).exit_code, 0);
  EXPECT_EQ(run_lupine({"version", "test", "2.0", ">", "2.0"}).exit_code, 1);
  EXPECT_EQ(run_lupine({"version", "test", "3.6.9", "~", "3.6"}).exit_code, 0);
  EXPECT_EQ(run_lupine({"version", "test", "3.5", "<~", "3.6"}).exit_code, 0);
  EXPECT_EQ(run_lupine({"version", "test", "3.7", ">~", "3.6"}).exit_code, 0);
  EXPECT_EQ(run_lupine({"version", "test", "3.8", "!~", "3.8.1"}).exit_code, 0);
  EXPECT_EQ(run_lupine({"version", "test", "1.0", "!<", "1.1"}).exit_code, 1);
}

TEST(VersionCli, TestRejectsUnknownOperator) {
  for (const char* op : {"lt", "==", "!", "><", "<>"}) {
    auto result = run_lupine({"version", "test", "1.0", op, "1.1"});
    EXPECT_EQ(result.exit_code, 2) << op;
    EXPECT_NE(result.err.find("unknown version operator"), std::string::npos) << result.err;
  }
}

}  // namespace
}  // namespace lupine::testing
