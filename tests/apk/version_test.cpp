#include "apk/version.h"

#include "common/fs.h"
#include "support/fixtures.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace lupine::apk {
namespace {

// apk-tools' test/unit/version.data, read as test/unit/version_test.c does: text after '#' is a
// comment; "ver1 op ver2" must hold ("!op" must not); "version" must be valid, "!version" not.
TEST(VersionConformance, ApkToolsVersionData) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  std::istringstream data(read_file(fixtures / "apk-tools" / "version.data"));
  int comparisons = 0, validity_checks = 0, line_number = 0;
  std::string line;
  while (std::getline(data, line)) {
    ++line_number;
    std::string text = line.substr(0, line.find('#'));
    text.erase(0, text.find_first_not_of(" \t\r\n"));
    text.erase(text.find_last_not_of(" \t\r\n") + 1);
    if (text.empty()) continue;

    size_t first_space = text.find(' ');
    size_t second_space = first_space == std::string::npos ? first_space : text.find(' ', first_space + 1);
    if (second_space != std::string::npos) {
      std::string a = text.substr(0, first_space);
      std::string op = text.substr(first_space + 1, second_space - first_space - 1);
      std::string b = text.substr(second_space + 1);
      auto mask = parse_version_op(op);
      ASSERT_TRUE(mask) << "line " << line_number << ": unknown operator in '" << text << "'";
      EXPECT_TRUE(version_match(a, *mask, b)) << "line " << line_number << ": " << text;
      ++comparisons;
    } else {
      std::string_view version = text;
      bool expect_valid = !version.starts_with('!');
      if (!expect_valid) version.remove_prefix(1);
      EXPECT_EQ(version_valid(version), expect_valid) << "line " << line_number << ": " << text;
      ++validity_checks;
    }
  }
  EXPECT_EQ(comparisons, 754);
  EXPECT_EQ(validity_checks, 31);
}

TEST(VersionCompare, NumericComponents) {
  EXPECT_EQ(version_compare("1.10", "1.9"), GREATER);
  EXPECT_EQ(version_compare("1.2.1", "1.2"), GREATER);
  EXPECT_EQ(version_compare("1.2", "1.2"), EQUAL);
  EXPECT_EQ(version_compare("3.0.20060720", "20060720"), LESS);
}

// Only components after the first compare as strings when either has a leading zero.
TEST(VersionCompare, LeadingZeros) {
  EXPECT_EQ(version_compare("8.2.0", "8.2.001"), LESS);
  EXPECT_EQ(version_compare("8.2.0015", "8.2.002"), LESS);
  EXPECT_EQ(version_compare("4.5.14", "4.09-r1"), GREATER);
  EXPECT_EQ(version_compare("1.01", "1.1"), LESS);
  EXPECT_EQ(version_compare("1.0", "1.00"), LESS);
  EXPECT_EQ(version_compare("1.010", "1.01"), GREATER);
  EXPECT_EQ(version_compare("01", "1"), EQUAL);
  EXPECT_EQ(version_compare("1.06-r6", "006"), LESS);
}

TEST(VersionCompare, Suffixes) {
  const char* ascending[] = {"1.0_alpha", "1.0_beta", "1.0_pre", "1.0_rc", "1.0",
                             "1.0_cvs",   "1.0_svn",  "1.0_git", "1.0_hg", "1.0_p"};
  for (size_t i = 0; i + 1 < std::size(ascending); ++i)
    EXPECT_EQ(version_compare(ascending[i], ascending[i + 1]), LESS) << ascending[i] << " < " << ascending[i + 1];
  EXPECT_EQ(version_compare("1.0_p10", "1.0_p9"), GREATER);
  EXPECT_EQ(version_compare("1.0_rc", "1.0_rc0"), LESS);
}

