// Reading images back (image/image_read.h) through `lupine image check`: apko's test config built
// as a multi-arch OCI layout and as a docker archive, each architecture's manifest picked, and a
// blob whose bytes do not match its digest refused.
#include "image_test_support.h"

#include "common/fs.h"
#include "support/fixtures.h"
#include "support/run.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lupine::image {
namespace {

using ::testing::HasSubstr;
using testing::run_lupine;

TEST(ImageRead, OciLayoutsAndDockerArchivesAreReadBackAndCheckedBlobByBlob) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  TempDir dir("lupine-image-read");
  auto config = test::write_apko_config(dir.path(), fixtures);
  const auto layout = dir.path() / "oci";
  ASSERT_EQ(run_lupine({"image", "build", config.string(), layout.string(), "--tag", "example.org/t:v1"}).exit_code, 0);
  const auto archive = dir.path() / "image.tar";
  ASSERT_EQ(run_lupine({"image", "build", config.string(), archive.string(), "--arch", "x86_64", "--format", "docker"}).exit_code, 0);

  auto manifests = test::manifests_by_arch(layout);
  std::map<std::string, nlohmann::json> checked;
  for (const auto& [arch, go] : std::map<std::string, std::string>{{"x86_64", "amd64"}, {"aarch64", "arm64"}}) {
    auto result = run_lupine({"image", "check", layout.string() + ":v1", "--arch", arch, "--json"});
    // apko's test image has no shell for its /bin/sh -l and no /etc/passwd: two errors, exit 1.
    EXPECT_EQ(result.exit_code, 1) << result.err;
    checked[go] = nlohmann::json::parse(result.out);
    EXPECT_EQ(checked[go]["manifest"], manifests.at(go));
    EXPECT_EQ(checked[go]["errors"], 2);
    EXPECT_THAT(checked[go]["findings"].dump(), HasSubstr("the entrypoint /bin/sh is not in the image"));
  }
  // The config itself: built into a temporary layout, then checked the same.
  auto from_config = run_lupine({"image", "check", config.string(), "--arch", "x86_64", "--json"});
  EXPECT_EQ(from_config.exit_code, 1) << from_config.err;
  EXPECT_EQ(nlohmann::json::parse(from_config.out)["findings"], checked["amd64"]["findings"]);
  auto docker = run_lupine({"image", "check", archive.string(), "--json"});
  EXPECT_EQ(docker.exit_code, 1) << docker.err;
  EXPECT_EQ(nlohmann::json::parse(docker.out)["findings"], checked["amd64"]["findings"]);

  // image build --check: the same findings on the fresh image, an error fails the build's command.
  const auto checked_build = dir.path() / "checked";
  auto built = run_lupine({"image", "build", config.string(), checked_build.string(), "--arch", "x86_64", "--check"});
  EXPECT_EQ(built.exit_code, 1);
  EXPECT_THAT(built.err, HasSubstr("(x86_64): error: /bin/sh: the entrypoint /bin/sh is not in the image [entrypoint]"));
  EXPECT_THAT(built.err, HasSubstr("image check: 2 error(s) in " + checked_build.string()));
  EXPECT_TRUE(std::filesystem::exists(checked_build / "index.json"));

  auto untagged = run_lupine({"image", "check", layout.string() + ":v2"});
  EXPECT_EQ(untagged.exit_code, 1);
  EXPECT_THAT(untagged.err, HasSubstr("no image tagged v2 (tags: v1)"));

  // One byte of the amd64 layer changed: refused before anything is checked.
  auto manifest = test::read_json(test::blob_path(layout, manifests.at("amd64")));
  auto layer = test::blob_path(layout, manifest["layers"][0]["digest"]);
  std::string bytes = read_file(layer);
  bytes[bytes.size() / 2] ^= 0x01;
  std::filesystem::permissions(layer, std::filesystem::perms::owner_write, std::filesystem::perm_options::add);
  write_file_atomic(layer, bytes);
  auto tampered = run_lupine({"image", "check", layout.string(), "--arch", "x86_64"});
  EXPECT_EQ(tampered.exit_code, 1);
  EXPECT_THAT(tampered.err, HasSubstr("does not have that digest"));
}

}  // namespace
}  // namespace lupine::image
