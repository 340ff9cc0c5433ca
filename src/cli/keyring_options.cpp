#include "cli/keyring_options.h"

#include <filesystem>

namespace lupine::cli {

void KeyringOptions::add_to(Command& command) {
  command.add_option("--keyring,--keys-dir", paths, "Trusted public keys: a directory or key files (repeatable)");
  command.add_flag("--allow-untrusted", allow_untrusted,
                   "Accept unsigned packages and unknown keys (integrity is still checked)");
}

apk::Keyring KeyringOptions::load() const {
  apk::Keyring keyring;
  for (const auto& path : paths) keyring.add(path);
  if (paths.empty() && std::filesystem::is_directory("/etc/apk/keys")) keyring.add("/etc/apk/keys");
  return keyring;
}

}  // namespace lupine::cli
