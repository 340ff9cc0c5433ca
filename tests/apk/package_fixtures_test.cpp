// Packages made by melange, abuild and apko's test suite: lupine reads and verifies them.
#include "apk/package.h"

#include "common/error.h"
#include "support/fixtures.h"

#include <gtest/gtest.h>

namespace lupine::apk {
namespace {

std::vector<std::filesystem::path> apks_in(const std::filesystem::path& directory) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(directory))
    if (entry.path().extension() == ".apk") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

Keyring keyring_of(const std::filesystem::path& key) {
  Keyring keyring;
  keyring.add(key);
  return keyring;
}

std::string verify_error(const Package& package, const Keyring& keyring) {
  try {
    verify_package(package, keyring, {});
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(PackageFixtures, MelangePackagesVerifyWithMelangeKey) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  Keyring keyring = keyring_of(fixtures / "apk/apko-cli/packages/melange.rsa.pub");
  auto files = apks_in(fixtures / "apk/apko-cli/packages");
  ASSERT_EQ(files.size(), 8u);
  for (const auto& file : files) {
    SCOPED_TRACE(file.string());
    Package package = Package::read(file);
    EXPECT_EQ(package.member_count(), 3u);
    ASSERT_EQ(package.signatures().size(), 1u);
    EXPECT_EQ(package.signatures()[0].algorithm, "RSA256");
    EXPECT_EQ(package.signatures()[0].key_name, "melange.rsa.pub");
    VerifyReport report = verify_package(package, keyring, {});
    EXPECT_EQ(report.signature.status, SignatureStatus::verified);
    EXPECT_GT(report.files_checked, 0u);
  }
}

TEST(PackageFixtures, IdentityMatchesTheIndex) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  // reference/apk.md §1.8: custom-ca-certs-1's C: in the index beside it.
  Package package = Package::read(fixtures / "apk/apko-cli/packages/x86_64/custom-ca-certs-1-1.0.0-r0.apk");
  EXPECT_EQ(package.identity(), "Q1L7EnY9Q9b23ejRHAmb0g09QaLEo=");
  EXPECT_EQ(package.bytes().size(), 6998u);
}

TEST(PackageFixtures, Sha1SignedPrivatePackagesVerify) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  Keyring keyring = keyring_of(fixtures / "apk/apko-cli/private_packages/private_pkg_key.rsa.pub");
  auto files = apks_in(fixtures / "apk/apko-cli/private_packages/packages");
  ASSERT_EQ(files.size(), 4u);
  for (const auto& file : files) {
    SCOPED_TRACE(file.string());
    Package package = Package::read(file);
    ASSERT_EQ(package.signatures().size(), 1u);
    EXPECT_EQ(package.signatures()[0].algorithm, "RSA");
    EXPECT_EQ(verify_package(package, keyring, {}).signature.status, SignatureStatus::verified);
  }
}

TEST(PackageFixtures, WolfiSignedPackagesAreUntrustedWithoutTheirKey) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  Keyring keyring = keyring_of(fixtures / "apk/apko-cli/packages/melange.rsa.pub");
  auto files = apks_in(fixtures / "apk/melange");
  ASSERT_EQ(files.size(), 3u);
  for (const auto& file : files) {
    SCOPED_TRACE(file.string());
    Package package = Package::read(file);
    std::string error = verify_error(package, keyring);
    EXPECT_NE(error.find("untrusted signature"), std::string::npos) << error;
    EXPECT_NE(error.find(file.string()), std::string::npos) << error;
    VerifyOptions allow;
    allow.allow_untrusted = true;
    VerifyReport report = verify_package(package, keyring, allow);
    EXPECT_EQ(report.signature.status, SignatureStatus::untrusted);
    EXPECT_FALSE(package.info().pkgname.empty());
  }
}

TEST(PackageFixtures, AbuildPackageWithScriptsReads) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  Package package = Package::read(fixtures / "apk/apko-apk/alpine-316/alpine-baselayout-3.2.0-r23.apk");
  EXPECT_EQ(package.info().pkgname, "alpine-baselayout");
  EXPECT_EQ(package.identity(), "Q1LLq2qDNrS/qRnhxQ3hsY/sHbQnc=");
  EXPECT_EQ(package.signatures()[0].key_name, "alpine-devel@lists.alpinelinux.org-616ae350.rsa.pub");
  EXPECT_EQ(package.scripts().size(), 4u);
  VerifyOptions allow;
  allow.allow_untrusted = true;
  VerifyReport report = verify_package(package, Keyring(), allow);
  EXPECT_GT(report.files_checked, 10u);
  bool found_run = false;
  for (const auto& item : package.data_entries())
    if (item.entry.path == "var/run") found_run = item.entry.link_target == "/run";
  EXPECT_TRUE(found_run);
}

TEST(PackageFixtures, UnsignedPackagesNeedAllowUntrusted) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  for (auto name : {"hello-0.1.0-r0.apk", "replaces/replaces-0.0.1-r0.apk"}) {
    Package package = Package::read(fixtures / "apk/apko-apk" / name);
    EXPECT_EQ(package.member_count(), 2u);
    EXPECT_NE(verify_error(package, Keyring()).find("unsigned package"), std::string::npos);
    VerifyOptions allow;
    allow.allow_untrusted = true;
    EXPECT_EQ(verify_package(package, Keyring(), allow).signature.status, SignatureStatus::unsigned_);
  }
  Package replaces = Package::read(fixtures / "apk/apko-apk/replaces/replaces-0.0.1-r0.apk");
  EXPECT_FALSE(replaces.info().replaces.empty());
}

TEST(PackageFixtures, TheRsa256IndexFixturesPackageIsAlpineSigned) {
  // apko's rsa256-signed fixture: the index is signed .SIGN.RSA256. by its test key, the package
  // inside it keeps Alpine's own SHA-1 signature (the index fixtures test checks the former).
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  Package package = Package::read(fixtures / "apk/apko-apk/rsa256-signed/alpine-baselayout-3.2.0-r23.apk");
  ASSERT_EQ(package.signatures().size(), 1u);
  EXPECT_EQ(package.signatures()[0].algorithm, "RSA");
  EXPECT_EQ(package.signatures()[0].key_name, "alpine-devel@lists.alpinelinux.org-616ae350.rsa.pub");
  EXPECT_EQ(package.info().pkgname, "alpine-baselayout");
}

TEST(PackageFixtures, EveryFixturePackageParses) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  auto files = apks_in(fixtures / "apk");
  EXPECT_GE(files.size(), 18u);
  for (const auto& file : files) {
    SCOPED_TRACE(file.string());
    Package package = Package::read(file);
    VerifyOptions allow;
    allow.allow_untrusted = true;
    EXPECT_NO_THROW(verify_package(package, Keyring(), allow));
  }
}

}  // namespace
}  // namespace lupine::apk
