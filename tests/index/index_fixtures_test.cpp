// Conformance: indexes made by apk-tools/abuild (Alpine), melange and apko (../shared/fixtures/apk).
#include "apk/gzip.h"
#include "apk/tar.h"
#include "common/error.h"
#include "common/fs.h"
#include "index/index_archive.h"
#include "index/index_builder.h"
#include "support/fixtures.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace lupine::index {
namespace {

apk::Keyring keyring_of(const std::filesystem::path& path) {
  apk::Keyring keyring;
  keyring.add(path);
  return keyring;
}

// The APKINDEX text of an index file, as stored.
std::string apkindex_text(const std::string& bytes) {
  auto members = apk::read_gzip_members(bytes, "x");
  auto tar = apk::parse_tar(members.back().content, "x");
  for (const auto& item : tar.items)
    if (item.entry.path == "APKINDEX") return std::string(item.data);
  return "";
}

std::vector<std::string> stanzas(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t end; (end = text.find("\n\n", start)) != std::string::npos; start = end + 2)
    out.push_back(text.substr(start, end + 2 - start));
  return out;
}

TEST(IndexFixtures, EveryIndexParses) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  size_t count = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(fixtures / "apk")) {
    if (entry.path().filename() != "APKINDEX.tar.gz") continue;
    SCOPED_TRACE(entry.path().string());
    IndexArchive index = read_index_archive(entry.path());
    EXPECT_FALSE(index.records.empty());
    EXPECT_FALSE(index.signatures.empty());
    ++count;
  }
  EXPECT_GE(count, 5u);
}

TEST(IndexFixtures, Alpine316MainAtScale) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  auto path = fixtures / "apk/apko-apk/alpine-316/APKINDEX.tar.gz";
  std::string bytes = read_file(path);
  IndexArchive index = parse_index_archive(bytes, path.string());
  ASSERT_EQ(index.records.size(), 4929u);
  EXPECT_EQ(index.description, "v3.16.3-13-g4d933a1fa3");
  ASSERT_EQ(index.signatures.size(), 1u);
  EXPECT_EQ(index.signatures[0].entry_name, ".SIGN.RSA.alpine-devel@lists.alpinelinux.org-6165ee59.rsa.pub");
  // Its key is not shipped: UNTRUSTED (never BAD) without it.
  EXPECT_THROW(verify_index_signature(index, keyring_of(path.parent_path() / "alpine-devel@lists.alpinelinux.org-4a6a0840.rsa.pub"), false),
               Error);
  EXPECT_EQ(verify_index_signature(index, apk::Keyring(), true).status, apk::SignatureStatus::untrusted);
  size_t uninstallable = 0, with_provides = 0;
  for (const auto& record : index.records) {
    uninstallable += record.uninstallable;
    with_provides += !record.provides.empty();
  }
  EXPECT_EQ(uninstallable, 0u);
  EXPECT_EQ(with_provides, 2024u);
  // apk-tools 2 wrote it (in hash order): lupine's writer gives back the same stanzas, byte for byte.
  auto original = stanzas(apkindex_text(bytes));
  auto rewritten = stanzas(apkindex_text(make_index_member(index.records, index.description, 0)));
  ASSERT_EQ(original.size(), rewritten.size());
  std::sort(original.begin(), original.end());
  std::sort(rewritten.begin(), rewritten.end());
  for (size_t i = 0; i < original.size(); ++i) ASSERT_EQ(original[i], rewritten[i]);
}

TEST(IndexFixtures, WolfiIndexWithThreeSignatures) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  auto dir = fixtures / "apk/apko-apk/signing";
  IndexArchive index = read_index_archive(dir / "APKINDEX.tar.gz");
  ASSERT_EQ(index.signatures.size(), 3u);
  EXPECT_EQ(verify_index_signature(index, keyring_of(dir / "keys"), false).status, apk::SignatureStatus::verified);
  // Each key on its own is enough.
  std::set<std::string> verified_by;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "keys")) {
    auto check = verify_index_signature(index, keyring_of(entry.path()), false);
    EXPECT_EQ(check.status, apk::SignatureStatus::verified) << entry.path();
    verified_by.insert(check.key_name);
  }
  EXPECT_EQ(verified_by.size(), 3u);
  EXPECT_THROW(verify_index_signature(index, apk::Keyring(), false), Error);
}

TEST(IndexFixtures, Rsa256SignedIndex) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  auto dir = fixtures / "apk/apko-apk/rsa256-signed";
  IndexArchive index = read_index_archive(dir / "APKINDEX.tar.gz");
  auto check = verify_index_signature(index, keyring_of(dir / "test-rsa256.rsa.pub"), false);
  EXPECT_EQ(check.status, apk::SignatureStatus::verified);
  EXPECT_EQ(check.key_name, "test-rsa256.rsa.pub");
  ASSERT_EQ(index.records.size(), 1u);
  EXPECT_EQ(index.records[0].identity, "Q1LLq2qDNrS/qRnhxQ3hsY/sHbQnc=");
}

TEST(IndexFixtures, Sha1SignedPrivateRepository) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  auto dir = fixtures / "apk/apko-cli/private_packages";
  for (const char* arch : {"x86_64", "aarch64"}) {
    IndexArchive index = read_index_archive(dir / "packages" / arch / "APKINDEX.tar.gz");
    EXPECT_EQ(index.signatures.at(0).algorithm, "RSA");
    EXPECT_EQ(verify_index_signature(index, keyring_of(dir / "private_pkg_key.rsa.pub"), false).status,
              apk::SignatureStatus::verified);
  }
}

// melange's index of the packages beside it: lupine computes the same records from the .apk files.
TEST(IndexFixtures, MelangeIndexMatchesLupineRecords) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  auto keys = keyring_of(fixtures / "apk/apko-cli/packages/melange.rsa.pub");
  for (const char* arch : {"x86_64", "aarch64"}) {
    SCOPED_TRACE(arch);
    auto dir = fixtures / "apk/apko-cli/packages" / arch;
    IndexArchive index = read_index_archive(dir / "APKINDEX.tar.gz");
    EXPECT_EQ(verify_index_signature(index, keys, false).status, apk::SignatureStatus::verified);
    size_t matched = 0;
    for (const auto& melange : index.records) {
      SCOPED_TRACE(melange.name);
      IndexRecord lupine = index_package_file(dir / package_file_name(melange), keys, false);
      EXPECT_EQ(lupine.identity, melange.identity);
      EXPECT_EQ(lupine.name, melange.name);
      EXPECT_EQ(lupine.version, melange.version);
      EXPECT_EQ(lupine.arch, melange.arch);
      EXPECT_EQ(lupine.file_size, melange.file_size);
      EXPECT_EQ(lupine.installed_size, melange.installed_size);
      EXPECT_EQ(lupine.description, melange.description);
      EXPECT_EQ(lupine.url, melange.url);
      EXPECT_EQ(lupine.license, melange.license);
      EXPECT_EQ(lupine.origin, melange.origin);
      EXPECT_EQ(lupine.maintainer, melange.maintainer);
      EXPECT_EQ(lupine.build_time, melange.build_time);
      EXPECT_EQ(lupine.commit, melange.commit);
      EXPECT_EQ(lupine.provider_priority, melange.provider_priority);
      EXPECT_EQ(lupine.depends, melange.depends);
      EXPECT_EQ(lupine.provides, melange.provides);
      EXPECT_EQ(lupine.install_if, melange.install_if);
      ++matched;
    }
    EXPECT_EQ(matched, 4u);
  }
}

}  // namespace
}  // namespace lupine::index
