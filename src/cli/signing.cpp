#include "cli/signing.h"

#include "apk/signature.h"

namespace lupine::cli {

LoadedSigner load_signer(const std::string& path, bool legacy_sha1) {
  LoadedSigner loaded;
  loaded.key = std::make_unique<RsaPrivateKey>(RsaPrivateKey::load(path));
  loaded.signer.key = loaded.key.get();
  loaded.signer.key_name = apk::signing_key_name(path);
  loaded.signer.hash = legacy_sha1 ? HashAlgorithm::sha1 : HashAlgorithm::sha256;
  return loaded;
}

}  // namespace lupine::cli
