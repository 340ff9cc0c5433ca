// lupine keygen [--key-size N] NAME → NAME.rsa (0600) and NAME.rsa.pub, as `melange keygen`.
#include "cli/command.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/rsa.h"

#include <fmt/format.h>

#include <filesystem>

namespace lupine::cli {
namespace {

void setup(Command& app) {
  auto* command = app.add_subcommand("keygen", "Make an RSA signing key pair NAME.rsa / NAME.rsa.pub");
  auto name = std::make_shared<std::string>("melange");
  auto bits = std::make_shared<int>(4096);
  command->add_option("name", *name, "Key name (path without .rsa)")->capture_default_str();
  command->add_option("--key-size", *bits, "Key size in bits (at least 2048)")->capture_default_str();
  command->callback([name, bits] {
    std::string base = *name;
    if (base.ends_with(".rsa")) base.resize(base.size() - 4);
    std::filesystem::path private_path = base + ".rsa", public_path = base + ".rsa.pub";
    if (std::filesystem::exists(private_path))
      fail("{} already exists; refusing to overwrite a private key", private_path.string());
    auto key = RsaPrivateKey::generate(*bits);
    write_file_atomic(public_path, key.public_pem(), 0644);
    write_file_atomic(private_path, key.to_pem(), 0600);
    fmt::print("wrote {} ({} bits) and {}\n", private_path.string(), *bits, public_path.string());
  });
}

LUPINE_COMMAND(10, setup);

}  // namespace
}  // namespace lupine::cli
