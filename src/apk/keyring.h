// Trusted public keys, found by file name as apk-tools does for v2 signatures
// (reference/apk.md §6: `.SIGN.RSA256.melange.rsa.pub` needs a trusted key file `melange.rsa.pub`).
#pragma once

#include "common/rsa.h"

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace lupine::apk {

class Keyring {
 public:
  // Adds a key file, or every non-hidden regular file of a directory. The first key of a name wins.
  // A missing path is an error naming it; keys are parsed when first used.
  void add(const std::filesystem::path& path);
  // Adds a key already in memory under the file name `name` (e.g. a signing key's own public half,
  // `melange.rsa.pub`), unless a key of that name is already trusted.
  void add_key(const std::string& name, RsaPublicKey key);

  // The key whose file name is `key_name`; as apko, a name without ".rsa.pub" also matches a key
  // file that has it, and the other way round. nullptr when not trusted. A key file that does not
  // parse is an error naming it.
  const RsaPublicKey* find(std::string_view key_name) const;

  bool empty() const { return entries_.empty(); }
  std::vector<std::string> names() const;

 private:
  bool has(std::string_view name) const;  // a key file of exactly this name was added
  struct Entry {
    std::string name;
    std::filesystem::path path;
    mutable std::shared_ptr<RsaPublicKey> key;
  };
  std::vector<Entry> entries_;
  // find() loads keys lazily and may be called from several threads (parallel indexing).
  mutable std::shared_ptr<std::mutex> load_mutex_ = std::make_shared<std::mutex>();
};

}  // namespace lupine::apk
