// lupine sign --signing-key K.rsa FILE.apk...: (re)sign packages, replacing any signature.
#include "apk/package_writer.h"
#include "cli/command.h"
#include "cli/signing.h"
#include "common/source_date.h"

#include <fmt/format.h>

namespace lupine::cli {
namespace {

struct SignArgs {
  std::string signing_key;
  std::vector<std::string> files;
  bool sha1_signature = false;
};

void setup(Command& app) {
  auto args = std::make_shared<SignArgs>();
  auto* command = app.add_subcommand("sign", "Sign APK packages, replacing any existing signature");
  command->add_option("--signing-key", args->signing_key, "RSA private key (NAME.rsa)")
      ->required()
      ->check(kExistingFile);
  command->add_flag("--sha1-signature", args->sha1_signature, "Legacy SHA-1 signature (.SIGN.RSA.)");
  command->add_option("files", args->files, "Packages to sign")->required()->check(kExistingFile);
  command->callback([args] {
    LoadedSigner signer = load_signer(args->signing_key, args->sha1_signature);
    int64_t mtime = source_date_epoch_or_zero();
    for (const auto& file : args->files) {
      apk::resign_package(file, signer.signer, mtime, file);
      fmt::print("{}: signed by {}\n", file, signer.signer.key_name);
    }
  });
}

LUPINE_COMMAND(30, setup);

}  // namespace
}  // namespace lupine::cli
