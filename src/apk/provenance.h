// SLSA v1.0 provenance of a package, as lupine publishes it beside the package:
// <name>-<version>.apk.intoto.jsonl, one DSSE envelope (apk/dsse.h) holding an in-toto Statement v1
//   {"_type": "https://in-toto.io/Statement/v1",
//    "subject": [{"name": "<name>-<version>.apk", "digest": {"sha256": "<the .apk file's sha256>"}}],
//    "predicateType": "https://slsa.dev/provenance/v1",
//    "predicate": {"buildDefinition": {...}, "runDetails": {...}}}
// signed with the repository's key. The package itself stays as reproducible as before: the
// provenance, with its build times, lies outside it (as melange's .attest.tar.gz).
#pragma once

#include "apk/keyring.h"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace lupine::apk {

inline constexpr const char* kStatementType = "https://in-toto.io/Statement/v1";
inline constexpr const char* kSlsaProvenanceType = "https://slsa.dev/provenance/v1";

// A package's C: identity ("Q1" + base64 of the SHA-1 of its control member) as the hex sha1 digest
// provenance statements name it by; nullopt for another form (X1 hex, or malformed).
std::optional<std::string> identity_sha1_hex(std::string_view identity);

// hello-2.12-r0.apk → hello-2.12-r0.apk.intoto.jsonl (beside it).
std::filesystem::path provenance_path(const std::filesystem::path& package);

struct ProvenanceCheck {
  std::string key_name;    // the key whose signature verified
  std::string builder_id;  // predicate.runDetails.builder.id
};

// Checks `envelope` as the provenance of the package whose file bytes are `package_bytes` and
// whose file name is `package_name`: the envelope's signature under `keyring`, an in-toto
// Statement v1 with SLSA provenance v1, and a subject of that name whose sha256 is the file's.
// Throws Error naming `origin` and what is wrong (a BAD signature, an untrusted key, another
// subject digest: "is the provenance of other bytes (sha256 X), not of this package (sha256 Y)").
ProvenanceCheck verify_provenance(std::string_view envelope, std::string_view package_bytes,
                                  const std::string& package_name, const Keyring& keyring, const std::string& origin);

}  // namespace lupine::apk
