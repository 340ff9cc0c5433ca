// The "must show" with apko's own test config over its test packages (fixtures), through
// the lupine binary and the real tools: skopeo, umoci.
#include "image_test_support.h"

#include "common/fs.h"
#include "common/process.h"
#include "common/x509.h"
#include "image/build.h"
#include "image/config.h"
#include "image/image_read.h"
#include "index/installed_db.h"
#include "support/fixtures.h"
#include "support/interrupted_child.h"
#include "support/nginx.h"
#include "support/run.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>

namespace lupine::image {
namespace {

using ::testing::HasSubstr;
using testing::run;
using testing::run_lupine;

std::vector<std::string> package_names(const std::string& installed_db) {
  std::vector<std::string> names;
  for (const auto& package : index::parse_installed_db(installed_db, "installed")) names.push_back(package.record.name);
  return names;
}

TEST(ImageBuildFixtures, ApkoTestConfigIsAMultiArchImageSkopeoAndUmociAccept) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  LUPINE_PROGRAM_OR_SKIP("skopeo");
  LUPINE_PROGRAM_OR_SKIP("umoci");
  TempDir dir("lupine-image-test");
  auto config = test::write_apko_config(dir.path(), fixtures);
  auto out = dir.path() / "out";

  auto built = run_lupine({"image", "build", config.string(), out.string(), "--tag", "apko-test:latest"});
  ASSERT_EQ(built.exit_code, 0) << built.err;

  // skopeo finds the image by its tag and reads it.
  auto inspected = run({"skopeo", "inspect", "oci:" + out.string() + ":latest"});
  ASSERT_EQ(inspected.exit_code, 0) << inspected.err;
  auto raw = run({"skopeo", "inspect", "--raw", "oci:" + out.string() + ":latest"});
  ASSERT_EQ(raw.exit_code, 0) << raw.err;
  nlohmann::json index = nlohmann::json::parse(raw.out);
  EXPECT_EQ(index["mediaType"], "application/vnd.oci.image.index.v1+json");
  std::vector<std::string> platforms;
  for (const auto& manifest : index["manifests"]) platforms.push_back(manifest["platform"]["architecture"]);
  EXPECT_THAT(platforms, ::testing::ElementsAre("amd64", "arm64"));

  auto manifests = test::manifests_by_arch(out);
  for (const auto& [arch, digest] : manifests) {
    SCOPED_TRACE(arch);
    auto layer = test::read_layer(out, digest);
    // replayout's os-release (it replaces pretend-baselayout's), owned by uid 501 as in the package.
    ASSERT_TRUE(layer.contains("etc/os-release"));
    EXPECT_THAT(layer["etc/os-release"].data, HasSubstr("ID=replaces"));
    EXPECT_EQ(layer["etc/os-release"].entry.uid, 501u);
    EXPECT_EQ(layer["etc/os-release"].entry.gid, 20u);
    // paths: /run/nginx with its owner.
    ASSERT_TRUE(layer.contains("run/nginx"));
    EXPECT_EQ(layer["run/nginx"].entry.uid, 10000u);
    EXPECT_EQ(layer["run/nginx"].entry.mode, 0755u);
    // The installed database scanners read lists both packages.
    ASSERT_TRUE(layer.contains("lib/apk/db/installed"));
    EXPECT_THAT(package_names(layer["lib/apk/db/installed"].data),
                ::testing::UnorderedElementsAre("pretend-baselayout", "replayout"));
    EXPECT_EQ(layer["etc/apk/arch"].data, arch == "amd64" ? "x86_64\n" : "aarch64\n");
    // The config carries the entrypoint and the default environment.
    nlohmann::json manifest = test::read_json(test::blob_path(out, digest));
    nlohmann::json image_config = test::read_json(test::blob_path(out, manifest["config"]["digest"]));
    EXPECT_EQ(image_config["architecture"], arch);
    EXPECT_EQ(image_config["config"]["Entrypoint"], nlohmann::json({"/bin/sh", "-l"}));
    EXPECT_EQ(image_config["created"], "1970-01-01T00:00:00Z");  // newest package build time
  }

