#include "common/x509.h"

#include "common/error.h"
#include "common/hash.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <optional>

namespace lupine {

namespace {
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

// One PEM block as PEM_read_bio hands it out (each part freed with OPENSSL_free).
struct PemBlock {
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long size = 0;
  ~PemBlock() {
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
  }
  std::string_view der() const { return {reinterpret_cast<const char*>(data), static_cast<size_t>(size)}; }
};

std::string encode_certificate(std::string_view der) {
  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || PEM_write_bio(out.get(), "CERTIFICATE", "", reinterpret_cast<const unsigned char*>(der.data()),
                            static_cast<long>(der.size())) <= 0)
    fail("cannot encode a certificate as PEM");
  char* bytes = nullptr;
  long size = BIO_get_mem_data(out.get(), &bytes);
  return std::string(bytes, static_cast<size_t>(size));
}
}  // namespace

PemCertificate parse_pem_certificate(std::string_view text, const std::string& origin) {
  BioPtr in(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!in) fail("{}: cannot read the certificate", origin);
  std::optional<PemCertificate> found;
  for (;;) {
    PemBlock block;
    if (PEM_read_bio(in.get(), &block.name, &block.header, &block.data, &block.size) <= 0) break;
    if (found) fail("{}: more than one certificate; one is allowed", origin);
    if (std::string_view(block.name) != "CERTIFICATE")
      fail("{}: expected a CERTIFICATE block, found {}", origin, block.name);
    const unsigned char* cursor = block.data;
    X509* certificate = d2i_X509(nullptr, &cursor, block.size);
    if (!certificate) {
      ERR_clear_error();
      fail("{}: the CERTIFICATE block is not a valid X.509 certificate", origin);
    }
    X509_free(certificate);
    found = PemCertificate{encode_certificate(block.der()), sha256_hex(block.der())};
  }
  ERR_clear_error();  // the end of the text is reported as "no start line"
  if (!found) fail("{}: no PEM certificate found", origin);
  return std::move(*found);
}

}  // namespace lupine
