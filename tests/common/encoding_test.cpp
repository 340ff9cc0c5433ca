#include "common/encoding.h"

#include <gtest/gtest.h>

namespace lupine {

TEST(Encoding, HexRoundTrip) {
  EXPECT_EQ(hex_encode(std::string("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(hex_decode("00FF10"), std::string("\x00\xff\x10", 3));
  EXPECT_FALSE(hex_decode("abc"));
  EXPECT_FALSE(hex_decode("zz"));
}

TEST(Encoding, Base64RoundTrip) {
  for (std::string text : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    EXPECT_EQ(base64_decode(base64_encode(text)), text);
  }
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
}

TEST(Encoding, Base64AcceptsNonCanonicalTrailingBits) {
  // apk-tools' solver fixtures carry identities like this one (reference/apk.md §1.8).
  auto decoded = base64_decode("hdUpqRv5mYgJEqW52UmVsvmyysF=");
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->size(), 20u);
}

TEST(Encoding, Base64RejectsGarbage) {
  EXPECT_FALSE(base64_decode("abc"));
  EXPECT_FALSE(base64_decode("ab!d"));
  EXPECT_FALSE(base64_decode("a=bc"));
}

}  // namespace lupine
