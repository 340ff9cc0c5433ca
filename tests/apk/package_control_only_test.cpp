// Package::parse with inflate_data = false (what `lupine index` reads): everything up to the control
// member as a full read gives it, the data member kept compressed, and still checked by datahash.
#include "apk/gzip.h"
#include "apk/package.h"
#include "common/error.h"
#include "common/fs.h"
#include "crafted_package.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lupine::apk {
namespace {

using ::testing::HasSubstr;
using testing::crafted_dir;
using testing::crafted_file;
using testing::crafted_package;
using testing::test_key;

std::string package_bytes() {
  PkgInfo info;
  info.pkgname = "subject";
  info.pkgver = "2.1-r3";
  info.depends = {"so:libc.so.6"};
  return crafted_package(info,
                         {crafted_dir("usr"), crafted_dir("usr/share"),
                          crafted_file("usr/share/big", std::string(200000, 'z') + "end")},
                         &test_key());
}

PackageReadOptions control_only() {
  PackageReadOptions options;
  options.inflate_data = false;
  return options;
}

Keyring trusted_keyring(const TempDir& dir) {
  write_file_atomic(dir.path() / "test.rsa.pub", test_key().public_pem());
  Keyring keyring;
  keyring.add(dir.path() / "test.rsa.pub");
  return keyring;
}

// Where the data member starts in a package's bytes.
size_t data_offset(const std::string& bytes) {
  Package full = Package::parse(bytes, "full.apk");
  return static_cast<size_t>(full.data_member().data() - full.bytes().data());
}

TEST(PackageControlOnly, SameAsAFullReadUpToTheData) {
  const std::string bytes = package_bytes();
  Package full = Package::parse(bytes, "p.apk");
  Package light = Package::parse(bytes, "p.apk", control_only());
  EXPECT_TRUE(full.data_inflated());
  EXPECT_FALSE(light.data_inflated());
  EXPECT_EQ(light.identity(), full.identity());
  EXPECT_EQ(light.info().pkgname, "subject");
  EXPECT_EQ(light.info().datahash, full.info().datahash);
  EXPECT_EQ(light.info().depends, full.info().depends);
  EXPECT_EQ(light.signatures().size(), full.signatures().size());
  EXPECT_EQ(light.member_count(), full.member_count());
  EXPECT_EQ(light.data_member(), full.data_member());
  EXPECT_EQ(light.signed_bytes(), full.signed_bytes());
  EXPECT_TRUE(light.data_entries().empty());
  EXPECT_FALSE(full.data_entries().empty());

  TempDir dir;
  Keyring keyring = trusted_keyring(dir);
  EXPECT_EQ(verify_package(light, keyring, {}).signature.status, SignatureStatus::verified);
  EXPECT_EQ(verify_package(light, keyring, {}).files_checked, 0u);
  EXPECT_EQ(verify_package(full, keyring, {}).files_checked, 1u);
}

TEST(PackageControlOnly, CorruptDataIsNotInflatedButFailsTheDatahash) {
  std::string bytes = package_bytes();
  const size_t data = data_offset(bytes);
  bytes[data + (bytes.size() - data) / 2] ^= 0x55;
  EXPECT_THROW(Package::parse(bytes, "bad.apk"), Error);  // a full read inflates and notices

  Package light = Package::parse(bytes, "bad.apk", control_only());  // not inflated: no error yet
  TempDir dir;
  try {
    verify_package(light, trusted_keyring(dir), {});
    FAIL() << "a corrupt data member passed";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("bad.apk: datahash mismatch"));
  }
}

TEST(PackageControlOnly, DataThatIsNotGzipIsRefused) {
  std::string bytes = package_bytes();
  bytes.resize(data_offset(bytes));
  bytes += "not a gzip member";
  EXPECT_THAT([&] { Package::parse(bytes, "junk.apk", control_only()); },
              ::testing::ThrowsMessage<Error>(HasSubstr("junk.apk: trailing garbage after gzip member")));
}

TEST(PackageControlOnly, ControlWithoutDataAndDamagedControl) {
  std::string bytes = package_bytes();
  const size_t data = data_offset(bytes);
  // No data member at all, though .PKGINFO has a datahash.
  EXPECT_THAT([&] { Package::parse(bytes.substr(0, data), "nodata.apk", control_only()); },
              ::testing::ThrowsMessage<Error>(HasSubstr("has a datahash but the package has no data member")));
  // A damaged control member is still inflated, and refused.
  std::string damaged = bytes;
  damaged[data - 12] ^= 0x55;
  EXPECT_THROW(Package::parse(damaged, "damaged.apk", control_only()), Error);
}

}  // namespace
}  // namespace lupine::apk
