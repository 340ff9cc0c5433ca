// keygen → pack → verify → info → extract → sign, through the real binary.
#include "common/fs.h"
#include "support/fixtures.h"
#include "support/run.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace lupine::cli {
namespace {

using lupine::testing::run;
using lupine::testing::run_lupine;

class PackageCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(tree() / "usr/bin");
    std::ofstream(tree() / "usr/bin/tool") << "#!/bin/sh\necho tool\n";
    std::filesystem::permissions(tree() / "usr/bin/tool", std::filesystem::perms(0755));
  }
  std::filesystem::path path(const std::string& name) const { return dir.path() / name; }
  std::filesystem::path tree() const { return dir.path() / "tree"; }
  lupine::testing::RunResult pack(const std::string& output, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"pack",      tree().string(), "-o",     path(output).string(), "--name", "tool",
                                  "--version", "1.0-r0",        "--arch", "x86_64"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_lupine(args);
  }
  TempDir dir;
};

TEST_F(PackageCommands, KeygenPackVerifyInfoExtract) {
  auto keygen = run_lupine({"keygen", "--key-size", "2048", path("keys/demo").string()});
  ASSERT_NE(keygen.exit_code, 0) << "keygen must refuse a missing directory";
  std::filesystem::create_directories(path("keys"));
  keygen = run_lupine({"keygen", "--key-size", "2048", path("keys/demo").string()});
  ASSERT_EQ(keygen.exit_code, 0) << keygen.err;
  EXPECT_TRUE(std::filesystem::exists(path("keys/demo.rsa.pub")));
  EXPECT_EQ(std::filesystem::status(path("keys/demo.rsa")).permissions() & std::filesystem::perms::all,
            std::filesystem::perms(0600));
  // Refuses to overwrite a private key.
  EXPECT_EQ(run_lupine({"keygen", "--key-size", "2048", path("keys/demo").string()}).exit_code, 1);

  auto packed = pack("tool.apk", {"--signing-key", path("keys/demo.rsa").string(), "--depends", "so:libc.so.6",
                                  "--provides", "cmd:tool=1.0-r0", "--license", "MIT"});
  ASSERT_EQ(packed.exit_code, 0) << packed.err;

  auto verified = run_lupine({"verify", "--keyring", path("keys").string(), path("tool.apk").string()});
  EXPECT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_EQ(verified.out, path("tool.apk").string() + ": OK\n");

  auto info = run_lupine({"info", "--json", path("tool.apk").string()});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  auto json = nlohmann::json::parse(info.out);
  EXPECT_EQ(json["pkgname"], "tool");
  EXPECT_EQ(json["depends"][0], "so:libc.so.6");
  EXPECT_EQ(json["signatures"][0]["key"], "demo.rsa.pub");
  EXPECT_EQ(json["files"].size(), 3u);
  auto text = run_lupine({"info", path("tool.apk").string()});
  EXPECT_NE(text.out.find("usr/bin/tool"), std::string::npos);

  auto extracted = run_lupine({"extract", "--keyring", path("keys/demo.rsa.pub").string(), path("tool.apk").string(),
                               path("root").string()});
  ASSERT_EQ(extracted.exit_code, 0) << extracted.err;
  EXPECT_EQ(read_file(path("root/usr/bin/tool")), "#!/bin/sh\necho tool\n");
  EXPECT_EQ(std::filesystem::status(path("root/usr/bin/tool")).permissions() & std::filesystem::perms::all,
            std::filesystem::perms(0755));
}

TEST_F(PackageCommands, VerifyReportsEachFileAndFails) {
  ASSERT_EQ(pack("unsigned.apk").exit_code, 0);
  std::ofstream(path("garbage.apk")) << "garbage";
  auto result = run_lupine({"verify", path("unsigned.apk").string(), path("garbage.apk").string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_NE(result.err.find(path("unsigned.apk").string() + ": unsigned package"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find(path("garbage.apk").string() + ": not an APK package"), std::string::npos) << result.err;
  auto allowed = run_lupine({"verify", "--allow-untrusted", path("unsigned.apk").string()});
  EXPECT_EQ(allowed.exit_code, 0);
  EXPECT_EQ(allowed.out, path("unsigned.apk").string() + ": OK\n");
}

TEST_F(PackageCommands, SignReplacesTheSignature) {
  std::filesystem::create_directories(path("k"));
  ASSERT_EQ(run_lupine({"keygen", "--key-size", "2048", path("k/one").string()}).exit_code, 0);
  ASSERT_EQ(run_lupine({"keygen", "--key-size", "2048", path("k/two").string()}).exit_code, 0);
  ASSERT_EQ(pack("p.apk", {"--signing-key", path("k/one.rsa").string()}).exit_code, 0);
  auto signed_again = run_lupine({"sign", "--signing-key", path("k/two.rsa").string(), path("p.apk").string()});
  ASSERT_EQ(signed_again.exit_code, 0) << signed_again.err;
  EXPECT_EQ(run_lupine({"verify", "--keyring", path("k/two.rsa.pub").string(), path("p.apk").string()}).exit_code, 0);
  auto old_key = run_lupine({"verify", "--keyring", path("k/one.rsa.pub").string(), path("p.apk").string()});
  EXPECT_EQ(old_key.exit_code, 1);
  EXPECT_NE(old_key.err.find("untrusted signature"), std::string::npos);
}

TEST_F(PackageCommands, PackRejectsBadInputWithoutOutput) {
  auto result = run_lupine({"pack", tree().string(), "-o", path("x.apk").string(), "--name", "tool", "--version",
                            "not-a-version", "--arch", "x86_64"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("not a valid apk version"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(path("x.apk")));
  auto missing_key = pack("y.apk", {"--signing-key", path("nope.rsa").string()});
  EXPECT_NE(missing_key.exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(path("y.apk")));
}

TEST(PackageCommandsFixtures, WolfiPackagesUntrustedNotCrash) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  auto wolfi = fixtures / "apk/melange/hello-wolfi-2.12.1-r1.apk";
  auto result = run_lupine({"verify", "--keyring", (fixtures / "apk/apko-cli/packages/melange.rsa.pub").string(),
                            wolfi.string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("untrusted signature"), std::string::npos) << result.err;
  auto allowed = run_lupine({"verify", "--allow-untrusted", wolfi.string()});
  EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
  auto melange = run_lupine({"verify", "--keyring", (fixtures / "apk/apko-cli/packages/melange.rsa.pub").string(),
                             (fixtures / "apk/apko-cli/packages/x86_64/replayout-1.0.0-r0.apk").string()});
  EXPECT_EQ(melange.exit_code, 0) << melange.err;
}

}  // namespace
}  // namespace lupine::cli
