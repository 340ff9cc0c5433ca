// Packages lupine writes have the structure of melange's and verify; packing is reproducible.
#include "apk/package_writer.h"

#include "apk/gzip.h"
#include "apk/package.h"
#include "apk/signature.h"
#include "common/encoding.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/hash.h"
#include "crafted_package.h"
#include "support/fixtures.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include <fstream>

namespace lupine::apk {
namespace {

void write(const std::filesystem::path& path, const std::string& contents, unsigned mode = 0644) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << contents;
  ::chmod(path.c_str(), mode);
}

// A small tree with every kind of entry a package holds.
void make_tree(const std::filesystem::path& root) {
  write(root / "usr/bin/hello", "#!/bin/sh\necho hello\n", 0755);
  write(root / "usr/share/doc/hello/README", std::string(100000, 'x'));
  write(root / "etc/hello.conf", "a=b\n", 0640);
  std::filesystem::create_directories(root / "var/empty");
  std::filesystem::create_symlink("hello", root / "usr/bin/hi");
  std::filesystem::create_hard_link(root / "usr/bin/hello", root / "usr/bin/hello-again");
  std::string long_dir = "usr/share/" + std::string(120, 'd');
  write(root / long_dir / (std::string(90, 'f') + ".txt"), "long");
}

PackOptions options_for(const RsaPrivateKey* key, const std::string& key_name) {
  PackOptions options;
  options.info.pkgname = "hello";
  options.info.pkgver = "1.0-r0";
  options.info.arch = "x86_64";
  options.info.license = "MIT";
  options.info.depends = {"busybox"};
  options.mtime = 1700000000;
  options.signer.key = key;
  options.signer.key_name = key_name;
  return options;
}

TEST(PackageWriter, StructureMatchesMelangeAndVerifies) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  TempDir dir;
  make_tree(dir.path() / "tree");
  auto key = RsaPrivateKey::load(fixtures / "apk/apko-cli/melange.rsa");
  auto output = dir.path() / "hello-1.0-r0.apk";
  PackResult result = pack_directory(dir.path() / "tree", options_for(&key, "melange.rsa.pub"), output);

  std::string bytes = read_file(output);
  auto members = read_gzip_members(bytes, "out");
  ASSERT_EQ(members.size(), 3u);
  // Signature and control members carry no end-of-archive blocks; data ends with them.
  auto sig_tar = parse_tar(members[0].content, "sig");
  auto control_tar = parse_tar(members[1].content, "control");
  auto data_tar = parse_tar(members[2].content, "data");
  EXPECT_FALSE(sig_tar.end_of_archive);
  EXPECT_FALSE(control_tar.end_of_archive);
  EXPECT_TRUE(data_tar.end_of_archive);
  EXPECT_EQ(members[0].content.size() % 512, 0u);
  ASSERT_EQ(sig_tar.items.size(), 1u);
  EXPECT_EQ(sig_tar.items[0].entry.path, ".SIGN.RSA256.melange.rsa.pub");
  EXPECT_EQ(control_tar.items[0].entry.path, ".PKGINFO");

  Package package = Package::read(output);
  EXPECT_EQ(package.info().datahash, sha256_hex(members[2].compressed));
  EXPECT_EQ(package.identity(), "Q1" + base64_encode(sha1(members[1].compressed)));
  EXPECT_EQ(package.identity(), result.identity);
  EXPECT_EQ(package.info().size, 100000u + 21u + 4u + 4u);
  EXPECT_EQ(package.info().builddate, 1700000000);

  // Every regular file and symlink carries its SHA-1; hard links point at the first name.
  size_t regular = 0;
  for (const auto& item : package.data_entries()) {
    const auto& entry = item.entry;
    EXPECT_EQ(entry.mtime, 1700000000) << entry.path;
    EXPECT_EQ(entry.uid, 0u);
    if (entry.type == TarType::regular) {
      ++regular;
      EXPECT_EQ(entry.checksum_sha1, sha1_hex(item.data)) << entry.path;
    }
    if (entry.type == TarType::symlink) {
      EXPECT_EQ(entry.checksum_sha1, sha1_hex("hello"));
    }
    if (entry.path == "usr/bin/hello-again") {
      EXPECT_EQ(entry.type, TarType::hardlink);
      EXPECT_EQ(entry.link_target, "usr/bin/hello");
    }
    if (entry.path == "etc/hello.conf") {
      EXPECT_EQ(entry.mode, 0640u);
    }
    if (entry.path == "usr/bin/hello") {
      EXPECT_EQ(entry.mode, 0755u);
    }
  }
  EXPECT_EQ(regular, 4u);
  // Parents before children, every directory present.
  std::vector<std::string> names;
  for (const auto& item : package.data_entries()) names.push_back(item.entry.path);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(names.front(), "etc");

  Keyring keyring;
  keyring.add(fixtures / "apk/apko-cli/melange.rsa.pub");
  VerifyReport report = verify_package(package, keyring, {});
  EXPECT_EQ(report.signature.status, SignatureStatus::verified);
  EXPECT_EQ(report.files_checked, 5u);  // 4 files + 1 symlink
}

