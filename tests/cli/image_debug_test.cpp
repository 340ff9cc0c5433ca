// lupine image debug: a shell-less image (one farm-built package, run as 65532) gets the busybox
// toolbox at /.debug: `ls` and `id -u` run through it, as the image's user, and the image's layout
// is byte for byte what it was.
#include "cli/farm_tree.h"
#include "common/fs.h"
#include "common/hash.h"
#include "support/fixtures.h"
#include "support/run.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lupine::testing {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

std::map<std::string, std::string> digests_under(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) out[entry.path().lexically_relative(dir).string()] = sha256_hex(read_file(entry.path()));
  return out;
}

TEST(ImageDebugCli, TheToolboxRunsInTheImageAsItsUserAndTheImageIsUnchanged) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  FarmTree tree("lupine-image-debug");
  tree.recipe("a", {}, "true");
  ASSERT_EQ(tree.build({}).exit_code, 0);
  const fs::path config = tree.write_image_config(
      {"a"}, "accounts:\n  groups:\n    - groupname: nonroot\n      gid: 65532\n"
             "  users:\n    - username: nonroot\n      uid: 65532\n      gid: 65532\n  run-as: 65532\n");
  const fs::path image = tree.dir() / "oci";
  const std::string arch = tree.repository().arch;
  RunResult built = run_lupine({"image", "build", config.string(), image.string(), "--arch", arch});
  ASSERT_EQ(built.exit_code, 0) << built.err;
  auto before = digests_under(image);

  const std::vector<std::string> toolbox = {"-X", tree.repository().dir.string(), "--keyring",
                                            tree.repository().public_key.string(), "--arch", arch};
  auto debug = [&](std::vector<std::string> command) {
    std::vector<std::string> args = {"image", "debug", image.string()};
    args.insert(args.end(), toolbox.begin(), toolbox.end());
    args.push_back("--");
    args.insert(args.end(), command.begin(), command.end());
    return run_lupine(args);
  };
  RunResult listed = debug({"ls", "/usr/share/a"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(listed.out, "a.txt\n");
  RunResult id = debug({"id", "-u"});
  EXPECT_EQ(id.exit_code, 0) << id.err;
  EXPECT_EQ(id.out, "65532\n");
  // The toolbox is last on PATH, and the root is read-only.
  RunResult which = debug({"sh", "-c", "which ls; echo $PATH; touch /usr/share/a/new 2>/dev/null || echo read-only"});
  EXPECT_THAT(which.out, HasSubstr("/.debug/bin/ls\n"));
  EXPECT_THAT(which.out, ::testing::ContainsRegex(":/.debug/bin:/.debug/sbin:/.debug/usr/bin:/.debug/usr/sbin\n"));
  EXPECT_THAT(which.out, HasSubstr("read-only\n"));
  // The command's exit status is lupine's.
  EXPECT_EQ(debug({"sh", "-c", "exit 7"}).exit_code, 7);

  EXPECT_EQ(digests_under(image), before);
}

}  // namespace
}  // namespace lupine::testing
