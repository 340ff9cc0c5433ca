// lupine scan: farm-built packages, as a repository, an .apk and an image, against an advisories
// file in Wolfi's security.json form written here: the affected package is reported, the fixed one
// is not, and the exit code gates.
#include "cli/farm_tree.h"
#include "common/fs.h"
#include "support/fixtures.h"
#include "support/run.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace lupine::testing {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

TEST(ScanCli, TheAffectedPackageIsReportedAndTheFixedOneIsNot) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  FarmTree tree("lupine-scan");
  tree.recipe("a", {}, "true");
  tree.recipe("b", {}, "true");
  ASSERT_EQ(tree.build({}).exit_code, 0);
  const fs::path advisories = tree.dir() / "security.json";
  write_file_atomic(advisories, R"({"apkurl": "{{urlprefix}}/{{reponame}}/{{arch}}/{{pkg.name}}-{{pkg.ver}}.apk",
    "archs": ["x86_64"], "reponame": "os", "urlprefix": "https://example.org",
    "packages": [
      {"pkg": {"name": "a", "secfixes": {"1.0-r1": ["CVE-2026-0001"], "0": ["CVE-2026-0009"]}}},
      {"pkg": {"name": "b", "secfixes": {"1.0-r0": ["CVE-2026-0002"]}}}
    ]})");
  const std::string key = tree.repository().public_key.string(), arch = tree.repository().arch;

  RunResult repo = run_lupine({"scan", tree.out().string(), "--advisories", advisories.string(), "--keyring", key,
                               "--arch", arch, "--json"});
  EXPECT_EQ(repo.exit_code, 1) << repo.err;
  auto value = nlohmann::json::parse(repo.out);
  EXPECT_EQ(value["scanned"], 2);
  ASSERT_EQ(value["findings"].size(), 1u) << repo.out;
  EXPECT_EQ(value["findings"][0]["package"], "a");
  EXPECT_EQ(value["findings"][0]["advisory"], "CVE-2026-0001");
  EXPECT_EQ(value["findings"][0]["fixed"], "1.0-r1");

  // An .apk file alone: b is fixed, nothing to report, exit 0.
  RunResult fixed = run_lupine({"scan", (tree.arch_dir() / "b-1.0-r0.apk").string(), "--advisories", advisories.string()});
  EXPECT_EQ(fixed.exit_code, 0) << fixed.err;
  EXPECT_THAT(fixed.out, HasSubstr("0 of 1 packages affected (0 findings; 3 advisories known)"));

  // An image holding both: its installed database.
  const fs::path config = tree.write_image_config({"busybox", "a", "b"});
  const fs::path image = tree.dir() / "oci";
  ASSERT_EQ(run_lupine({"image", "build", config.string(), image.string(), "--arch", arch}).exit_code, 0);
  RunResult scanned = run_lupine({"scan", image.string(), "--advisories", advisories.string(), "--arch", arch});
  EXPECT_EQ(scanned.exit_code, 1);
  EXPECT_THAT(scanned.out, ::testing::ContainsRegex("\na +1.0-r0 +CVE-2026-0001 +1.0-r1 "));
  EXPECT_THAT(scanned.out, ::testing::Not(HasSubstr("CVE-2026-0002")));
  EXPECT_THAT(scanned.out, HasSubstr("1 of 3 packages affected"));

  // A repository whose key is not trusted is refused, not scanned.
  ASSERT_EQ(run_lupine({"keygen", (tree.dir() / "other").string()}).exit_code, 0);
  RunResult untrusted = run_lupine({"scan", tree.out().string(), "--advisories", advisories.string(), "--arch", arch,
                                    "--keyring", (tree.dir() / "other.rsa.pub").string()});
  EXPECT_EQ(untrusted.exit_code, 1);
  EXPECT_THAT(untrusted.err, HasSubstr("APKINDEX.tar.gz: UNTRUSTED signature"));
  EXPECT_EQ(untrusted.out, "");
}

}  // namespace
}  // namespace lupine::testing