  // The SBOM of each arch names both packages, with purl and checksum.
  for (const char* arch : {"x86_64", "aarch64"}) {
    nlohmann::json sbom = test::read_json(out / "sboms" / fmt::format("sbom-{}.spdx.json", arch));
    EXPECT_EQ(sbom["spdxVersion"], "SPDX-2.3");
    std::map<std::string, nlohmann::json> packages;
    for (const auto& package : sbom["packages"]) packages[package["name"]] = package;
    ASSERT_TRUE(packages.contains("replayout")) << sbom.dump(2);
    ASSERT_TRUE(packages.contains("pretend-baselayout"));
    EXPECT_EQ(packages["replayout"]["versionInfo"], "1.0.0-r0");
    EXPECT_EQ(packages["replayout"]["licenseDeclared"], "MIT");
    EXPECT_EQ(packages["replayout"]["externalRefs"][0]["referenceLocator"],
              fmt::format("pkg:apk/replaces/replayout@1.0.0-r0?arch={}&distro=replaces", arch));
    EXPECT_EQ(packages["replayout"]["checksums"][0]["algorithm"], "SHA1");
    EXPECT_EQ(sbom["externalDocumentRefs"].size(), 2u);  // both ship their own SBOM
  }

  // umoci unpacks one platform (umoci refuses a multi-platform reference as ambiguous, so pick one
  // with skopeo first) and keeps the package's owner when run as root.
  auto single = dir.path() / "single";
  auto copied = run({"skopeo", "--override-arch", "arm64", "copy", "oci:" + out.string() + ":latest",
                     "oci:" + single.string() + ":arm64"});
  ASSERT_EQ(copied.exit_code, 0) << copied.err;
  auto bundle = dir.path() / "bundle";
  std::vector<std::string> unpack = {"umoci", "unpack", "--image", single.string() + ":arm64", bundle.string()};
  if (::geteuid() != 0) unpack.insert(unpack.begin() + 2, "--rootless");
  auto unpacked = run(unpack);
  ASSERT_EQ(unpacked.exit_code, 0) << unpacked.err;
  struct stat st {};
  ASSERT_EQ(::lstat((bundle / "rootfs/etc/os-release").c_str(), &st), 0);
  EXPECT_THAT(read_file(bundle / "rootfs/etc/os-release"), HasSubstr("ID=replaces"));
  if (::geteuid() == 0) {
    EXPECT_EQ(st.st_uid, 501u);
  }
  EXPECT_THAT(package_names(read_file(bundle / "rootfs/lib/apk/db/installed")),
              ::testing::UnorderedElementsAre("pretend-baselayout", "replayout"));
  EXPECT_EQ(read_file(bundle / "rootfs/etc/apk/arch"), "aarch64\n");
}

TEST(ImageBuildFixtures, TwoBuildsAreIdentical) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  TempDir dir("lupine-image-test");
  auto config = test::write_apko_config(dir.path(), fixtures);
  for (const char* out : {"one", "two"}) {
    auto built = run_lupine({"image", "build", config.string(), (dir.path() / out).string(), "--tag", "x:1"});
    ASSERT_EQ(built.exit_code, 0) << built.err;
  }
  auto one = test::tree_contents(dir.path() / "one");
  auto two = test::tree_contents(dir.path() / "two");
  EXPECT_TRUE(one.contains("index.json"));
  EXPECT_GE(one.size(), 9u);  // oci-layout, index.json, index + 2 × (manifest, config, layer), 2 SBOMs
  EXPECT_EQ(one, two);
}