TEST(VersionCompare, MultipleSuffixes) {
  EXPECT_TRUE(version_valid("0.1_alpha1_pre2"));
  EXPECT_EQ(version_compare("0.1.0_alpha_pre2", "0.1.0_alpha"), LESS);
  EXPECT_EQ(version_compare("1.0_alpha1_beta", "1.0_alpha1"), LESS);
  EXPECT_EQ(version_compare("1.0_p1_p2", "1.0_p1"), GREATER);
  EXPECT_EQ(version_compare("1.0_git20240101_pre1", "1.0_git20240101"), LESS);
}

TEST(VersionCompare, LetterAndRevision) {
  EXPECT_EQ(version_compare("2.5.1a-r1", "2.5.1-r8"), GREATER);
  EXPECT_EQ(version_compare("1.0a", "1.0b"), LESS);
  EXPECT_EQ(version_compare("4.5_p1", "4.5_p1-r1"), LESS);
  EXPECT_EQ(version_compare("1.0-r10", "1.0-r9"), GREATER);
  EXPECT_EQ(version_compare("1.0-r0", "1.0"), GREATER);
}

// The commit hash compares as a string, and sits between suffixes and the revision.
TEST(VersionCompare, CommitHash) {
  EXPECT_EQ(version_compare("1.0~1234-r1", "1.0~2345-r0"), LESS);
  EXPECT_EQ(version_compare("1.0~ab", "1.0~abc"), LESS);
  EXPECT_EQ(version_compare("1.0~abc", "1.0"), GREATER);
  EXPECT_EQ(version_compare("1.0~abc-r1", "1.0-r1"), GREATER);
  EXPECT_TRUE(version_valid("1.0_rc1~deadbeef-r3"));
  EXPECT_FALSE(version_valid("1.0~DEADBEEF"));  // lower-case hex only
  EXPECT_FALSE(version_valid("1.0~ab~cd"));
}

TEST(VersionCompare, SixtyFourBitNumbers) {
  EXPECT_EQ(version_compare("1.0.0_pre20191002222144-r0", "1.0.0_pre20210530193627-r0"), LESS);
  EXPECT_EQ(version_compare("18446744073709551615", "18446744073709551614"), GREATER);
  EXPECT_EQ(version_compare("1.18446744073709551615", "1.4294967296"), GREATER);
  EXPECT_EQ(version_compare("1-r4294967297", "1-r4294967296"), GREATER);
}

// apk-tools' apk_blob_pull_uint accumulates in a uint64_t without an overflow check, so longer
// numbers wrap modulo 2^64. We reproduce that (defined behaviour for unsigned arithmetic) rather
// than ordering such versions differently from apk-tools.
TEST(VersionCompare, NumbersBeyondSixtyFourBitsWrap) {
  EXPECT_TRUE(version_valid("123456789012345678901234567890"));
  EXPECT_EQ(version_compare("18446744073709551616", "0"), EQUAL);      // 2^64
  EXPECT_EQ(version_compare("18446744073709551617", "2"), LESS);       // 2^64 + 1
  EXPECT_EQ(version_compare("1_p18446744073709551616", "1_p0"), EQUAL);
  // A leading zero in a later component makes it a string comparison: no wrap there.
  EXPECT_EQ(version_compare("1.018446744073709551616", "1.0"), GREATER);
}

TEST(VersionCompare, InvalidVersionsStillCompare) {
  EXPECT_EQ(version_compare("1.0", "1.0bc"), LESS);
  EXPECT_EQ(version_compare("23_foo", "4_beta"), GREATER);
  EXPECT_EQ(version_compare("1.0bc", "1.0bd"), EQUAL);  // both stop parsing after "1.0b"
  EXPECT_EQ(version_compare("abc", "xyz"), EQUAL);
  EXPECT_EQ(version_compare("", "0"), LESS);
  EXPECT_EQ(version_compare("1.0", "1.0-x"), GREATER);
}

TEST(VersionValid, Grammar) {
  for (const char* valid : {"0", "1.2.3", "1.2.3a", "1_rc", "1_rc1", "1.0_p1_pre2", "1-r0", "2.12r-r4"})
    EXPECT_TRUE(version_valid(valid)) << valid;
  for (const char* invalid : {"", "a", ".1", "1.", "1..2", "1a1", "1ab", "1_", "1_foo", "1-r", "1-2",
                              "1-r1-r2", "1-r1_p1", "1~", "1.0 ", "1.0\n", "V1", "1.0-r1a"})
    EXPECT_FALSE(version_valid(invalid)) << invalid;
}

