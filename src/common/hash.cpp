#include "common/hash.h"

#include "common/encoding.h"
#include "common/error.h"

namespace lupine {

namespace {

// OpenSSL 3 looks a legacy EVP_sha256() up in its method store again on every EVP_DigestInit_ex
// and EVP_DigestVerifyInit; an explicitly fetched EVP_MD is used as it is. Fetched once, kept for
// the life of the process. Should a fetch fail, the legacy object still works (fetched per use).
const EVP_MD* fetched(const char* name, const EVP_MD* fallback) {
  const EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  return md ? md : fallback;
}

}  // namespace

const EVP_MD* evp_md(HashAlgorithm algorithm) {
  switch (algorithm) {
    case HashAlgorithm::sha1: {
      static const EVP_MD* const md = fetched("SHA1", EVP_sha1());
      return md;
    }
    case HashAlgorithm::sha256: {
      static const EVP_MD* const md = fetched("SHA256", EVP_sha256());
      return md;
    }
    case HashAlgorithm::sha512: {
      static const EVP_MD* const md = fetched("SHA512", EVP_sha512());
      return md;
    }
  }
  return nullptr;
}

size_t digest_size(HashAlgorithm algorithm) {
  switch (algorithm) {
    case HashAlgorithm::sha1: return 20;
    case HashAlgorithm::sha256: return 32;
    case HashAlgorithm::sha512: return 64;
  }
  return 0;
}

Hasher::Hasher(HashAlgorithm algorithm) : algorithm_(algorithm), context_(EVP_MD_CTX_new()) {
  if (!context_ || EVP_DigestInit_ex(context_, evp_md(algorithm), nullptr) != 1)
    fail("OpenSSL: cannot initialise digest");
}

Hasher::Hasher(Hasher&& other) noexcept : algorithm_(other.algorithm_), context_(other.context_) {
  other.context_ = nullptr;
}

Hasher::~Hasher() { EVP_MD_CTX_free(context_); }

void Hasher::update(std::string_view data) { update(data.data(), data.size()); }

void Hasher::update(const void* data, size_t size) {
  if (size && EVP_DigestUpdate(context_, data, size) != 1) fail("OpenSSL: digest update failed");
}

std::string Hasher::finish() {
  std::string out(EVP_MAX_MD_SIZE, '\0');
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context_, reinterpret_cast<unsigned char*>(out.data()), &length) != 1)
    fail("OpenSSL: digest final failed");
  out.resize(length);
  return out;
}

std::string digest(HashAlgorithm algorithm, std::string_view data) {
  Hasher hasher(algorithm);
  hasher.update(data);
  return hasher.finish();
}

std::string sha1(std::string_view data) { return digest(HashAlgorithm::sha1, data); }
std::string sha256(std::string_view data) { return digest(HashAlgorithm::sha256, data); }
std::string sha256_hex(std::string_view data) { return hex_encode(sha256(data)); }
std::string sha1_hex(std::string_view data) { return hex_encode(sha1(data)); }

}  // namespace lupine