TEST(ImageBuildFixtures, DockerArchiveLoadsInSkopeo) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  LUPINE_PROGRAM_OR_SKIP("skopeo");
  TempDir dir("lupine-image-test");
  auto config = test::write_apko_config(dir.path(), fixtures);
  auto tar = dir.path() / "image.tar";
  auto built = run_lupine({"image", "build", config.string(), tar.string(), "--arch", "x86_64", "--format", "docker",
                           "--tag", "example.org/apko-test:v1"});
  ASSERT_EQ(built.exit_code, 0) << built.err;
  auto inspected = run({"skopeo", "inspect", "docker-archive:" + tar.string()});
  ASSERT_EQ(inspected.exit_code, 0) << inspected.err;
  nlohmann::json info = nlohmann::json::parse(inspected.out);
  EXPECT_EQ(info["Architecture"], "amd64");
  // docker load names the image after manifest.json's RepoTags.
  auto manifest = run({"tar", "-xOf", tar.string(), "manifest.json"});
  ASSERT_EQ(manifest.exit_code, 0) << manifest.err;
  EXPECT_EQ(nlohmann::json::parse(manifest.out)[0]["RepoTags"], nlohmann::json({"example.org/apko-test:v1"}));
  auto copied = run({"skopeo", "copy", "docker-archive:" + tar.string(), "oci:" + (dir.path() / "copy").string() + ":x"});
  EXPECT_EQ(copied.exit_code, 0) << copied.err;
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "sboms/sbom-x86_64.spdx.json"));
}

// layering: {strategy: origin, budget: N}: replayout replaces pretend-baselayout, so the two are one
// group and one layer, the same bytes in an image that adds a package on top (custom-ca-certs-1,
// its own layer); directories and what no package owns (the installed database) come last. The
// layered root is the unlayered image's root; skopeo and umoci take it; two builds are one.
TEST(ImageBuildFixtures, LayeringSharesTheBaseLayerBetweenImages) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  TempDir dir("lupine-image-layering");
  const std::string packages = "  packages:\n    - replayout\n    - pretend-baselayout\n";
  auto base = test::write_apko_config(dir.path(), fixtures,
                                      "contents:\n  keyring:\n    - ./testdata/melange.rsa.pub\n  repositories:\n"
                                      "    - ./testdata/packages\n" + packages +
                                      "layering:\n  strategy: origin\n  budget: 3\narchs: [x86_64]\n");
  write_file_atomic(dir.path() / "top.yaml", "include: ./apko.yaml\ncontents:\n  packages:\n    - custom-ca-certs-1\n");
  write_file_atomic(dir.path() / "flat.yaml",
                    "contents:\n  keyring:\n    - ./testdata/melange.rsa.pub\n  repositories:\n    - ./testdata/packages\n" +
                        packages + "    - custom-ca-certs-1\narchs: [x86_64]\n");
  auto build = [&](const std::string& config, const std::string& out) {
    auto built = run_lupine({"image", "build", (dir.path() / config).string(), (dir.path() / out).string(), "--tag", "t:1"});
    EXPECT_EQ(built.exit_code, 0) << built.err;
    nlohmann::json manifest = test::read_json(test::blob_path(dir.path() / out, test::manifests_by_arch(dir.path() / out).at("amd64")));
    std::vector<std::string> layers;
    for (const auto& layer : manifest["layers"]) layers.push_back(layer["digest"]);
    return layers;
  };
  auto base_layers = build(base.filename().string(), "base");
  auto top_layers = build("top.yaml", "top");
  ASSERT_EQ(base_layers.size(), 2u);
  ASSERT_EQ(top_layers.size(), 3u);
  EXPECT_EQ(top_layers[0], base_layers[0]);
  EXPECT_NE(top_layers[2], base_layers[1]);
  EXPECT_EQ(build(base.filename().string(), "base-again"), base_layers);
  EXPECT_EQ(read_file(dir.path() / "base/index.json"), read_file(dir.path() / "base-again/index.json"));

  // The same files as one layer, whichever layer each is in.
  build("flat.yaml", "flat");
  auto root = [&](const std::string& out) {
    std::map<std::string, std::string> files;
    const ImageTree tree = root_of(read_image((dir.path() / out).string(), "amd64"));
    for (const auto& [path, entry] : tree.entries())
      files[path] = fmt::format("{} {:o} {}:{} {} {}", static_cast<char>(entry.type), entry.mode, entry.uid, entry.gid,
                                entry.link_target, entry.data.size());
    return files;
  };
  auto flat = root("flat"), layered = root("top");
  flat.erase("etc/apko.json");  // names its own config
  layered.erase("etc/apko.json");
  EXPECT_EQ(layered, flat);

  if (find_program("skopeo", current_path_list()).empty() || find_program("umoci", current_path_list()).empty()) {
    if (::lupine::testing::fixtures_required()) FAIL() << "skopeo and umoci are needed";
    return;
  }
  auto inspected = run({"skopeo", "inspect", "oci:" + (dir.path() / "top").string() + ":1"});
  ASSERT_EQ(inspected.exit_code, 0) << inspected.err;
  EXPECT_EQ(nlohmann::json::parse(inspected.out)["Layers"].size(), 3u);
  auto unpacked = run({"umoci", "unpack", "--rootless", "--image", (dir.path() / "top").string() + ":1",
                       (dir.path() / "bundle").string()});
  EXPECT_EQ(unpacked.exit_code, 0) << unpacked.err;
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "bundle/rootfs/lib/apk/db/installed"));
}

