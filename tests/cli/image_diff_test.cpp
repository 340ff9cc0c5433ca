// lupine image diff: two builds of one image config, one package of it rebuilt with other contents
// in between (farm-built, same version): exactly that package is listed, with its files.
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

TEST(ImageDiffCli, TwoBuildsWithOnePackageChangedListExactlyThatChange) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  FarmTree tree("lupine-image-diff");
  tree.recipe("a", {}, "true");
  tree.recipe("b", {}, "true");
  ASSERT_EQ(tree.build({}).exit_code, 0);
  const fs::path config = tree.write_image_config({"busybox", "a", "b"}, "entrypoint:\n  command: /bin/sh\n");
  const std::string arch = tree.repository().arch;
  auto image = [&](const std::string& name) {
    RunResult built = run_lupine({"image", "build", config.string(), (tree.dir() / name).string(), "--arch", arch});
    EXPECT_EQ(built.exit_code, 0) << built.err;
    return (tree.dir() / name).string();
  };
  const std::string before = image("before");
  tree.change_recipe("b");
  ASSERT_EQ(tree.build({}).exit_code, 0);
  const std::string after = image("after");

  RunResult diff = run_lupine({"image", "diff", before, after, "--arch", arch, "--json"});
  ASSERT_EQ(diff.exit_code, 0) << diff.err;
  auto value = nlohmann::json::parse(diff.out);
  ASSERT_EQ(value["packages"].size(), 1u) << diff.out;
  EXPECT_EQ(value["packages"][0]["name"], "b");
  EXPECT_EQ(value["packages"][0]["change"], "contents");
  std::map<std::string, std::string> files;
  for (const auto& file : value["files"]) files[file["path"]] = file["change"];
  EXPECT_EQ(files["/usr/share/b/changed.txt"], "added");
  EXPECT_THAT(files["/lib/apk/db/installed"], HasSubstr("contents"));
  for (const auto& [path, change] : files)
    EXPECT_TRUE(path.find("/b") != std::string::npos || path.rfind("/lib/apk/", 0) == 0 ||
                path.rfind("/var/lib/db/sbom/", 0) == 0)
        << path << " changed: " << change;
  EXPECT_TRUE(value["surface_added"].empty());

  RunResult text = run_lupine({"image", "diff", before, after, "--arch", arch});
  EXPECT_THAT(text.out, HasSubstr("packages: 1 changed\n  ~ b 1.0-r0 -> 1.0-r0 (contents)\n"));
  EXPECT_THAT(text.out, HasSubstr("  + /usr/share/b/changed.txt\n"));
  // The same image twice: nothing.
  RunResult same = run_lupine({"image", "diff", before, before, "--arch", arch});
  EXPECT_THAT(same.out, HasSubstr("packages: 0 changed\nfiles: 0 changed\n"));
}

}  // namespace
}  // namespace lupine::testing
