// RSA keys and PKCS#1 v1.5 signatures (OpenSSL EVP), in the PEM forms melange and abuild use:
// private keys PKCS#1 "RSA PRIVATE KEY" (PKCS#8 also read), public keys SubjectPublicKeyInfo.
#pragma once

#include "common/hash.h"

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

typedef struct evp_pkey_st EVP_PKEY;

namespace lupine {

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const;
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

class RsaPublicKey {
 public:
  static RsaPublicKey from_pem(std::string_view pem, const std::string& origin);
  static RsaPublicKey load(const std::filesystem::path& path);

  // True when `signature` is a valid PKCS#1 v1.5 signature of `message` under `algorithm`.
  bool verify(HashAlgorithm algorithm, std::string_view message, std::string_view signature) const;
  std::string to_pem() const;
  int bits() const;

 private:
  explicit RsaPublicKey(PkeyPtr key) : key_(std::move(key)) {}
  std::shared_ptr<EVP_PKEY> key_;
};

class RsaPrivateKey {
 public:
  static RsaPrivateKey generate(int bits);
  static RsaPrivateKey from_pem(std::string_view pem, const std::string& origin);
  static RsaPrivateKey load(const std::filesystem::path& path);

  std::string sign(HashAlgorithm algorithm, std::string_view message) const;
  std::string to_pem() const;         // PKCS#1 "RSA PRIVATE KEY"
  std::string public_pem() const;     // SubjectPublicKeyInfo "PUBLIC KEY"
  RsaPublicKey public_key() const;
  int bits() const;

 private:
  explicit RsaPrivateKey(PkeyPtr key) : key_(std::move(key)) {}
  std::shared_ptr<EVP_PKEY> key_;
};

}  // namespace lupine
