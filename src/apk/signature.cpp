#include "apk/signature.h"

#include "apk/gzip.h"
#include "apk/tar.h"
#include "common/error.h"

#include <filesystem>

namespace lupine::apk {

std::optional<Signature> parse_signature_name(std::string_view entry_name) {
  constexpr std::string_view prefix = ".SIGN.";
  if (!entry_name.starts_with(prefix)) return std::nullopt;
  std::string_view rest = entry_name.substr(prefix.size());
  size_t dot = rest.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= rest.size()) return std::nullopt;
  Signature signature;
  signature.entry_name = entry_name;
  signature.algorithm = rest.substr(0, dot);
  signature.key_name = rest.substr(dot + 1);
  return signature;
}

std::optional<HashAlgorithm> signature_hash(std::string_view algorithm) {
  if (algorithm == "RSA") return HashAlgorithm::sha1;
  if (algorithm == "RSA256") return HashAlgorithm::sha256;
  if (algorithm == "RSA512") return HashAlgorithm::sha512;
  return std::nullopt;
}

std::string signature_algorithm_name(HashAlgorithm hash) {
  switch (hash) {
    case HashAlgorithm::sha1: return "RSA";
    case HashAlgorithm::sha256: return "RSA256";
    case HashAlgorithm::sha512: return "RSA512";
  }
  return "RSA256";
}

std::string make_signature_member(const RsaPrivateKey& key, const std::string& key_name, HashAlgorithm hash,
                                  std::string_view signed_bytes, int64_t mtime) {
  std::string blob = key.sign(hash, signed_bytes);
  TarEntry entry;
  entry.path = ".SIGN." + signature_algorithm_name(hash) + "." + key_name;
  entry.mode = 0644;
  entry.mtime = mtime;
  entry.size = blob.size();
  std::string tar = tar_header(entry);
  tar += blob;
  tar += tar_padding(blob.size());
  return gzip_member(tar, 9);
}

std::string signing_key_name(const std::string& private_key_path) {
  return std::filesystem::path(private_key_path).filename().string() + ".pub";
}

SignatureCheck check_signatures(const std::vector<Signature>& signatures, std::string_view signed_bytes,
                                const Keyring& keyring, bool try_every) {
  SignatureCheck check;
  if (signatures.empty()) return check;
  check.status = SignatureStatus::untrusted;
  for (const auto& signature : signatures) {
    auto hash = signature_hash(signature.algorithm);
    const RsaPublicKey* key = hash ? keyring.find(signature.key_name) : nullptr;
    if (!key) {
      if (!check.detail.empty()) check.detail += ", ";
      check.detail += signature.key_name + (hash ? "" : " (" + signature.algorithm + " not supported)");
      continue;
    }
    check.key_name = signature.key_name;
    if (key->verify(*hash, signed_bytes, signature.blob)) {
      check.status = SignatureStatus::verified;
      return check;
    }
    check.status = SignatureStatus::bad;
    if (!try_every) return check;
  }
  return check;
}

}  // namespace lupine::apk
