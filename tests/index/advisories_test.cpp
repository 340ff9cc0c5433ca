// Advisories in Wolfi's security.json (Alpine secdb) and OSV forms, written here from the formats'
// fields, matched with apk-tools' version order.
#include "index/advisories.h"

#include "common/error.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lupine::index {
namespace {

using ::testing::HasSubstr;

// As packages.wolfi.dev/os/security.json is laid out.
constexpr const char* kSecdb = R"({
  "apkurl": "{{urlprefix}}/{{reponame}}/{{arch}}/{{pkg.name}}-{{pkg.ver}}.apk",
  "archs": ["x86_64", "aarch64"],
  "reponame": "os",
  "urlprefix": "https://packages.wolfi.dev",
  "packages": [
    {"pkg": {"name": "openssl", "secfixes": {"3.0.7-r1": ["CVE-2022-3602", "CVE-2022-3786"], "0": ["CVE-2000-0001"]}}},
    {"pkg": {"name": "sudo", "secfixes": {"1.9.5_p2": ["CVE-2021-3156"]}}},
    {"pkg": {"name": "tool", "secfixes": {"2.0_rc2": ["CVE-2023-0002 CVE-2023-0003"]}}},
    {"pkg": {"name": "quiet"}}
  ]
})";

std::vector<std::string> ids(const std::vector<Advisory>& advisories, const std::string& name, const std::string& origin,
                             const std::string& version) {
  std::vector<std::string> out;
  for (const auto& match : match_advisories(advisories, name, origin, version))
    out.push_back(match.advisory + (match.fixed.empty() ? "" : " fixed in " + match.fixed));
  return out;
}

TEST(Advisories, SecdbFixedVersionsAgainstRevisionsAndSuffixes) {
  auto advisories = parse_advisories(kSecdb, "security.json");
  // A subpackage by its origin; -r revisions count.
  EXPECT_THAT(ids(advisories, "libssl3", "openssl", "3.0.7-r0"),
              ::testing::ElementsAre("CVE-2022-3602 fixed in 3.0.7-r1", "CVE-2022-3786 fixed in 3.0.7-r1"));
  EXPECT_THAT(ids(advisories, "libssl3", "openssl", "3.0.7-r1"), ::testing::IsEmpty());
  EXPECT_THAT(ids(advisories, "openssl", "", "3.1.0-r0"), ::testing::IsEmpty());
  // _p: a patch level after the release; 1.9.5 itself is older than 1.9.5_p2.
  EXPECT_THAT(ids(advisories, "sudo", "", "1.9.5-r0"), ::testing::ElementsAre("CVE-2021-3156 fixed in 1.9.5_p2"));
  EXPECT_THAT(ids(advisories, "sudo", "", "1.9.5_p1-r3"), ::testing::ElementsAre("CVE-2021-3156 fixed in 1.9.5_p2"));
  EXPECT_THAT(ids(advisories, "sudo", "", "1.9.5_p2-r0"), ::testing::IsEmpty());
  // _rc: a release candidate before the release; one string may hold two ids.
  EXPECT_THAT(ids(advisories, "tool", "", "2.0_rc1-r0"),
              ::testing::ElementsAre("CVE-2023-0002 fixed in 2.0_rc2", "CVE-2023-0003 fixed in 2.0_rc2"));
  EXPECT_THAT(ids(advisories, "tool", "", "2.0-r0"), ::testing::IsEmpty());
  EXPECT_THAT(ids(advisories, "quiet", "", "1-r0"), ::testing::IsEmpty());
}

TEST(Advisories, OsvRangesAndTheSecdbsNeverAffected) {
  auto advisories = parse_advisories(R"([
    {"id": "GHSA-xxxx", "aliases": ["CVE-2024-1"], "affected": [{"package": {"ecosystem": "Wolfi", "name": "zlib"},
      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.2"}, {"fixed": "1.3.1-r0"}]}]}]},
    {"id": "CVE-2024-2", "affected": [{"package": {"name": "zlib"},
      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"last_affected": "1.2.13-r2"}]}],
      "versions": ["0.9-r0"]}]},
    {"id": "CVE-2000-0001", "affected": [{"package": {"name": "openssl"}, "versions": ["3.0.7-r0"]}]}
  ])", "osv.json");
  EXPECT_THAT(ids(advisories, "zlib", "", "1.1-r0"), ::testing::ElementsAre("CVE-2024-2"));
  EXPECT_THAT(ids(advisories, "zlib", "", "1.2.13-r2"), ::testing::ElementsAre("GHSA-xxxx fixed in 1.3.1-r0", "CVE-2024-2"));
  EXPECT_THAT(ids(advisories, "zlib", "", "1.3.1-r0"), ::testing::IsEmpty());
  // With the secdb too: what it lists under "0" never affected the package.
  auto both = parse_advisories(kSecdb, "security.json");
  both.insert(both.end(), advisories.begin(), advisories.end());
  EXPECT_THAT(ids(advisories, "openssl", "", "3.0.7-r0"), ::testing::ElementsAre("CVE-2000-0001"));
  EXPECT_THAT(ids(both, "openssl", "", "3.0.7-r0"),
              ::testing::ElementsAre("CVE-2022-3602 fixed in 3.0.7-r1", "CVE-2022-3786 fixed in 3.0.7-r1"));
}

TEST(Advisories, MalformedInputIsNamed) {
  auto refusal = [](const std::string& text) {
    try {
      parse_advisories(text, "adv.json");
    } catch (const Error& error) {
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  EXPECT_THAT(refusal("{"), HasSubstr("adv.json: not JSON"));
  EXPECT_THAT(refusal(R"({"packages": [{"pkg": {"name": "a", "secfixes": {"not a version!": ["CVE-1"]}}}]})"),
              HasSubstr("adv.json: packages[0].pkg.secfixes: \"not a version!\" is not an apk version"));
  EXPECT_THAT(refusal(R"({"packages": [{"pkg": {"name": "a", "secfixes": {"1.0": "CVE-1"}}}]})"),
              HasSubstr("packages[0].pkg.secfixes.1.0: expected a list of advisory ids"));
  EXPECT_THAT(refusal(R"([{"affected": []}])"), HasSubstr("adv.json[0]: expected an OSV object with an id"));
  EXPECT_THAT(refusal("42"), HasSubstr("expected a security.json (secdb) object or OSV JSON"));
}

}  // namespace
}  // namespace lupine::index
