// APKINDEX.tar.gz read/write/sign/verify, and every refusal.
#include "index/index_archive.h"

#include "apk/gzip.h"
#include "apk/tar.h"
#include "common/error.h"
#include "common/fs.h"
#include "test_packages.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lupine::index {
namespace {

using ::testing::HasSubstr;

IndexRecord record(const std::string& name, const std::string& version) {
  IndexRecord r;
  r.identity = "Q1" + std::string(26, 'A') + "A=";
  r.name = name;
  r.version = version;
  r.arch = "x86_64";
  r.file_size = 1234;
  r.installed_size = 4096;
  r.description = "package " + name;
  r.license = "MIT";
  r.depends = {"so:libc.so.6", "busybox>=1.0"};
  r.replaces = {"old-" + name};  // not written: apk index has no r:
  return r;
}

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// A hand-made index member holding `entries` (name, data) with or without end-of-archive.
std::string raw_member(const std::vector<std::pair<std::string, std::string>>& entries, bool end = true) {
  std::string tar;
  for (const auto& [name, data] : entries) {
    apk::TarEntry entry;
    entry.path = name;
    entry.size = data.size();
    tar += apk::tar_header(entry) + data + std::string(apk::tar_padding(data.size()));
  }
  if (end) tar += apk::tar_end_of_archive();
  return apk::gzip_member(tar, 6);
}

class IndexArchiveTest : public ::testing::Test {
 protected:
  TempDir dir;
  apk::Keyring keyring = test::test_keyring(dir.path() / "keys");
  apk::PackageSigner signer = test::signer_for("test");
  std::vector<IndexRecord> records{record("zlib", "1.3-r0"), record("busybox", "1.36-r2"), record("Abc", "1")};
};

TEST_F(IndexArchiveTest, RoundTripSignedWithDescription) {
  std::string bytes = make_index_archive(records, "v3.20 test repo", 1700000000, signer);
  EXPECT_EQ(bytes, make_index_archive(records, "v3.20 test repo", 1700000000, signer)) << "reproducible";
  IndexArchive index = parse_index_archive(bytes, "APKINDEX.tar.gz");
  EXPECT_EQ(index.description, "v3.20 test repo");
  ASSERT_EQ(index.records.size(), 3u);
  EXPECT_EQ(index.records[0].name, "Abc");
  EXPECT_EQ(index.records[1].name, "busybox");
  EXPECT_EQ(index.records[2].name, "zlib");
  EXPECT_EQ(index.records[2].depends, records[0].depends);
  EXPECT_TRUE(index.records[2].replaces.empty());
  ASSERT_EQ(index.signatures.size(), 1u);
  EXPECT_EQ(index.signatures[0].entry_name, ".SIGN.RSA256.test.rsa.pub");
  EXPECT_EQ(verify_index_signature(index, keyring, false).status, apk::SignatureStatus::verified);
  EXPECT_TRUE(is_index_archive(bytes));

  // Layout: DESCRIPTION then APKINDEX, 0644, root, the given mtime, end-of-archive.
  auto members = apk::read_gzip_members(bytes, "x");
  ASSERT_EQ(members.size(), 2u);
  auto tar = apk::parse_tar(members[1].content, "x");
  ASSERT_EQ(tar.items.size(), 2u);
  EXPECT_EQ(tar.items[0].entry.path, "DESCRIPTION");
  EXPECT_EQ(tar.items[1].entry.path, "APKINDEX");
  EXPECT_EQ(tar.items[1].entry.mode, 0644u);
  EXPECT_EQ(tar.items[1].entry.uname, "root");
  EXPECT_EQ(tar.items[1].entry.mtime, 1700000000);
  EXPECT_TRUE(tar.end_of_archive);
  EXPECT_EQ(index.index_member, std::string(members[1].compressed));
}

TEST_F(IndexArchiveTest, UnsignedWithoutDescription) {
  std::string bytes = make_index_archive(records, "", 0, {});
  IndexArchive index = parse_index_archive(bytes, "idx");
  EXPECT_TRUE(index.signatures.empty());
  EXPECT_EQ(index.description, "");
  EXPECT_EQ(apk::read_gzip_members(bytes, "x").size(), 1u);
  EXPECT_EQ(error_of([&] { verify_index_signature(index, keyring, false); }),
            "idx: unsigned index (no .SIGN.* entry) and untrusted indexes are not allowed");
  EXPECT_EQ(verify_index_signature(index, keyring, true).status, apk::SignatureStatus::unsigned_);
}

TEST_F(IndexArchiveTest, SortsLikeApkTools) {
  std::vector<IndexRecord> input{record("b", "1"), record("a", "10"), record("B", "1"), record("a", "9"),
                                 record("a", "1.0_rc1")};
  auto index = parse_index_archive(make_index_archive(input, "", 0, {}), "x");
  std::vector<std::string> order;
  for (const auto& r : index.records) order.push_back(r.name + "-" + r.version);
  EXPECT_EQ(order, (std::vector<std::string>{"a-1.0_rc1", "a-9", "a-10", "B-1", "b-1"}));
}

TEST_F(IndexArchiveTest, UnknownFields) {
  // Unknown upper-case: uninstallable (apk-tools' "This apk-tools is OLD!"); lower-case: ignored.
  std::string text = "C:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=\nP:new\nV:1\nS:1\nI:1\nT:\nU:\nL:\nZ:future\n\n"
                     "C:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=\nP:fine\nV:1\nS:1\nI:1\nT:\nU:\nL:\nz:lower\n\n";
  auto index = parse_index_archive(raw_member({{"APKINDEX", text}}), "x");
  ASSERT_EQ(index.records.size(), 2u);
  EXPECT_TRUE(index.records[0].uninstallable);
  EXPECT_FALSE(index.records[1].uninstallable);
  EXPECT_EQ(index.records[1].unknown, (std::vector<std::pair<char, std::string>>{{'z', "lower"}}));
  // apko's order (APKINDEX then DESCRIPTION) is read too.
  auto apko = parse_index_archive(raw_member({{"APKINDEX", text}, {"DESCRIPTION", "d"}}), "x");
  EXPECT_EQ(apko.description, "d");
}

TEST_F(IndexArchiveTest, RefusesMalformedArchives) {
  const std::string text = "C:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=\nP:a\nV:1\n\n";
  EXPECT_EQ(error_of([&] { parse_index_archive("hello", "f"); }),
            "f: not an APKINDEX.tar.gz (no gzip data at the start)");
  EXPECT_THAT(error_of([&] { parse_index_archive(raw_member({{"APKINDEX", text}, {"evil.sh", "x"}}), "f"); }),
              HasSubstr("f: unexpected entry 'evil.sh' in the index member"));
  EXPECT_THAT(error_of([&] { parse_index_archive(raw_member({{"DESCRIPTION", "x"}}), "f"); }),
              HasSubstr("no APKINDEX entry"));
  EXPECT_THAT(error_of([&] { parse_index_archive(raw_member({{"APKINDEX", text}, {"APKINDEX", text}}), "f"); }),
              HasSubstr("two APKINDEX entries"));
  EXPECT_THAT(error_of([&] { parse_index_archive(raw_member({{"APKINDEX", text}}, false), "f"); }),
              HasSubstr("does not end with end-of-archive"));
  EXPECT_THAT(error_of([&] { parse_index_archive(raw_member({{"APKINDEX", text}}) + raw_member({}), "f"); }),
              HasSubstr("1 gzip member(s) after the index member"));
  std::string long_description(161, 'd');
  EXPECT_THAT(error_of([&] { parse_index_archive(raw_member({{"DESCRIPTION", long_description}, {"APKINDEX", text}}), "f"); }),
              HasSubstr("DESCRIPTION is 161 bytes, at most 160"));
  EXPECT_THAT(error_of([&] { make_index_archive(records, long_description, 0, {}); }), HasSubstr("at most 160"));
  EXPECT_THAT(error_of([&] { parse_index_archive(raw_member({{"APKINDEX", "P:no-checksum\nV:1\n\n"}}), "f"); }),
              HasSubstr("f:APKINDEX:1: package no-checksum has no C:"));
  // A signature member must hold only .SIGN.* entries.
  std::string bad_signature = raw_member({{".SIGN.RSA256.test.rsa.pub", "sig"}, {"other", "x"}}, false);
  EXPECT_THAT(error_of([&] { parse_index_archive(bad_signature + raw_member({{"APKINDEX", text}}), "f"); }),
              HasSubstr("signature member #1 holds 'other'"));
  EXPECT_FALSE(is_index_archive("garbage"));
  EXPECT_FALSE(is_index_archive(raw_member({{".PKGINFO", "pkgname = a\n"}}, false)));
}

TEST_F(IndexArchiveTest, RefusesFlippedBytesInEitherMember) {
  std::string bytes = make_index_archive(records, "", 0, signer);
  auto members = apk::read_gzip_members(bytes, "x");
  size_t signature_size = members[0].compressed.size();
  // A byte in the deflate data of the signature member, then of the index member: gzip's CRC.
  std::string flipped = bytes;
  flipped[signature_size / 2] ^= 0x01;
  EXPECT_THAT(error_of([&] { parse_index_archive(flipped, "f"); }), HasSubstr("member #1"));
  flipped = bytes;
  flipped[signature_size + members[1].compressed.size() / 2] ^= 0x01;
  EXPECT_THAT(error_of([&] { parse_index_archive(flipped, "f"); }), HasSubstr("member #2"));
  // The index member's gzip header OS byte: still valid gzip, but no longer what was signed.
  flipped = bytes;
  flipped[signature_size + 9] ^= 0x01;
  IndexArchive index = parse_index_archive(flipped, "f");
  EXPECT_EQ(error_of([&] { verify_index_signature(index, keyring, true); }),
            "f: BAD signature: test.rsa.pub does not verify the index (corrupt or tampered)");
}

TEST_F(IndexArchiveTest, RefusesUnknownKeyAndWrongKey) {
  std::string bytes = make_index_archive(records, "", 0, test::signer_for("stranger", test::other_test_key()));
  IndexArchive index = parse_index_archive(bytes, "f");
  EXPECT_EQ(error_of([&] { verify_index_signature(index, keyring, false); }),
            "f: UNTRUSTED signature: signed by stranger.rsa.pub, none of which is in the keyring");
  EXPECT_EQ(verify_index_signature(index, keyring, true).status, apk::SignatureStatus::untrusted);
  // Signed by another key under the trusted key's name: BAD, even with allow_untrusted.
  IndexArchive forged = parse_index_archive(
      make_index_archive(records, "", 0, test::signer_for("test", test::other_test_key())), "f");
  EXPECT_THAT(error_of([&] { verify_index_signature(forged, keyring, true); }), HasSubstr("f: BAD signature"));
}

TEST_F(IndexArchiveTest, SeveralSignaturesAnyTrustedOneSuffices) {
  std::string member = make_index_member(records, "", 0);
  // Two signature members over the same index member (the fixtures have several in one member).
  std::string twice = apk::make_signature_member(test::other_test_key(), "second.rsa.pub", HashAlgorithm::sha256,
                                                 member, 0) +
                      sign_index_member(member, signer, 0);
  IndexArchive index = parse_index_archive(twice, "f");
  ASSERT_EQ(index.signatures.size(), 2u);
  EXPECT_EQ(index.signatures[0].key_name, "second.rsa.pub");
  test::write_key_pair(dir.path() / "second", "second", test::other_test_key());
  apk::Keyring only_second;
  only_second.add(dir.path() / "second/second.rsa.pub");
  EXPECT_EQ(verify_index_signature(index, only_second, false).key_name, "second.rsa.pub");
  EXPECT_EQ(verify_index_signature(index, keyring, false).key_name, "test.rsa.pub");
  // A trusted key that does not verify (a stale key of the same name) does not veto a good one.
  test::write_key_pair(dir.path() / "stale", "second", test::test_key());
  apk::Keyring stale_first;
  stale_first.add(dir.path() / "stale/second.rsa.pub");
  stale_first.add(dir.path() / "keys/test.rsa.pub");
  EXPECT_EQ(verify_index_signature(index, stale_first, false).key_name, "test.rsa.pub");
}

TEST_F(IndexArchiveTest, ResignReplacesEverySignature) {
  std::string bytes = make_index_archive(records, "desc", 0, test::signer_for("old", test::other_test_key()));
  std::string resigned = resign_index_archive(bytes, "f", signer, 0);
  IndexArchive before = parse_index_archive(bytes, "f"), after = parse_index_archive(resigned, "f");
  ASSERT_EQ(after.signatures.size(), 1u);
  EXPECT_EQ(after.signatures[0].key_name, "test.rsa.pub");
  EXPECT_EQ(after.index_member, before.index_member);
  EXPECT_EQ(verify_index_signature(after, keyring, false).status, apk::SignatureStatus::verified);
  EXPECT_THROW(resign_index_archive("garbage", "f", signer, 0), Error);
}

}  // namespace
}  // namespace lupine::index
