#include "common/hash.h"

#include "common/encoding.h"

#include <gtest/gtest.h>

namespace lupine {

TEST(Hash, KnownVectors) {
  EXPECT_EQ(sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex_encode(digest(HashAlgorithm::sha512, "abc")).substr(0, 16), "ddaf35a193617aba");
}

TEST(Hash, IncrementalEqualsOneShot) {
  Hasher hasher(HashAlgorithm::sha256);
  hasher.update("hello ");
  hasher.update("world");
  EXPECT_EQ(hasher.finish(), sha256("hello world"));
}

TEST(Hash, SymlinkChecksumAsApkTools) {
  // alpine-baselayout's var/run -> /run carries sha1("/run") (reference/apk.md §1.4).
  EXPECT_EQ(sha1_hex("/run"), "d7f48d673ffc70ad9d48a2be709a55ad922e1784");
}

}  // namespace lupine
