#include "common/rsa.h"

#include "common/error.h"

#include <gtest/gtest.h>

namespace lupine {

TEST(Rsa, SignVerifyRoundTrip) {
  auto key = RsaPrivateKey::generate(2048);
  EXPECT_EQ(key.bits(), 2048);
  auto signature = key.sign(HashAlgorithm::sha256, "message");
  EXPECT_EQ(signature.size(), 256u);
  auto pub = key.public_key();
  EXPECT_TRUE(pub.verify(HashAlgorithm::sha256, "message", signature));
  EXPECT_FALSE(pub.verify(HashAlgorithm::sha256, "messagf", signature));
  EXPECT_FALSE(pub.verify(HashAlgorithm::sha1, "message", signature));
  signature[10] ^= 1;
  EXPECT_FALSE(pub.verify(HashAlgorithm::sha256, "message", signature));
}

TEST(Rsa, PemRoundTripUsesPkcs1ForPrivateKeys) {
  auto key = RsaPrivateKey::generate(2048);
  auto pem = key.to_pem();
  EXPECT_NE(pem.find("-----BEGIN RSA PRIVATE KEY-----"), std::string::npos);
  auto again = RsaPrivateKey::from_pem(pem, "test");
  EXPECT_EQ(again.public_pem(), key.public_pem());
  EXPECT_NE(key.public_pem().find("-----BEGIN PUBLIC KEY-----"), std::string::npos);
  auto signature = again.sign(HashAlgorithm::sha1, "x");
  EXPECT_TRUE(RsaPublicKey::from_pem(key.public_pem(), "pub").verify(HashAlgorithm::sha1, "x", signature));
}

TEST(Rsa, RejectsGarbageAndSmallKeys) {
  EXPECT_THROW(RsaPublicKey::from_pem("not a key", "k.rsa.pub"), Error);
  EXPECT_THROW(RsaPrivateKey::from_pem("not a key", "k.rsa"), Error);
  EXPECT_THROW(RsaPrivateKey::generate(1024), Error);
  try {
    RsaPublicKey::from_pem("garbage", "some/key.rsa.pub");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("some/key.rsa.pub"), std::string::npos);
  }
}

}  // namespace lupine
