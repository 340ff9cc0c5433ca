// DSSE envelopes (github.com/secure-systems-lab/dsse, v1.0), the wrapper in-toto attestations and
// SLSA provenance travel in: {"payloadType", "payload" (base64), "signatures": [{"keyid", "sig"}]},
// each signature over the pre-authentication encoding
//   PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body   (LEN: decimal byte count)
// lupine signs with the repository's RSA key (PKCS#1 v1.5, SHA-256) and names the key as packages
// name theirs (keyid = the public key file's name, "melange.rsa.pub"), so one keyring checks both.
#pragma once

#include "apk/keyring.h"
#include "common/rsa.h"

#include <string>
#include <string_view>

namespace lupine::apk {

inline constexpr const char* kInTotoPayloadType = "application/vnd.in-toto+json";

std::string dsse_pae(std::string_view payload_type, std::string_view payload);

// The envelope as one line of JSON with a trailing newline (the .intoto.jsonl form).
std::string make_dsse_envelope(std::string_view payload_type, std::string_view payload, const RsaPrivateKey& key,
                               const std::string& key_name);

struct DsseContents {
  std::string payload_type;
  std::string payload;  // decoded
  std::string key_name;  // the keyid whose signature verified
};

// Parses `envelope` and checks that one of its signatures is valid under a key of `keyring` (found
// by keyid, as package signatures are by file name). Throws Error naming `origin` and the reason:
// not JSON, a field missing, no signature by a trusted key ("signed by X, which is not trusted"),
// or a signature that does not verify ("BAD signature by X").
DsseContents verify_dsse_envelope(std::string_view envelope, const Keyring& keyring, const std::string& origin);

}  // namespace lupine::apk
