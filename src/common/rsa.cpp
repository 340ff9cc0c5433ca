#include "common/rsa.h"

#include "common/encoding.h"
#include "common/error.h"
#include "common/fs.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <optional>

namespace lupine {

void PkeyDeleter::operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }

namespace {

std::string openssl_error() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (!code) return "unknown OpenSSL error";
  char buffer[256];
  ERR_error_string_n(code, buffer, sizeof buffer);
  return buffer;
}

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

BioPtr memory_bio(std::string_view data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

void require_rsa(EVP_PKEY* key, const std::string& origin) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) fail("{}: not an RSA key", origin);
}

}  // namespace

namespace {

// The DER of a PEM "PUBLIC KEY" (SubjectPublicKeyInfo, what apk-tools and melange write): the base64
// between the armour lines, which may not carry headers. Nothing when `pem` is anything else.
std::optional<std::string> public_key_der(std::string_view pem) {
  constexpr std::string_view begin = "-----BEGIN PUBLIC KEY-----", end = "-----END PUBLIC KEY-----";
  size_t start = pem.find(begin);
  if (start == std::string_view::npos) return std::nullopt;
  start += begin.size();
  size_t stop = pem.find(end, start);
  if (stop == std::string_view::npos || pem.substr(start, stop - start).find(':') != std::string_view::npos)
    return std::nullopt;
  std::string base64;
  base64.reserve(stop - start);
  for (char c : pem.substr(start, stop - start))
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') base64.push_back(c);
  return base64_decode(base64);
}

}  // namespace

RsaPublicKey RsaPublicKey::from_pem(std::string_view pem, const std::string& origin) {
  // A SubjectPublicKeyInfo is decoded with d2i_PUBKEY: PEM_read_bio_PUBKEY builds an OSSL_DECODER
  // chain over every provider's decoders first, ~2.5 times the work (0.6 vs 0.25 ms a key; the
  // first key parsed in `lupine index` is on the path of an incremental run). Anything else (other
  // PEM forms, or DER that does not decode) takes OpenSSL's PEM readers below.
  EVP_PKEY* key = nullptr;
  if (auto der = public_key_der(pem)) {
    const unsigned char* data = reinterpret_cast<const unsigned char*>(der->data());
    key = d2i_PUBKEY(nullptr, &data, static_cast<long>(der->size()));
    if (key && data != reinterpret_cast<const unsigned char*>(der->data() + der->size())) {
      EVP_PKEY_free(key);  // trailing bytes: leave it to the PEM reader to judge
      key = nullptr;
    }
    if (!key) ERR_clear_error();
  }
  auto bio = memory_bio(pem);
  if (!key) key = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (!key) {
    // Also accept a PKCS#1 "RSA PUBLIC KEY".
    ERR_clear_error();
    OSSL_DECODER_CTX* decoder = OSSL_DECODER_CTX_new_for_pkey(&key, "PEM", "type-specific", "RSA",
                                                              OSSL_KEYMGMT_SELECT_PUBLIC_KEY, nullptr, nullptr);
    const unsigned char* data = reinterpret_cast<const unsigned char*>(pem.data());
    size_t length = pem.size();
    if (decoder) OSSL_DECODER_from_data(decoder, &data, &length);
    OSSL_DECODER_CTX_free(decoder);
  }
  if (!key) fail("{}: not a PEM public key ({})", origin, openssl_error());
  PkeyPtr owned(key);
  require_rsa(key, origin);
  return RsaPublicKey(std::move(owned));
}

RsaPublicKey RsaPublicKey::load(const std::filesystem::path& path) {
  return from_pem(read_file(path), path.string());
}

bool RsaPublicKey::verify(HashAlgorithm algorithm, std::string_view message,
                          std::string_view signature) const {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pkey_context = nullptr;
  bool ok = EVP_DigestVerifyInit(context, &pkey_context, evp_md(algorithm), nullptr, key_.get()) == 1 &&
            EVP_PKEY_CTX_set_rsa_padding(pkey_context, RSA_PKCS1_PADDING) == 1 &&
            EVP_DigestVerify(context, reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                             message.size()) == 1;
  EVP_MD_CTX_free(context);
  ERR_clear_error();
  return ok;
}

std::string RsaPublicKey::to_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) fail("cannot encode public key: {}", openssl_error());
  return bio_contents(bio.get());
}

int RsaPublicKey::bits() const { return EVP_PKEY_get_bits(key_.get()); }

RsaPrivateKey RsaPrivateKey::generate(int bits) {
  if (bits < 2048) fail("key size {} is too small: at least 2048 bits", bits);
  EVP_PKEY* key = EVP_RSA_gen(static_cast<unsigned>(bits));
  if (!key) fail("cannot generate an RSA key of {} bits: {}", bits, openssl_error());
  return RsaPrivateKey(PkeyPtr(key));
}

RsaPrivateKey RsaPrivateKey::from_pem(std::string_view pem, const std::string& origin) {
  auto bio = memory_bio(pem);
  // Passphrase-protected keys are refused rather than prompted for: the callback returns 0.
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr,
                                          [](char*, int, int, void*) { return 0; }, nullptr);
  if (!key) fail("{}: not a PEM RSA private key, or encrypted ({})", origin, openssl_error());
  PkeyPtr owned(key);
  require_rsa(key, origin);
  return RsaPrivateKey(std::move(owned));
}

RsaPrivateKey RsaPrivateKey::load(const std::filesystem::path& path) {
  return from_pem(read_file(path), path.string());
}

std::string RsaPrivateKey::sign(HashAlgorithm algorithm, std::string_view message) const {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pkey_context = nullptr;
  size_t length = 0;
  std::string signature;
  bool ok = EVP_DigestSignInit(context, &pkey_context, evp_md(algorithm), nullptr, key_.get()) == 1 &&
            EVP_PKEY_CTX_set_rsa_padding(pkey_context, RSA_PKCS1_PADDING) == 1 &&
            EVP_DigestSign(context, nullptr, &length,
                           reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  if (ok) {
    signature.resize(length);
    ok = EVP_DigestSign(context, reinterpret_cast<unsigned char*>(signature.data()), &length,
                        reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
    signature.resize(length);
  }
  EVP_MD_CTX_free(context);
  if (!ok) fail("RSA signing failed: {}", openssl_error());
  return signature;
}

std::string RsaPrivateKey::to_pem() const {
  // PKCS#1 ("type-specific") DER in PEM, as `melange keygen` and `openssl genrsa -traditional` write.
  OSSL_ENCODER_CTX* encoder = OSSL_ENCODER_CTX_new_for_pkey(key_.get(), OSSL_KEYMGMT_SELECT_KEYPAIR, "PEM",
                                                            "type-specific", nullptr);
  unsigned char* data = nullptr;
  size_t length = 0;
  bool ok = encoder && OSSL_ENCODER_to_data(encoder, &data, &length) == 1;
  OSSL_ENCODER_CTX_free(encoder);
  if (!ok) fail("cannot encode private key: {}", openssl_error());
  std::string pem(reinterpret_cast<char*>(data), length);
  OPENSSL_free(data);
  return pem;
}

std::string RsaPrivateKey::public_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) fail("cannot encode public key: {}", openssl_error());
  return bio_contents(bio.get());
}

RsaPublicKey RsaPrivateKey::public_key() const { return RsaPublicKey::from_pem(public_pem(), "public key"); }

int RsaPrivateKey::bits() const { return EVP_PKEY_get_bits(key_.get()); }

}  // namespace lupine
