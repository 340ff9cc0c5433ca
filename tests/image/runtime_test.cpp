// The runtime path: packages made at run time (a static busybox with its sh link, a tiny
// baselayout), a signed repository, `lupine image build`, then `umoci unpack` and `runc run` with
// the image's own entrypoint and user — the container prints what the image says it should.
#include "apk/arch.h"
#include "apk/dsse.h"
#include "apk/package_writer.h"
#include "common/fs.h"
#include "common/rsa.h"
#include "image/config.h"
#include "index/index_builder.h"
#include "index/root_layout.h"
#include "support/fixtures.h"
#include "support/run.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <fstream>

namespace lupine::image {
namespace {

using testing::run;
using testing::run_lupine;

struct TestRepository {
  std::filesystem::path dir;
  std::filesystem::path public_key;
};

std::filesystem::path pack(const std::filesystem::path& tree, const std::string& name, const std::string& arch,
                           const RsaPrivateKey& key, const std::filesystem::path& out_dir,
                           std::vector<std::string> depends = {}, std::vector<std::string> provides = {}) {
  apk::PackOptions options;
  options.info.pkgname = name;
  options.info.pkgver = "1.0-r0";
  options.info.arch = arch;
  options.info.pkgdesc = "image runtime test package " + name;
  options.info.license = "GPL-2.0-only";
  options.info.origin = name;
  options.info.builddate = 1700000000;
  options.info.depends = std::move(depends);
  options.info.provides = std::move(provides);
  options.mtime = 1700000000;
  options.threads = 1;
  options.keep_owners = false;
  options.signer = apk::PackageSigner{&key, "lupine-image-test.rsa.pub", HashAlgorithm::sha256};
  auto output = out_dir / (name + "-1.0-r0.apk");
  apk::pack_directory(tree, options, output);
  return output;
}

// busybox-image-test (bin/busybox from the host's static busybox, bin/sh -> busybox, and its list of
// applet paths, whose bin/id the image build links) and
// baselayout-image-test (etc/passwd, etc/group, etc/os-release), indexed and signed.
TestRepository make_repository(const std::filesystem::path& dir, const std::filesystem::path& busybox) {
  static const RsaPrivateKey key = RsaPrivateKey::generate(2048);
  std::string arch = apk::host_apk_arch();
  TestRepository repo{dir / "repo", dir / "lupine-image-test.rsa.pub"};
  write_file_atomic(repo.public_key, key.public_pem());
  std::filesystem::create_directories(repo.dir / arch);

  TempDir busybox_tree("lupine-image-busybox");
  std::filesystem::create_directories(busybox_tree.path() / "bin");
  std::filesystem::copy_file(busybox, busybox_tree.path() / "bin/busybox");
  std::filesystem::permissions(busybox_tree.path() / "bin/busybox", std::filesystem::perms(0755));
  std::filesystem::create_symlink("busybox", busybox_tree.path() / "bin/sh");
  // No id link: the image build makes it from the list, as apko does for Wolfi's busybox (it
  // provides busybox, as busybox-full does).
  std::filesystem::create_directories(busybox_tree.path() / "etc/busybox-paths.d");
  write_file_atomic(busybox_tree.path() / "etc/busybox-paths.d/busybox-image-test", "bin/sh\nbin/id\n");

  TempDir base_tree("lupine-image-baselayout");
  std::filesystem::create_directories(base_tree.path() / "etc");
  write_file_atomic(base_tree.path() / "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  write_file_atomic(base_tree.path() / "etc/group", "root:x:0:\n");
  write_file_atomic(base_tree.path() / "etc/os-release", "ID=lupine-test\nNAME=\"lupine test\"\n");

  std::vector<std::filesystem::path> packages = {
      pack(busybox_tree.path(), "busybox-image-test", arch, key, repo.dir / arch, {"baselayout-image-test"},
           {"busybox=1.0-r0"}),
      pack(base_tree.path(), "baselayout-image-test", arch, key, repo.dir / arch),
  };
  apk::Keyring keyring;
  keyring.add(repo.public_key);
  index::IndexBuildOptions options;
  options.output = repo.dir / arch / "APKINDEX.tar.gz";
  options.keyring = &keyring;
  options.signer = apk::PackageSigner{&key, "lupine-image-test.rsa.pub", HashAlgorithm::sha256};
  options.mtime = 1700000000;
  options.threads = 1;
  index::build_index(packages, options);
  return repo;
}

std::optional<std::filesystem::path> static_busybox() {
  for (const char* candidate : {"/bin/busybox", "/usr/bin/busybox"})
    if (std::filesystem::exists(candidate)) return std::filesystem::canonical(candidate);
  return std::nullopt;
}

// A directory with the test repository and an image config `image.yaml` on it (the host's static
// busybox as a package; skipped without busybox-static, failed under LUPINE_REQUIRE_FIXTURES).
class ImageOnBusybox : public ::testing::Test {
 protected:
  void SetUp() override {
    auto busybox = static_busybox();
    if (!busybox) {
      if (testing::fixtures_required()) FAIL() << "busybox-static is not installed";
      GTEST_SKIP() << "busybox-static is not installed";
    }
    make_repository(dir_.path(), *busybox);
  }
  // image.yaml: busybox-image-test from the repository, `command` as the entrypoint, then `rest`.
  void write_config(const std::string& command, const std::string& rest = "") const {
    write_file_atomic(dir_.path() / "image.yaml",
                      fmt::format("contents:\n  keyring: [./lupine-image-test.rsa.pub]\n  repositories: [./repo]\n"
                                  "  packages: [busybox-image-test]\nentrypoint:\n  command: {}\n{}archs: [{}]\n",
                                  command, rest, apk::host_apk_arch()));
  }
  TempDir dir_{"lupine-image-runtime"};
};

TEST_F(ImageOnBusybox, RuncRunsTheImagesEntrypointAsItsUser) {
  LUPINE_PROGRAM_OR_SKIP("umoci");
  LUPINE_PROGRAM_OR_SKIP("runc");
  if (::geteuid() != 0) GTEST_SKIP() << "runc needs root";
  const TempDir& dir = dir_;
  write_config("/bin/sh -c 'echo hello from lupine; /bin/id -u; echo $GREETING'", R"(accounts:
  run-as: app
  users:
    - username: app
      uid: 1234
environment:
  GREETING: hi
)");
  auto out = dir.path() / "out";
  auto built = run_lupine({"image", "build", (dir.path() / "image.yaml").string(), out.string(), "--tag", "rt:1"});
  ASSERT_EQ(built.exit_code, 0) << built.err;

  auto bundle = dir.path() / "bundle";
  auto unpacked = run({"umoci", "unpack", "--image", out.string() + ":1", bundle.string()});
  ASSERT_EQ(unpacked.exit_code, 0) << unpacked.err;
  EXPECT_THAT(read_file(bundle / "rootfs/etc/passwd"), ::testing::HasSubstr("app:x:1234:1234:"));
  EXPECT_EQ(std::filesystem::read_symlink(bundle / "rootfs/bin/id"), "/bin/busybox");
  EXPECT_EQ(std::filesystem::read_symlink(bundle / "rootfs/bin/sh"), "busybox");  // the package's own

  // runc cannot open a terminal here (machine-notes §4): run with process.terminal = false.
  nlohmann::json spec = nlohmann::json::parse(read_file(bundle / "config.json"));
  spec["process"]["terminal"] = false;
  write_file_atomic(bundle / "config.json", spec.dump(2));
  std::string id = fmt::format("lupine-image-test-{}", ::getpid());
  auto ran = run({"runc", "run", "--bundle", bundle.string(), id});
  run({"runc", "delete", "--force", id});
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_EQ(ran.out, "hello from lupine\n1234\nhi\n");
}

// With --signing-key, the image's own SLSA provenance lies beside it, signed: its subjects are the
// image index and the arch's manifest, and it lists every package with its C: identity. Packages
// without provenance of their own are refused with --require-provenance, and nothing is written.
TEST_F(ImageOnBusybox, ProvenanceSignedBesideTheLayoutNamesIndexManifestAndPackages) {
  const TempDir& dir = dir_;
  write_config("/bin/sh");
  ASSERT_EQ(run_lupine({"keygen", (dir.path() / "image").string(), "--key-size", "2048"}).exit_code, 0);
  auto out = dir.path() / "out";
  std::vector<std::string> args{"image", "build", (dir.path() / "image.yaml").string(), out.string(), "--tag",
                                "prov:1", "--signing-key", (dir.path() / "image.rsa").string(), "--json"};
  auto required = args;
  required.push_back("--require-provenance");
  auto refused = run_lupine(required);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, ::testing::HasSubstr("-image-test-1.0-r0.apk: no provenance ("));
  EXPECT_FALSE(std::filesystem::exists(out));

  auto built = run_lupine(args);
  ASSERT_EQ(built.exit_code, 0) << built.err;
  nlohmann::json summary = nlohmann::json::parse(built.out);
  std::filesystem::path envelope_file = out.string() + ".intoto.jsonl";
  EXPECT_EQ(summary["provenance"], envelope_file.string());
  apk::Keyring keyring;
  keyring.add(dir.path() / "image.rsa.pub");
  apk::DsseContents contents = apk::verify_dsse_envelope(read_file(envelope_file), keyring, "image provenance");
  nlohmann::json statement = nlohmann::json::parse(contents.payload);
  EXPECT_EQ(statement["predicateType"], "https://slsa.dev/provenance/v1");
  EXPECT_EQ(statement["subject"][0]["name"], "prov:1");
  EXPECT_EQ("sha256:" + statement["subject"][0]["digest"]["sha256"].get<std::string>(), summary["index"]);
  EXPECT_EQ("sha256:" + statement["subject"][1]["digest"]["sha256"].get<std::string>(), summary["archs"][0]["manifest"]);
  std::vector<std::string> packages;
  for (const auto& dependency : statement["predicate"]["buildDefinition"]["resolvedDependencies"]) {
    packages.push_back(dependency["name"]);
    EXPECT_EQ(dependency["digest"]["sha1"].get<std::string>().size(), 40u);
  }
  EXPECT_THAT(packages, ::testing::UnorderedElementsAre("busybox-image-test", "baselayout-image-test"));
}

}  // namespace
}  // namespace lupine::image
