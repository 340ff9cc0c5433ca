// `.SIGN.<ALG>.<keyname>` entries: the signature member of packages and indexes
// (reference/apk.md §1.7). ALG is RSA (SHA-1), RSA256 (SHA-256), RSA512 (SHA-512) or DSA (refused).
#pragma once

#include "apk/keyring.h"
#include "common/hash.h"
#include "common/rsa.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lupine::apk {

struct Signature {
  std::string entry_name;  // e.g. ".SIGN.RSA256.melange.rsa.pub"
  std::string algorithm;   // "RSA", "RSA256", "RSA512", "DSA"
  std::string key_name;    // e.g. "melange.rsa.pub"
  std::string blob;        // raw PKCS#1 v1.5 signature
};

// Splits a `.SIGN.*` entry name; nullopt when the name is not a signature entry.
std::optional<Signature> parse_signature_name(std::string_view entry_name);

// The hash an algorithm name signs with; nullopt for DSA and unknown names.
std::optional<HashAlgorithm> signature_hash(std::string_view algorithm);

// "RSA256" for sha256, "RSA" for sha1, "RSA512" for sha512.
std::string signature_algorithm_name(HashAlgorithm hash);

// A complete gzip member holding one `.SIGN.<ALG>.<key_name>` tar entry over `signed_bytes`,
// without end-of-archive blocks (it is prepended to the member it signs).
std::string make_signature_member(const RsaPrivateKey& key, const std::string& key_name, HashAlgorithm hash,
                                  std::string_view signed_bytes, int64_t mtime);

// The public key file name melange gives a private key's signatures: basename + ".pub".
std::string signing_key_name(const std::string& private_key_path);

enum class SignatureStatus { verified, untrusted, bad, unsigned_ };

struct SignatureCheck {
  SignatureStatus status = SignatureStatus::unsigned_;
  std::string key_name;  // the key that verified, or failed
  std::string detail;    // for untrusted: the key names seen
};

// apk-tools' rule: the first signature whose key is trusted decides; a failure there is BAD.
// When `try_every` (apko's rule for indexes with several signatures), each trusted signature
// is tried until one verifies.
SignatureCheck check_signatures(const std::vector<Signature>& signatures, std::string_view signed_bytes,
                                const Keyring& keyring, bool try_every = false);

}  // namespace lupine::apk
