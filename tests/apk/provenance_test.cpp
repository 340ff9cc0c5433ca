#include "apk/provenance.h"

#include "apk/dsse.h"
#include "common/encoding.h"
#include "common/error.h"
#include "common/fs.h"
#include "support/error_of.h"
#include "common/hash.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace lupine::apk {
namespace {

using ::testing::HasSubstr;

using testing::error_of;

std::string statement_for(const std::string& name, const std::string& bytes) {
  nlohmann::json statement{{"_type", kStatementType},
                           {"subject", {{{"name", name}, {"digest", {{"sha256", sha256_hex(bytes)}}}}}},
                           {"predicateType", kSlsaProvenanceType},
                           {"predicate", {{"runDetails", {{"builder", {{"id", "https://example.org/b"}}}}}}}};
  return statement.dump();
}

class Provenance : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file_atomic(dir_.path() / "repo.rsa.pub", key_.public_pem());
    keyring_.add(dir_.path() / "repo.rsa.pub");
  }
  std::string envelope(const std::string& statement, const RsaPrivateKey& key, const std::string& name = "repo.rsa.pub") {
    return make_dsse_envelope(kInTotoPayloadType, statement, key, name);
  }
  TempDir dir_;
  RsaPrivateKey key_ = RsaPrivateKey::generate(2048);
  RsaPrivateKey other_ = RsaPrivateKey::generate(2048);
  Keyring keyring_;
  std::string package_ = "the package's bytes";
};

// The DSSE spec's own example: PAE("http://example.com/HelloWorld", "hello world").
TEST(Dsse, PreAuthenticationEncodingAsTheSpecGivesIt) {
  EXPECT_EQ(dsse_pae("http://example.com/HelloWorld", "hello world"),
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
}

TEST_F(Provenance, AGoodEnvelopeVerifies) {
  std::string text = envelope(statement_for("p-1.0-r0.apk", package_), key_);
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);  // one line: .intoto.jsonl
  ProvenanceCheck check = verify_provenance(text, package_, "p-1.0-r0.apk", keyring_, "p.intoto.jsonl");
  EXPECT_EQ(check.key_name, "repo.rsa.pub");
  EXPECT_EQ(check.builder_id, "https://example.org/b");
  EXPECT_EQ(provenance_path("/r/x86_64/p-1.0-r0.apk"), "/r/x86_64/p-1.0-r0.apk.intoto.jsonl");
}

TEST_F(Provenance, AFlippedByteInThePayloadIsABadSignature) {
  std::string text = envelope(statement_for("p-1.0-r0.apk", package_), key_);
  nlohmann::json parsed = nlohmann::json::parse(text);
  std::string payload = *base64_decode(parsed["payload"].get<std::string>());
  payload[payload.find("sha256")] ^= 0x20;
  parsed["payload"] = base64_encode(payload);
  EXPECT_THAT(error_of([&] { verify_provenance(parsed.dump(), package_, "p-1.0-r0.apk", keyring_, "p.jsonl"); }),
              HasSubstr("p.jsonl: BAD signature by repo.rsa.pub"));
}

TEST_F(Provenance, AnotherSubjectDigestIsRefused) {
  std::string text = envelope(statement_for("p-1.0-r0.apk", "other bytes"), key_);
  EXPECT_THAT(error_of([&] { verify_provenance(text, package_, "p-1.0-r0.apk", keyring_, "p.jsonl"); }),
              HasSubstr("is the provenance of other bytes (sha256 " + sha256_hex("other bytes") +
                        "), not of this package (sha256 " + sha256_hex(package_) + ")"));
  EXPECT_THAT(error_of([&] { verify_provenance(text, package_, "q-1.0-r0.apk", keyring_, "p.jsonl"); }),
              HasSubstr("no subject of the statement is q-1.0-r0.apk"));
}

TEST_F(Provenance, ASignatureByAnotherKeyIsRefused) {
  // Another key under the trusted key's name: the signature does not verify.
  std::string forged = envelope(statement_for("p-1.0-r0.apk", package_), other_);
  EXPECT_THAT(error_of([&] { verify_provenance(forged, package_, "p-1.0-r0.apk", keyring_, "p.jsonl"); }),
              HasSubstr("BAD signature by repo.rsa.pub"));
  // Another key under its own name: not trusted.
  std::string untrusted = envelope(statement_for("p-1.0-r0.apk", package_), other_, "other.rsa.pub");
  EXPECT_THAT(error_of([&] { verify_provenance(untrusted, package_, "p-1.0-r0.apk", keyring_, "p.jsonl"); }),
              HasSubstr("signed by other.rsa.pub, which is not trusted"));
}

TEST_F(Provenance, NotAStatementIsRefused) {
  EXPECT_THAT(error_of([&] { verify_provenance("{", package_, "p", keyring_, "p.jsonl"); }),
              HasSubstr("p.jsonl: not a DSSE envelope"));
  std::string wrong_type = make_dsse_envelope("text/plain", statement_for("p", package_), key_, "repo.rsa.pub");
  EXPECT_THAT(error_of([&] { verify_provenance(wrong_type, package_, "p", keyring_, "p.jsonl"); }),
              HasSubstr("holds text/plain, not an in-toto statement"));
}

}  // namespace
}  // namespace lupine::apk