TEST(VersionFuzzy, TokenPrefix) {
  EXPECT_EQ(version_compare_fuzzy("3.6.9", "3.6", true), EQUAL);
  EXPECT_EQ(version_compare_fuzzy("3.6.9", "3.6", false), GREATER);
  EXPECT_EQ(version_compare_fuzzy("3.6", "3.6.9", true), LESS);
  EXPECT_EQ(version_compare_fuzzy("3.60", "3.6", true), GREATER);  // components, not characters
  EXPECT_TRUE(version_match("3.6_pre1", FUZZY | EQUAL, "3.6"));
  EXPECT_FALSE(version_match("3.8", FUZZY | EQUAL, "3.8.1"));
}

TEST(VersionOp, ParseSpelledOperators) {
  EXPECT_EQ(parse_version_op("<"), LESS);
  EXPECT_EQ(parse_version_op("<="), LESS | EQUAL);
  EXPECT_EQ(parse_version_op("="), EQUAL);
  EXPECT_EQ(parse_version_op(">="), GREATER | EQUAL);
  EXPECT_EQ(parse_version_op(">"), GREATER);
  EXPECT_EQ(parse_version_op("~"), FUZZY | EQUAL);
  EXPECT_EQ(parse_version_op("=~"), FUZZY | EQUAL);
  EXPECT_EQ(parse_version_op("<~"), LESS | EQUAL | FUZZY);
  EXPECT_EQ(parse_version_op(">~"), GREATER | EQUAL | FUZZY);
  EXPECT_EQ(parse_version_op("><"), CHECKSUM);
  EXPECT_EQ(parse_version_op("!~"), CONFLICT | FUZZY | EQUAL);
  EXPECT_EQ(parse_version_op("!<="), CONFLICT | LESS | EQUAL);
  for (const char* unknown : {"", "!", "==", "=<", "<>", "!!<", "lt", "< "})
    EXPECT_FALSE(parse_version_op(unknown)) << unknown;
}

TEST(VersionOp, MaskAcceptsAnyCombination) {
  EXPECT_EQ(version_op_mask("=<"), LESS | EQUAL);
  EXPECT_EQ(version_op_mask("<>"), CHECKSUM);
  EXPECT_EQ(version_op_mask("<<"), LESS);
  EXPECT_EQ(version_op_mask("<=>"), ANY);
  EXPECT_FALSE(version_op_mask(""));
  EXPECT_FALSE(version_op_mask("!="));
}

TEST(VersionOp, StringRoundTrips) {
  for (const char* op : {"<", "<=", "=", ">=", ">", "~", "<~", ">~", "><"})
    EXPECT_EQ(version_op_string(*parse_version_op(op)), op);
  EXPECT_EQ(version_op_string(*parse_version_op("=~")), "~");
  EXPECT_EQ(version_op_string(CONFLICT | LESS), "<");
  EXPECT_EQ(version_op_string(ANY), "");
  EXPECT_EQ(version_op_string(LESS | GREATER | EQUAL | FUZZY), "<>~");
  EXPECT_EQ(version_op_mask(version_op_string(LESS | GREATER | EQUAL | FUZZY)), LESS | GREATER | EQUAL | FUZZY);
}

TEST(VersionMatch, AnyAndConflict) {
  EXPECT_TRUE(version_match("garbage", ANY, "1.0"));
  EXPECT_FALSE(version_match("1.0", ANY | CONFLICT, "2.0"));
  EXPECT_TRUE(version_match("1.0", LESS | EQUAL, "1.0"));
  EXPECT_FALSE(version_match("1.0", LESS | EQUAL | CONFLICT, "1.0"));
  EXPECT_TRUE(version_match("1.0", CHECKSUM, "1.1"));
}

}  // namespace
}  // namespace lupine::apk