TEST(ImageBuildFixtures, LockThenBuildWithIt) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  TempDir dir("lupine-image-test");
  auto config = test::write_apko_config(dir.path(), fixtures);
  auto lock_path = dir.path() / "apko.lock.json";
  auto locked = run_lupine({"image", "lock", config.string(), "-o", lock_path.string()});
  ASSERT_EQ(locked.exit_code, 0) << locked.err;
  nlohmann::json lock = test::read_json(lock_path);
  EXPECT_EQ(lock["version"], "v1");
  EXPECT_EQ(lock["config"]["name"], "apko.yaml");
  EXPECT_THAT(lock["contents"]["keyring"][0]["content"].get<std::string>(), HasSubstr("BEGIN PUBLIC KEY"));
  ASSERT_EQ(lock["contents"]["packages"].size(), 4u);  // 2 packages × 2 archs, dependencies first
  EXPECT_EQ(lock["contents"]["packages"][0]["name"], "pretend-baselayout");
  EXPECT_EQ(lock["contents"]["packages"][0]["checksum"], "Q1m6wB0UFePGN8Drz82pC8y2uAiu8=");

  auto plain = run_lupine({"image", "build", config.string(), (dir.path() / "plain").string()});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  auto pinned = run_lupine({"image", "build", config.string(), (dir.path() / "pinned").string(), "--lockfile",
                            lock_path.string()});
  ASSERT_EQ(pinned.exit_code, 0) << pinned.err;
  EXPECT_EQ(read_file(dir.path() / "plain/index.json"), read_file(dir.path() / "pinned/index.json"));

  // A lock whose checksum no longer matches what the repositories give: the build says what moved.
  lock["contents"]["packages"][1]["checksum"] = "Q1AAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  write_file_atomic(lock_path, lock.dump(2));
  auto moved = run_lupine({"image", "build", config.string(), (dir.path() / "moved").string(), "--lockfile",
                           lock_path.string()});
  EXPECT_NE(moved.exit_code, 0);
  EXPECT_THAT(moved.err, HasSubstr("moved since the lock was made"));
  EXPECT_THAT(moved.err, HasSubstr("replayout-1.0.0-r0: locked checksum"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "moved"));
}

struct Refusal {
  const char* name;
  std::string config;
  const char* message;
};

