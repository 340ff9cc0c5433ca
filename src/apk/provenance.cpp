#include "apk/provenance.h"

#include "apk/dsse.h"
#include "common/encoding.h"
#include "common/error.h"
#include "common/hash.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace lupine::apk {

std::optional<std::string> identity_sha1_hex(std::string_view identity) {
  if (identity.rfind("Q1", 0) != 0) return std::nullopt;
  std::optional<std::string> sha1 = base64_decode(identity.substr(2));
  if (!sha1 || sha1->size() != 20) return std::nullopt;
  return hex_encode(*sha1);
}

std::filesystem::path provenance_path(const std::filesystem::path& package) {
  return std::filesystem::path(package.string() + ".intoto.jsonl");
}

ProvenanceCheck verify_provenance(std::string_view envelope, std::string_view package_bytes,
                                  const std::string& package_name, const Keyring& keyring, const std::string& origin) {
  DsseContents contents = verify_dsse_envelope(envelope, keyring, origin);
  if (contents.payload_type != kInTotoPayloadType)
    fail("{}: the envelope holds {}, not an in-toto statement ({})", origin, contents.payload_type, kInTotoPayloadType);
  nlohmann::json statement = nlohmann::json::parse(contents.payload, nullptr, false);
  if (statement.is_discarded() || !statement.is_object()) fail("{}: the in-toto statement is not a JSON object", origin);
  if (statement.value("_type", "") != kStatementType)
    fail("{}: expected an in-toto statement of _type {}, not '{}'", origin, kStatementType, statement.value("_type", ""));
  if (statement.value("predicateType", "") != kSlsaProvenanceType)
    fail("{}: expected SLSA provenance ({}), not '{}'", origin, kSlsaProvenanceType, statement.value("predicateType", ""));
  const std::string digest = sha256_hex(package_bytes);
  std::string claimed;
  for (const auto& subject : statement.value("subject", nlohmann::json::array())) {
    if (!subject.is_object() || subject.value("name", "") != package_name) continue;
    claimed = subject.contains("digest") ? subject["digest"].value("sha256", "") : "";
    if (claimed == digest) {
      ProvenanceCheck check;
      check.key_name = contents.key_name;
      const nlohmann::json& predicate = statement["predicate"];
      if (predicate.is_object() && predicate.contains("runDetails"))
        check.builder_id = predicate["runDetails"].value("builder", nlohmann::json::object()).value("id", "");
      return check;
    }
  }
  if (claimed.empty()) fail("{}: no subject of the statement is {}", origin, package_name);
  fail("{}: is the provenance of other bytes (sha256 {}), not of this package (sha256 {})", origin, claimed, digest);
}

}  // namespace lupine::apk
