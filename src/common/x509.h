// One X.509 certificate in PEM form, checked with OpenSSL: what apko's `certificates.additional`
// entries hold (pkg/build/certificates.go, parseCertificates).
#pragma once

#include <string>
#include <string_view>

namespace lupine {

struct PemCertificate {
  std::string pem;          // the certificate alone, re-encoded (no text around it, no PEM headers)
  std::string sha256_hex;   // of its DER bytes: the fingerprint apko names its file by
};

// Reads exactly one "CERTIFICATE" PEM block from `text` (text around it is skipped, as PEM
// readers do). Throws lupine::Error naming `origin` when there is none, more than one, a block of
// another type, or a block that is not a valid X.509 certificate.
PemCertificate parse_pem_certificate(std::string_view text, const std::string& origin);

}  // namespace lupine
