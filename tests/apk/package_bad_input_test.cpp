// Every kind of damaged or hostile package is refused with a message naming the file and the fault.
#include "apk/extract.h"
#include "apk/gzip.h"
#include "apk/package.h"
#include "common/error.h"
#include "common/fs.h"
#include "crafted_package.h"

#include <gtest/gtest.h>

namespace lupine::apk {
namespace {

using testing::crafted_dir;
using testing::crafted_file;
using testing::crafted_package;
using testing::crafted_symlink;
using testing::test_key;

PkgInfo basic_info() {
  PkgInfo info;
  info.pkgname = "victim";
  info.pkgver = "1.0-r0";
  return info;
}

std::string good_package() {
  return crafted_package(basic_info(),
                         {crafted_dir("usr"), crafted_dir("usr/bin"),
                          crafted_file("usr/bin/tool", std::string(5000, 'a') + "tool"),
                          crafted_symlink("usr/bin/t", "tool")},
                         &test_key());
}

Keyring trusted_keyring(const TempDir& dir) {
  write_file_atomic(dir.path() / "test.rsa.pub", test_key().public_pem());
  Keyring keyring;
  keyring.add(dir.path() / "test.rsa.pub");
  return keyring;
}

// The error reading and verifying `bytes` as "pkg.apk" raises, or "" when it passes.
std::string failure(const std::string& bytes, const Keyring& keyring) {
  try {
    Package package = Package::parse(bytes, "pkg.apk");
    verify_package(package, keyring, {});
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(PackageBadInput, GoodPackagePasses) {
  TempDir dir;
  EXPECT_EQ(failure(good_package(), trusted_keyring(dir)), "");
}

TEST(PackageBadInput, TruncatedAnywhere) {
  TempDir dir;
  Keyring keyring = trusted_keyring(dir);
  std::string bytes = good_package();
  for (size_t cut : {size_t{1}, size_t{9}, size_t{100}, bytes.size() / 3, bytes.size() / 2, bytes.size() - 30,
                     bytes.size() - 1}) {
    SCOPED_TRACE(cut);
    std::string error = failure(bytes.substr(0, cut), keyring);
    EXPECT_NE(error, "");
    EXPECT_TRUE(error.starts_with("pkg.apk")) << error;
  }
}

TEST(PackageBadInput, FlippedByteInEachMember) {
  TempDir dir;
  Keyring keyring = trusted_keyring(dir);
  std::string bytes = good_package();
  auto members = read_gzip_members(bytes, "good");
  ASSERT_EQ(members.size(), 3u);
  size_t offset = 0;
  for (size_t i = 0; i < members.size(); ++i) {
    SCOPED_TRACE(i);
    // Flip a byte inside the deflate body (not the gzip header's mtime, which nothing covers).
    for (size_t position : {offset + 12, offset + members[i].compressed.size() / 2,
                            offset + members[i].compressed.size() - 5}) {
      std::string damaged = bytes;
      damaged[position] ^= 0x20;
      std::string error = failure(damaged, keyring);
      EXPECT_NE(error, "") << "flip at " << position;
      EXPECT_TRUE(error.starts_with("pkg.apk")) << error;
    }
    offset += members[i].compressed.size();
  }
}

TEST(PackageBadInput, WrongKeyIsBadOrUntrusted) {
  TempDir dir;
  std::string bytes = good_package();
  // Another key under the signing key's name: the signature does not verify.
  std::filesystem::create_directories(dir.path() / "impostor");
  write_file_atomic(dir.path() / "impostor/test.rsa.pub", RsaPrivateKey::generate(2048).public_pem());
  Keyring impostor;
  impostor.add(dir.path() / "impostor");
  EXPECT_NE(failure(bytes, impostor).find("BAD signature"), std::string::npos) << failure(bytes, impostor);
  // A keyring without that name: untrusted.
  std::filesystem::create_directories(dir.path() / "other");
  write_file_atomic(dir.path() / "other/someone.rsa.pub", RsaPrivateKey::generate(2048).public_pem());
  Keyring other;
  other.add(dir.path() / "other");
  EXPECT_NE(failure(bytes, other).find("untrusted signature: signed by test.rsa.pub"), std::string::npos);
}

TEST(PackageBadInput, GarbageFile) {
  TempDir dir;
  Keyring keyring = trusted_keyring(dir);
  EXPECT_NE(failure("this is not a package at all", keyring).find("pkg.apk: not an APK package"), std::string::npos);
  EXPECT_NE(failure("", keyring), "");
  EXPECT_NE(failure(gzip_member("not a tar archive, just text"), keyring), "");
  std::string random(4096, '\0');
  for (size_t i = 0; i < random.size(); ++i) random[i] = static_cast<char>(i * 2654435761u >> 13);
  random[0] = '\x1f';
  random[1] = '\x8b';
  EXPECT_NE(failure(random, keyring), "");
}

TEST(PackageBadInput, DataMemberTamperedButRecompressed) {
  TempDir dir;
  Keyring keyring = trusted_keyring(dir);
  std::string bytes = good_package();
  auto members = read_gzip_members(bytes, "good");
  // Replace the data member with a well-formed one holding other contents: datahash catches it.
  std::string data = testing::crafted_data_member({crafted_dir("usr"), crafted_file("usr/evil", "evil")});
  std::string tampered = std::string(members[0].compressed) + std::string(members[1].compressed) + data;
  EXPECT_NE(failure(tampered, keyring).find("datahash mismatch"), std::string::npos);
}

TEST(PackageBadInput, FileChecksumMismatch) {
  TempDir dir;
  auto file = crafted_file("usr/x", "contents");
  file.entry.checksum_sha1 = std::string(40, '0');
  std::string bytes = crafted_package(basic_info(), {crafted_dir("usr"), file}, &test_key());
  EXPECT_NE(failure(bytes, trusted_keyring(dir)).find("checksum mismatch for 'usr/x'"), std::string::npos);
}

TEST(PackageBadInput, EscapingNamesRefused) {
  TempDir dir;
  Keyring keyring = trusted_keyring(dir);
  for (std::string name : {"../x", "/abs", "usr/../../x"}) {
    SCOPED_TRACE(name);
    std::string bytes = crafted_package(basic_info(), {crafted_dir("usr"), crafted_file(name, "boom")}, &test_key());
    std::string error = failure(bytes, keyring);
    EXPECT_NE(error.find("unsafe entry '" + name + "'"), std::string::npos) << error;
  }
}

class ExtractEscape : public ::testing::Test {
 protected:
  TempDir dir;
  std::filesystem::path target() const { return dir.path() / "target"; }
  std::filesystem::path outside() const { return dir.path() / "outside"; }

  std::string extract_failure(const std::string& bytes) {
    std::filesystem::create_directories(outside());
    try {
      Package package = Package::parse(bytes, "evil.apk");
      extract_package(package, target(), {});
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }
  bool outside_untouched() const { return std::filesystem::is_empty(outside()); }
};

TEST_F(ExtractEscape, DotDotAndAbsoluteNames) {
  for (std::string name : {"../outside/x", "/abs", "a/../../outside/y"}) {
    SCOPED_TRACE(name);
    std::string error = extract_failure(crafted_package(basic_info(), {crafted_file(name, "boom")}, nullptr));
    EXPECT_NE(error.find("refusing entry"), std::string::npos) << error;
    EXPECT_TRUE(outside_untouched());
  }
}

TEST_F(ExtractEscape, FileThroughSymlinkPointingOut) {
  for (const std::string& link : std::vector<std::string>{"../outside", outside().string()}) {
    SCOPED_TRACE(link);
    std::string bytes =
        crafted_package(basic_info(), {crafted_symlink("evil", link), crafted_file("evil/pwned", "boom")}, nullptr);
    std::string error = extract_failure(bytes);
    EXPECT_NE(error.find("refusing entry 'evil/pwned'"), std::string::npos) << error;
    EXPECT_TRUE(outside_untouched());
    // Nothing was written at all: entries are checked before the first write.
    std::error_code ignored;
    EXPECT_FALSE(std::filesystem::is_symlink(target() / "evil", ignored));
  }
}

TEST_F(ExtractEscape, SymlinkAlreadyInTargetIsNotFollowed) {
  std::filesystem::create_directories(target());
  std::filesystem::create_directories(outside());
  std::filesystem::create_symlink(outside(), target() / "lib");
  std::string bytes = crafted_package(basic_info(), {crafted_file("lib/libevil.so", "boom")}, nullptr);
  std::string error = extract_failure(bytes);
  EXPECT_NE(error.find("refusing entry 'lib/libevil.so'"), std::string::npos) << error;
  EXPECT_TRUE(outside_untouched());
}

TEST_F(ExtractEscape, HardLinkOutsideRefused) {
  auto link = crafted_file("passwd", "");
  link.entry.type = TarType::hardlink;
  link.entry.link_target = "../outside/secret";
  std::string error = extract_failure(crafted_package(basic_info(), {link}, nullptr));
  EXPECT_NE(error.find("refusing hard link"), std::string::npos) << error;
}

TEST_F(ExtractEscape, SafePackageExtractsWithModesAndLinks) {
  std::string bytes = good_package();
  std::filesystem::create_directories(outside());
  Package package = Package::parse(bytes, "good.apk");
  ExtractReport report = extract_package(package, target(), {});
  EXPECT_EQ(report.entries, 4u);
  EXPECT_EQ(read_file(target() / "usr/bin/tool"), std::string(5000, 'a') + "tool");
  EXPECT_EQ(std::filesystem::read_symlink(target() / "usr/bin/t"), "tool");
  // Absolute symlinks inside a root are kept as they are (alpine-baselayout's var/run -> /run).
  std::string with_absolute = crafted_package(basic_info(), {crafted_dir("var"), crafted_symlink("var/run", "/run")}, nullptr);
  extract_package(Package::parse(with_absolute, "abs.apk"), target(), {});
  EXPECT_EQ(std::filesystem::read_symlink(target() / "var/run"), "/run");
}

}  // namespace
}  // namespace lupine::apk
