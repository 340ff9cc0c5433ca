// --keyring DIR_OR_KEYFILE... and --allow-untrusted, shared by verify, extract and later install.
#pragma once

#include "apk/keyring.h"
#include "cli/command.h"


#include <memory>
#include <string>
#include <vector>

namespace lupine::cli {

struct KeyringOptions {
  std::vector<std::string> paths;
  bool allow_untrusted = false;

  void add_to(Command& command);
  // The keyring from --keyring; /etc/apk/keys when none was given and it exists.
  apk::Keyring load() const;
};

}  // namespace lupine::cli