std::string with_packages(const std::string& packages, const std::string& extra = "") {
  return "contents:\n  keyring: [./testdata/melange.rsa.pub]\n  repositories: [./testdata/packages]\n  packages: " +
         packages + "\narchs: [x86_64]\n" + extra;
}

TEST(ImageBuildFixtures, RefusalsLeaveNoOutput) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  std::vector<Refusal> refusals = {
      {"unknown package", with_packages("[no-such-package]"), "no-such-package (no such package)"},
      {"conflicting constraints", with_packages("[replayout, '!pretend-baselayout']"),
       "x86_64: cannot resolve the image's packages"},
      {"two constraints on one package", with_packages("['replayout>9', 'replayout<1']"),
       "'replayout>9' and 'replayout<1' both constrain replayout"},
      {"untrusted key",
       "contents:\n  repositories: [./testdata/packages]\n  packages: [replayout]\narchs: [x86_64]\n", "UNTRUSTED"},
      {"path escaping with ..", with_packages("[replayout]", "paths:\n  - path: ../escape\n    type: directory\n"),
       "escapes the image root"},
      {"path escaping through a symlink",
       with_packages("[replayout]",
                     "paths:\n  - path: /escape\n    type: symlink\n    source: ../../../../../../../tmp\n"
                     "  - path: /escape/pwned\n    type: directory\n"),
       "leads outside the image root through a symlink"},
  };
  for (const auto& refusal : refusals) {
    SCOPED_TRACE(refusal.name);
    TempDir dir("lupine-image-test");
    auto config = test::write_apko_config(dir.path(), fixtures, refusal.config);
    auto out = dir.path() / "out";
    auto built = run_lupine({"image", "build", config.string(), out.string()});
    EXPECT_EQ(built.exit_code, 1) << built.err;
    EXPECT_THAT(built.err, HasSubstr(refusal.message));
    EXPECT_FALSE(std::filesystem::exists(out));
    // Nothing left beside it either (staging directories are removed).
    for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
      EXPECT_THAT(entry.path().filename().string(), ::testing::Not(HasSubstr(".lupine-")));
  }
}

// certificates.additional: the certificate lands in usr/local/share/ca-certificates under its name
// and fingerprint, and is appended to the image's CA bundle (here an empty one made by `paths`,
// which apko applies first); the AWS bundle the image lacks stays absent.
TEST(ImageBuildFixtures, AdditionalCertificatesJoinTheBundle) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  TempDir dir("lupine-image-test");
  lupine::testing::write_self_signed_certificate(dir.path() / "ca.pem", dir.path() / "ca.key");
  std::string pem = read_file(dir.path() / "ca.pem");
  std::string extra =
      "paths:\n  - path: /etc/ssl/certs\n    type: directory\n    permissions: 0o755\n"
      "  - path: /etc/ssl/certs/ca-certificates.crt\n    type: empty-file\n    permissions: 0o644\n"
      "certificates:\n  additional:\n    - name: test-ca\n      content: |\n" + test::indented(pem, 8);
  auto config = test::write_apko_config(dir.path(), fixtures, with_packages("[replayout]", extra));
  auto out = dir.path() / "out";
  auto built = run_lupine({"image", "build", config.string(), out.string()});
  ASSERT_EQ(built.exit_code, 0) << built.err;

  auto layer = test::read_layer(out, test::manifests_by_arch(out).at("amd64"));
  ASSERT_TRUE(layer.contains("etc/ssl/certs/ca-certificates.crt"));
  EXPECT_EQ(layer["etc/ssl/certs/ca-certificates.crt"].data, pem + "\n");
  std::string fingerprint = lupine::parse_pem_certificate(pem, "ca").sha256_hex;
  std::string file = "usr/local/share/ca-certificates/test-ca-" + fingerprint + ".crt";
  ASSERT_TRUE(layer.contains(file));
  EXPECT_EQ(layer[file].data, pem);
  EXPECT_EQ(layer[file].entry.mode & 07777, 0644u);
  EXPECT_FALSE(layer.contains("var/lib/ecs/deps/execute-command/certs/tls-ca-bundle.pem"));
}

