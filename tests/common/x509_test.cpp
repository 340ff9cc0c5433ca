// One PEM certificate, as apko's certificates.additional entries: accepted alone, refused when
// missing, doubled, of another type or not a certificate.
#include "common/x509.h"

#include "common/error.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/process.h"
#include "support/nginx.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lupine {
namespace {

using ::testing::HasSubstr;

class X509Test : public ::testing::Test {
 protected:
  void SetUp() override {
    lupine::testing::write_self_signed_certificate(dir_.path() / "cert.pem", dir_.path() / "key.pem");
    pem_ = read_file(dir_.path() / "cert.pem");
  }
  std::string error_of(const std::string& text) {
    try {
      parse_pem_certificate(text, "test-ca");
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  }
  TempDir dir_{"lupine-x509"};
  std::string pem_;
};

TEST_F(X509Test, OneCertificateWithTextAroundIt) {
  PemCertificate certificate = parse_pem_certificate("a comment\n" + pem_ + "trailing text\n", "test-ca");
  EXPECT_EQ(certificate.pem, pem_);  // OpenSSL wrote it: the same 64-column encoding
  // The fingerprint is over the DER bytes, as `openssl x509 -outform DER | sha256sum` gives it.
  ProcessOptions der;
  der.argv = {"openssl", "x509", "-in", (dir_.path() / "cert.pem").string(), "-outform", "DER"};
  auto converted = run_process(der);
  ASSERT_TRUE(converted.success()) << converted.err;
  EXPECT_EQ(certificate.sha256_hex, sha256_hex(converted.out));
}

TEST_F(X509Test, RefusesNoneTwoOtherBlocksAndGarbage) {
  EXPECT_EQ(error_of("just text\n"), "test-ca: no PEM certificate found");
  EXPECT_EQ(error_of(pem_ + pem_), "test-ca: more than one certificate; one is allowed");
  std::string key = read_file(dir_.path() / "key.pem");
  EXPECT_THAT(error_of(key), HasSubstr("test-ca: expected a CERTIFICATE block, found "));
  EXPECT_EQ(error_of("-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n"),
            "test-ca: the CERTIFICATE block is not a valid X.509 certificate");
}

}  // namespace
}  // namespace lupine
