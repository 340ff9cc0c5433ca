#include "image/config.h"

#include "image_test_support.h"

#include "common/error.h"
#include "common/fs.h"
#include "support/nginx.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lupine::image {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string error_of(const std::string& text, const std::filesystem::path& path = "/cfg/apko.yaml") {
  try {
    parse_image_config(text, path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(ImageConfig, ReadsEveryKey) {
  ImageConfig config = parse_image_config(R"(
contents:
  repositories:
    - ./packages/
    - '@local /srv/local'
    - https://packages.example.org/os
  build_repositories: [./build-only]
  runtime_repositories: [https://runtime.example.org/os]
  keyring: [./melange.rsa.pub, https://example.org/key.rsa.pub]
  runtime_keyring:
    - name: runtime.rsa.pub
      content: "-----BEGIN PUBLIC KEY-----"
  packages: [replayout, "busybox>=1.36", foo@local]
entrypoint:
  command: /bin/sh -l
cmd: "-c 'echo hi'"
stop-signal: SIGTERM
work-dir: /home/nonroot
accounts:
  run-as: nonroot
  users:
    - username: nonroot
      uid: 65532
      shell: /bin/ash
  groups:
    - groupname: nonroot
      gid: 65532
      members: [nonroot]
archs: [x86_64, arm64, amd64]
environment:
  FOO: bar
paths:
  - path: /run/nginx
    type: directory
    uid: 10000
    gid: 10000
    permissions: 0o755
    recursive: true
  - path: /etc/x
    type: empty-file
    permissions: 0644
  - path: /bin/link
    type: symlink
    source: /bin/busybox
annotations:
  org.opencontainers.image.title: test
volumes: [/data]
vcs-url: https://github.com/example/repo@abc123
format: tar
)",
                                          "/cfg/apko.yaml");
  EXPECT_THAT(config.contents.repositories,
              ElementsAre("/cfg/packages", "@local /srv/local", "https://packages.example.org/os"));
  EXPECT_THAT(config.contents.build_repositories, ElementsAre("/cfg/build-only"));
  EXPECT_THAT(config.contents.runtime_repositories, ElementsAre("https://runtime.example.org/os"));
  EXPECT_THAT(config.contents.keyring, ElementsAre("/cfg/melange.rsa.pub", "https://example.org/key.rsa.pub"));
  ASSERT_EQ(config.contents.runtime_keyring.size(), 1u);
  EXPECT_EQ(config.contents.runtime_keyring[0].name, "runtime.rsa.pub");
  EXPECT_THAT(config.contents.packages, ElementsAre("replayout", "busybox>=1.36", "foo@local"));
  EXPECT_EQ(config.entrypoint.command, "/bin/sh -l");
  EXPECT_THAT(image_entrypoint(config), ElementsAre("/bin/sh", "-l"));
  EXPECT_THAT(image_cmd(config), ElementsAre("-c", "echo hi"));
  EXPECT_EQ(config.stop_signal, "SIGTERM");
  EXPECT_EQ(config.work_dir, "/home/nonroot");
  EXPECT_EQ(config.accounts.run_as, "nonroot");
  ASSERT_EQ(config.accounts.users.size(), 1u);
  EXPECT_EQ(config.accounts.users[0].uid, 65532u);
  EXPECT_FALSE(config.accounts.users[0].gid.has_value());
  ASSERT_EQ(config.accounts.groups.size(), 1u);
  EXPECT_THAT(config.accounts.groups[0].members, ElementsAre("nonroot"));
  EXPECT_THAT(config.archs, ElementsAre("x86_64", "aarch64"));  // amd64 = x86_64, deduplicated
  EXPECT_THAT(image_environment(config),
              ElementsAre("FOO=bar", "PATH=/usr/local/sbin:/usr/local/bin:/usr/bin:/usr/sbin:/sbin:/bin",
                          "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"));
  ASSERT_EQ(config.paths.size(), 3u);
  EXPECT_EQ(config.paths[0].type, PathType::directory);
  EXPECT_EQ(config.paths[0].uid, 10000u);
  EXPECT_EQ(config.paths[0].permissions, 0755u);
  EXPECT_TRUE(config.paths[0].recursive);
  EXPECT_EQ(config.paths[0].where, "/cfg/apko.yaml:33");
  EXPECT_EQ(config.paths[1].permissions, 0644u);
  EXPECT_EQ(config.paths[2].source, "/bin/busybox");
  EXPECT_EQ(config.annotations.at("org.opencontainers.image.title"), "test");
  EXPECT_THAT(config.volumes, ElementsAre("/data"));
  EXPECT_EQ(config.vcs_url, "https://github.com/example/repo@abc123");
  EXPECT_TRUE(config.checksum.starts_with("sha256-"));
}

TEST(ImageConfig, UnknownKeyNamesFileAndLine) {
  EXPECT_THAT(error_of("contents:\n  packages: [a]\nentrypont:\n  command: x\n"),
              HasSubstr("/cfg/apko.yaml:3:1: error: unknown key 'entrypont' in the image configuration (did you mean "
                        "'entrypoint'?)"));
  EXPECT_THAT(error_of("contents:\n  packagez: [a]\n"), HasSubstr("/cfg/apko.yaml:2:3: error: unknown key 'packagez'"));
  EXPECT_THAT(error_of("paths:\n  - path: /x\n    type: directory\n    mode: 0755\n"),
              HasSubstr("apko.yaml:4:5: error: unknown key 'mode' in paths[]"));
}

TEST(ImageConfig, BadValuesAreErrors) {
  EXPECT_THAT(error_of("paths:\n  - path: /x\n    type: directory\n    permissions: rwx\n"),
              HasSubstr("apko.yaml:4:18: error: paths[].permissions: expected a file mode such as 0o755"));
  EXPECT_THAT(error_of("paths:\n  - path: /x\n    type: directory\n    permissions: 0o17777\n"),
              HasSubstr("at most 0o7777"));
  EXPECT_THAT(error_of("paths:\n  - path: /x\n    type: fifo\n"), HasSubstr("'fifo' is not one of"));
  EXPECT_THAT(error_of("paths:\n  - path: ../escape\n    type: directory\n"), HasSubstr("escapes the image root"));
  EXPECT_THAT(error_of("paths:\n  - path: /a/../../b\n    type: directory\n"), HasSubstr("escapes the image root"));
  EXPECT_THAT(error_of("archs: [x86_64, sparc]\n"), HasSubstr("unknown architecture 'sparc'"));
  EXPECT_THAT(error_of("accounts:\n  users:\n    - username: root\n      uid: 0\n"), HasSubstr("'uid' must be set and not 0"));
  EXPECT_THAT(error_of("layering:\n  strategy: origin\n"),
              HasSubstr("apko.yaml:2:3: error: layering.budget: expected a number of layers from 1 to 100"));
  EXPECT_THAT(error_of("layering:\n  strategy: size\n  budget: 3\n"),
              HasSubstr("apko.yaml:2:13: error: layering.strategy: only origin is known, not 'size'"));
  EXPECT_THAT(error_of("layering:\n  budget: 0\n"), HasSubstr("layering.budget: expected a number of layers"));
  EXPECT_EQ(parse_image_config("layering:\n  strategy: origin\n  budget: 10\n", "/cfg/apko.yaml").layering_budget, 10u);
  EXPECT_THAT(error_of("contents: [a]\n"), HasSubstr("contents: expected a mapping"));
}

// apko's certificates.additional: each entry one PEM certificate with a plain file name.
TEST(ImageConfig, CertificatesAreCheckedWhenRead) {
  TempDir dir("lupine-image-config");
  lupine::testing::write_self_signed_certificate(dir.path() / "ca.pem", dir.path() / "ca.key");
  std::string pem = read_file(dir.path() / "ca.pem");
  auto entry = [](const std::string& name, const std::string& content) {
    return "    - name: " + name + "\n      content: |\n" + test::indented(content, 8);
  };
  ImageConfig config = parse_image_config("certificates:\n  additional:\n" + entry("test-ca", pem), "/cfg/apko.yaml");
  ASSERT_EQ(config.certificates.size(), 1u);
  EXPECT_EQ(config.certificates[0].name, "test-ca");
  EXPECT_EQ(config.certificates[0].content, pem);
  EXPECT_EQ(config.certificates[0].where, "/cfg/apko.yaml:3");

  EXPECT_THAT(error_of("certificates:\n  additional:\n" + entry("../ca", pem)),
              HasSubstr("apko.yaml:3:7: error: certificates.additional[]: 'name' must be a plain file name"));
  EXPECT_THAT(error_of("certificates:\n  additional:\n" + entry("ca", "not a certificate\n")),
              HasSubstr("apko.yaml:3:7: error: certificates.additional[]: certificate ca: no PEM certificate found"));
  EXPECT_THAT(error_of("certificates:\n  additional:\n" + entry("ca", pem + pem)),
              HasSubstr("certificate ca: more than one certificate"));
  EXPECT_THAT(error_of("certificates:\n  providers: [ca-certificates]\n"),
              HasSubstr("'certificates.providers' is not supported by lupine yet"));
}

TEST(ImageConfig, IncludeMergesParentFirst) {
  TempDir dir("lupine-image-config");
  std::filesystem::create_directories(dir.path() / "base");
  write_file_atomic(dir.path() / "base/base.yaml", R"(
contents:
  repositories: [./repo]
  keyring: [./base.rsa.pub]
  packages: [baselayout]
cmd: /bin/base
work-dir: /base
environment:
  A: base
  B: base
archs: [x86_64]
)");
  write_file_atomic(dir.path() / "image.yaml", R"(
include: base/base.yaml
contents:
  packages: [app]
cmd: /bin/app
environment:
  B: image
)");
  ImageConfig config = read_image_config(dir.path() / "image.yaml");
  // Paths in the included file resolve against its own directory.
  EXPECT_THAT(config.contents.repositories, ElementsAre((dir.path() / "base/repo").string()));
  EXPECT_THAT(config.contents.keyring, ElementsAre((dir.path() / "base/base.rsa.pub").string()));
  EXPECT_THAT(config.contents.packages, ElementsAre("baselayout", "app"));
  EXPECT_EQ(config.cmd, "/bin/app");
  EXPECT_EQ(config.work_dir, "/base");
  EXPECT_EQ(config.environment.at("A"), "base");
  EXPECT_EQ(config.environment.at("B"), "image");
  EXPECT_THAT(config.archs, ElementsAre("x86_64"));
  // The checksum covers the included file too.
  std::string before = config.checksum;
  write_file_atomic(dir.path() / "base/base.yaml", "cmd: /bin/changed\n");
  EXPECT_NE(read_image_config(dir.path() / "image.yaml").checksum, before);
}

TEST(ImageConfig, IncludeCycleIsAnError) {
  TempDir dir("lupine-image-config");
  write_file_atomic(dir.path() / "a.yaml", "include: b.yaml\n");
  write_file_atomic(dir.path() / "b.yaml", "include: a.yaml\n");
  try {
    read_image_config(dir.path() / "a.yaml");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("includes itself"));
  }
}

TEST(ImageConfig, ShellFragmentAndSplitting) {
  ImageConfig config = parse_image_config("entrypoint:\n  shell-fragment: echo $HOME && ls\n", "/x/a.yaml");
  EXPECT_THAT(image_entrypoint(config), ElementsAre("/bin/sh", "-c", "echo $HOME && ls"));
  EXPECT_THAT(shell_split(R"(a "b c" 'd e' f\ g "h\"i")"), ElementsAre("a", "b c", "d e", "f g", "h\"i"));
  EXPECT_THROW(shell_split("'open"), Error);
}

}  // namespace
}  // namespace lupine::image
