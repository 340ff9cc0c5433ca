// Message digests through OpenSSL EVP: SHA-1 (APK identities, per-file checksums),
// SHA-256 (datahash, signatures), SHA-512.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lupine {

enum class HashAlgorithm { sha1, sha256, sha512 };

const EVP_MD* evp_md(HashAlgorithm algorithm);
size_t digest_size(HashAlgorithm algorithm);

// Incremental hasher. Raw digest bytes are returned as a std::string.
class Hasher {
 public:
  explicit Hasher(HashAlgorithm algorithm);
  ~Hasher();
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;
  Hasher(Hasher&& other) noexcept;

  void update(std::string_view data);
  void update(const void* data, size_t size);
  std::string finish();  // raw digest; the hasher may not be used afterwards
  HashAlgorithm algorithm() const { return algorithm_; }

 private:
  HashAlgorithm algorithm_;
  EVP_MD_CTX* context_;
};

std::string digest(HashAlgorithm algorithm, std::string_view data);
std::string sha1(std::string_view data);
std::string sha256(std::string_view data);
std::string sha256_hex(std::string_view data);
std::string sha1_hex(std::string_view data);

}  // namespace lupine