// An interrupt while the layer is written (raised as it starts) stops the build: no output, no
// staging directory beside it, no temporary root left.
TEST(ImageBuildFixtures, AnInterruptLeavesNoOutputAndNoTemporaryFiles) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  TempDir dir("lupine-image-test");
  auto config_path = test::write_apko_config(dir.path(), fixtures);
  auto out = dir.path() / "out";
  auto temp = dir.path() / "tmp";
  std::filesystem::create_directories(temp);
  auto child = testing::run_and_interrupt(
      [&] {
        ::setenv("TMPDIR", temp.c_str(), 1);
        BuildOptions options;
        options.cache_dir = dir.path() / "cache";
        options.on_progress = [](const std::string& line) {
          if (line.find("writing layer") != std::string::npos) ::raise(SIGINT);
        };
        try {
          build_image(read_image_config(config_path), out, options);
          return 2;
        } catch (const Interrupted& interrupted) {
          return interrupted.signal() == SIGINT ? 42 : 3;
        }
      },
      std::chrono::milliseconds(0), 0, /*guarded=*/false);  // build_image holds its own guard
  ASSERT_TRUE(WIFEXITED(child.status)) << "signal " << WTERMSIG(child.status);
  EXPECT_EQ(WEXITSTATUS(child.status), 42);
  EXPECT_FALSE(std::filesystem::exists(out));
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    EXPECT_THAT(entry.path().filename().string(), ::testing::Not(HasSubstr(".lupine-")));
  EXPECT_TRUE(std::filesystem::is_empty(temp));
}

TEST(ImageBuildFixtures, FailedRebuildLeavesThePreviousOutputUntouched) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  TempDir dir("lupine-image-test");
  auto config = test::write_apko_config(dir.path(), fixtures);
  auto out = dir.path() / "out";
  ASSERT_EQ(run_lupine({"image", "build", config.string(), out.string()}).exit_code, 0);
  auto before = test::tree_contents(out);
  write_file_atomic(config, with_packages("[no-such-package]"));
  auto failed = run_lupine({"image", "build", config.string(), out.string()});
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_EQ(test::tree_contents(out), before);
}

}  // namespace
}  // namespace lupine::image

namespace lupine::image {
namespace {

// Owners come from the installed database, not from the disk: a build by an unprivileged user
// (who cannot chown) makes the very same image as one by root.
TEST(ImageBuildFixtures, UnprivilegedBuildMakesTheSameImage) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run the other build as nobody";
  LUPINE_PROGRAM_OR_SKIP("setpriv");
  TempDir dir("lupine-image-test");
  auto config = test::write_apko_config(dir.path(), fixtures);
  ASSERT_EQ(run_lupine({"image", "build", config.string(), (dir.path() / "root").string()}).exit_code, 0);

  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path()))
    ::lchown(entry.path().c_str(), 65534, 65534);
  ::chown(dir.path().c_str(), 65534, 65534);
  const char* binary = std::getenv("LUPINE_BINARY");
  ASSERT_NE(binary, nullptr);
  auto built = run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "env",
                    "HOME=" + dir.path().string(), binary, "image", "build", config.string(),
                    (dir.path() / "nobody").string(), "--cache-dir", (dir.path() / "cache").string()});
  ASSERT_EQ(built.exit_code, 0) << built.err;
  EXPECT_EQ(read_file(dir.path() / "root/index.json"), read_file(dir.path() / "nobody/index.json"));
  auto layer = test::read_layer(dir.path() / "nobody", test::manifests_by_arch(dir.path() / "nobody").at("amd64"));
  EXPECT_EQ(layer["etc/os-release"].entry.uid, 501u);
}

}  // namespace
}  // namespace lupine::image
