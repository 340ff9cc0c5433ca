#include "index/index_freshness.h"

#include "common/error.h"
#include "common/fs.h"
#include "support/error_of.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lupine::index {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kDay = 86400;
constexpr int64_t kNow = 1796000000;  // 2026-11-30T00:53:20Z

using testing::error_of;

TEST(IndexFreshness, TheMarkRoundTripsAtTheEndOfTheDescription) {
  std::string description = with_freshness("lupine packages", {42, kNow});
  EXPECT_EQ(description, "lupine packages [lupine-index 42 expires 2026-11-30T00:53:20Z]");
  EXPECT_EQ(parse_freshness(description), (IndexFreshness{42, kNow}));
  EXPECT_EQ(strip_freshness(description), "lupine packages");
  // A new mark replaces the old one; an empty description is the mark alone.
  EXPECT_EQ(with_freshness(description, {43, kNow + 1}), "lupine packages [lupine-index 43 expires 2026-11-30T00:53:21Z]");
  EXPECT_EQ(with_freshness("", {1, 0}), "[lupine-index 1 expires 1970-01-01T00:00:00Z]");
  EXPECT_FALSE(parse_freshness("v3.16.0-4-g63b8e2b2f9 [https://dl-cdn.alpinelinux.org/alpine/v3.16/main]"));
  EXPECT_FALSE(parse_freshness("[lupine-index x expires 2026-11-30T00:53:20Z]"));
  EXPECT_THAT(error_of([] { with_freshness(std::string(120, 'd'), {1, kNow}); }),
              HasSubstr("at most 114 bytes are left for it, it has 120"));
}

class FreshnessState : public ::testing::Test {
 protected:
  std::vector<std::string> check(uint64_t version, int64_t expires, bool allow_stale = false, int64_t now = kNow) {
    return check_index_freshness("https://repo.example/os", "x86_64", with_freshness("d", {version, expires}),
                                 {dir_.path(), allow_stale, now});
  }
  TempDir dir_;
};

TEST_F(FreshnessState, FirstContactIsTrustedThenOnlyNewerOrEqualVersions) {
  std::vector<std::string> first = check(5, kNow + kDay);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_THAT(first[0], HasSubstr("first contact: trusting index version 5 as it is (trust on first use)"));
  EXPECT_TRUE(check(5, kNow + kDay).empty());  // the same index again
  EXPECT_TRUE(check(6, kNow + 2 * kDay).empty());
  EXPECT_EQ(read_file(dir_.path() / "index-versions"), "6 1796172800 https://repo.example/os/x86_64\n");

  EXPECT_EQ(error_of([&] { check(5, kNow + kDay); }),
            "https://repo.example/os/x86_64: the index is version 5, but version 6 (expiring 2026-12-02T00:53:20Z) "
            "was seen before: a rollback to an older index (refused; --allow-stale-index to use it anyway)");
  // Replaying an index from before the repository had versions is a rollback too.
  EXPECT_THAT(error_of([&] {
                check_index_freshness("https://repo.example/os", "x86_64", "old index", {dir_.path(), false, kNow});
              }),
              HasSubstr("the index is version none, but version 6"));
  std::vector<std::string> allowed = check(5, kNow + kDay, true);
  ASSERT_EQ(allowed.size(), 1u);
  EXPECT_THAT(allowed[0], HasSubstr("a rollback to an older index (allowed by --allow-stale-index)"));
  // What was seen is kept: a rollback allowed once does not lower it.
  EXPECT_THAT(read_file(dir_.path() / "index-versions"), HasSubstr("6 "));
  // Other repositories and arches are their own.
  EXPECT_EQ(check_index_freshness("https://repo.example/os", "aarch64", with_freshness("", {1, kNow + 1}),
                                  {dir_.path(), false, kNow})
                .size(),
            1u);
}

TEST_F(FreshnessState, AnExpiredIndexIsAFreeze) {
  EXPECT_EQ(error_of([&] { check(3, kNow - 1); }),
            "https://repo.example/os/x86_64: the index (version 3) expired on 2026-11-30T00:53:19Z, and it is "
            "2026-11-30T00:53:20Z now: the repository may be frozen (refused; --allow-stale-index to use it anyway)");
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "index-versions"));  // nothing recorded from a refused index
  std::vector<std::string> allowed = check(3, kNow - 1, true);
  EXPECT_THAT(allowed[0], HasSubstr("may be frozen (allowed by --allow-stale-index)"));
}

TEST_F(FreshnessState, IndexesWithoutVersionsAreNotChecked) {
  EXPECT_TRUE(check_index_freshness("/srv/repo", "x86_64", "plain", {dir_.path(), false, kNow}).empty());
  EXPECT_TRUE(check_index_freshness("/srv/repo", "x86_64", "", {dir_.path(), false, kNow}).empty());
  EXPECT_TRUE(check_index_freshness("/srv/repo", "x86_64", with_freshness("", {1, 0}), {"", false, kNow}).empty());
}

}  // namespace
}  // namespace lupine::index