TEST(PackageWriter, ByteIdenticalWhenPackedTwice) {
  TempDir dir;
  make_tree(dir.path() / "a");
  make_tree(dir.path() / "b");  // same contents, different inodes and times
  ::utime((dir.path() / "b/etc/hello.conf").c_str(), nullptr);
  const auto& key = testing::test_key();
  auto options = options_for(&key, "test.rsa.pub");
  pack_directory(dir.path() / "a", options, dir.path() / "1.apk");
  options.threads = 1;
  pack_directory(dir.path() / "b", options, dir.path() / "2.apk");
  EXPECT_EQ(read_file(dir.path() / "1.apk"), read_file(dir.path() / "2.apk"));
  options.mtime = 1700000001;
  pack_directory(dir.path() / "a", options, dir.path() / "3.apk");
  EXPECT_NE(read_file(dir.path() / "1.apk"), read_file(dir.path() / "3.apk"));
}

TEST(PackageWriter, Sha1SignatureOnRequestAndResign) {
  TempDir dir;
  make_tree(dir.path() / "tree");
  const auto& key = testing::test_key();
  auto options = options_for(&key, "test.rsa.pub");
  options.signer.hash = HashAlgorithm::sha1;
  auto file = dir.path() / "p.apk";
  pack_directory(dir.path() / "tree", options, file);
  Package legacy = Package::read(file);
  EXPECT_EQ(legacy.signatures()[0].entry_name, ".SIGN.RSA.test.rsa.pub");

  auto other = RsaPrivateKey::generate(2048);
  PackageSigner signer{&other, "other.rsa.pub", HashAlgorithm::sha256};
  resign_package(file, signer, 0, file);
  Package resigned = Package::read(file);
  ASSERT_EQ(resigned.signatures().size(), 1u);
  EXPECT_EQ(resigned.signatures()[0].entry_name, ".SIGN.RSA256.other.rsa.pub");
  EXPECT_EQ(resigned.identity(), legacy.identity());  // control member unchanged
  Keyring keyring;
  std::filesystem::create_directories(dir.path() / "trusted");
  write_file_atomic(dir.path() / "trusted/other.rsa.pub", other.public_pem());
  keyring.add(dir.path() / "trusted");
  EXPECT_EQ(verify_package(resigned, keyring, {}).signature.status, SignatureStatus::verified);
}

TEST(PackageWriter, ScriptsGoToControl) {
  TempDir dir;
  make_tree(dir.path() / "tree");
  auto options = options_for(nullptr, "");
  options.scripts = {{".post-install", "#!/bin/sh\necho installed\n"}};
  pack_directory(dir.path() / "tree", options, dir.path() / "p.apk");
  Package package = Package::read(dir.path() / "p.apk");
  EXPECT_EQ(package.member_count(), 2u);
  ASSERT_EQ(package.scripts().size(), 1u);
  EXPECT_EQ(package.scripts()[0].first, ".post-install");
  options.scripts = {{".bogus", "x"}};
  EXPECT_THROW(pack_directory(dir.path() / "tree", options, dir.path() / "q.apk"), Error);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "q.apk"));
}

// melange's control member: .PKGINFO, .melange.yaml, then the scriptlets, in bytewise name order.
TEST(PackageWriter, ControlFilesGoBetweenPkginfoAndScriptsInNameOrder) {
  TempDir dir;
  make_tree(dir.path() / "tree");
  auto options = options_for(nullptr, "");
  options.scripts = {{".trigger", "#!/bin/sh\n"}, {".post-install", "#!/bin/sh\n"}};
  options.control_files = {{".melange.yaml", "package:\n  name: p\n"}};
  pack_directory(dir.path() / "tree", options, dir.path() / "p.apk");
  Package package = Package::read(dir.path() / "p.apk");
  std::vector<std::string> names;
  for (const auto& item : package.control_entries()) names.push_back(item.entry.path);
  EXPECT_EQ(names, (std::vector<std::string>{".PKGINFO", ".melange.yaml", ".post-install", ".trigger"}));
  EXPECT_EQ(package.control_entries()[1].entry.mode, 0644u);
  EXPECT_EQ(package.control_entries()[2].entry.mode, 0755u);
  ASSERT_TRUE(package.control_file(".melange.yaml"));
  EXPECT_EQ(*package.control_file(".melange.yaml"), "package:\n  name: p\n");
  EXPECT_FALSE(package.control_file(".other"));
  EXPECT_EQ(package.scripts().size(), 2u);  // .melange.yaml is no scriptlet

  for (const char* bad : {".PKGINFO", ".post-install", ".SIGN.RSA.x.pub", "melange.yaml", "./x", "."}) {
    options.control_files = {{bad, "x"}};
    EXPECT_THROW(pack_directory(dir.path() / "tree", options, dir.path() / "q.apk"), Error) << bad;
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "q.apk"));
}

TEST(PackageWriter, EmptyTreeGivesValidPackage) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "empty");
  auto options = options_for(nullptr, "");
  pack_directory(dir.path() / "empty", options, dir.path() / "meta.apk");
  Package package = Package::read(dir.path() / "meta.apk");
  EXPECT_TRUE(package.data_entries().empty());
  EXPECT_EQ(package.info().size, 0u);
  VerifyOptions allow;
  allow.allow_untrusted = true;
  EXPECT_NO_THROW(verify_package(package, Keyring(), allow));
}

}  // namespace
}  // namespace lupine::apk
