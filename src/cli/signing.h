// Loading a signing key given on the command line (--signing-key K.rsa).
#pragma once

#include "apk/package_writer.h"
#include "common/rsa.h"

#include <memory>
#include <optional>
#include <string>

namespace lupine::cli {

struct LoadedSigner {
  std::unique_ptr<RsaPrivateKey> key;
  apk::PackageSigner signer;
};

// The key at `path`, signing as `<basename>.pub` (melange's convention) with SHA-256, or SHA-1
// when `legacy_sha1`.
LoadedSigner load_signer(const std::string& path, bool legacy_sha1 = false);

}  // namespace lupine::cli
