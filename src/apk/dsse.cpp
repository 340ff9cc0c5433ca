#include "apk/dsse.h"

#include "common/encoding.h"
#include "common/error.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace lupine::apk {

std::string dsse_pae(std::string_view payload_type, std::string_view payload) {
  return fmt::format("DSSEv1 {} {} {} {}", payload_type.size(), payload_type, payload.size(), payload);
}

std::string make_dsse_envelope(std::string_view payload_type, std::string_view payload, const RsaPrivateKey& key,
                               const std::string& key_name) {
  nlohmann::ordered_json envelope;
  envelope["payloadType"] = payload_type;
  envelope["payload"] = base64_encode(payload);
  envelope["signatures"] = nlohmann::ordered_json::array(
      {{{"keyid", key_name},
        {"sig", base64_encode(key.sign(HashAlgorithm::sha256, dsse_pae(payload_type, payload)))}}});
  return envelope.dump() + "\n";
}

DsseContents verify_dsse_envelope(std::string_view text, const Keyring& keyring, const std::string& origin) {
  nlohmann::json envelope = nlohmann::json::parse(text, nullptr, false);
  if (envelope.is_discarded() || !envelope.is_object())
    fail("{}: not a DSSE envelope: expected one JSON object", origin);
  auto string_field = [&](const nlohmann::json& object, const char* name) {
    auto found = object.find(name);
    if (found == object.end() || !found->is_string())
      fail("{}: the DSSE envelope has no \"{}\" string", origin, name);
    return found->get<std::string>();
  };
  DsseContents contents;
  contents.payload_type = string_field(envelope, "payloadType");
  std::optional<std::string> payload = base64_decode(string_field(envelope, "payload"));
  if (!payload) fail("{}: the DSSE payload is not base64", origin);
  contents.payload = std::move(*payload);
  auto signatures = envelope.find("signatures");
  if (signatures == envelope.end() || !signatures->is_array() || signatures->empty())
    fail("{}: the DSSE envelope has no signatures", origin);
  std::string pae = dsse_pae(contents.payload_type, contents.payload);
  std::vector<std::string> untrusted;
  for (const auto& signature : *signatures) {
    if (!signature.is_object()) fail("{}: a DSSE signature is not an object", origin);
    std::string key_name = string_field(signature, "keyid");
    const RsaPublicKey* key = keyring.find(key_name);
    if (!key) {
      untrusted.push_back(key_name);
      continue;
    }
    std::optional<std::string> sig = base64_decode(string_field(signature, "sig"));
    if (!sig || !key->verify(HashAlgorithm::sha256, pae, *sig))
      fail("{}: BAD signature by {}: the envelope's payload does not match it", origin, key_name);
    contents.key_name = key_name;
    return contents;
  }
  fail("{}: signed by {}, which is not trusted (no such key in the keyring)", origin, fmt::join(untrusted, ", "));
}

}  // namespace lupine::apk
