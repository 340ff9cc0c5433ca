// lupine verify --keyring K... [--allow-untrusted] FILE...: check signatures and integrity.
#include "apk/package.h"
#include "cli/command.h"
#include "cli/keyring_options.h"
#include "common/error.h"

#include <fmt/format.h>

namespace lupine::cli {
namespace {

struct VerifyArgs {
  KeyringOptions keyring;
  std::vector<std::string> files;
};

void run(const VerifyArgs& args) {
  apk::Keyring keyring = args.keyring.load();
  int failures = 0;
  for (const auto& file : args.files) {
    try {
      apk::Package package = apk::Package::read(file);
      apk::VerifyOptions options;
      options.allow_untrusted = args.keyring.allow_untrusted;
      apk::VerifyReport report = apk::verify_package(package, keyring, options);
      if (report.signature.status == apk::SignatureStatus::untrusted)
        fmt::print(stderr, "{}: warning: untrusted signature (signed by {}), allowed by --allow-untrusted\n",
                   file, report.signature.detail);
      if (report.signature.status == apk::SignatureStatus::unsigned_)
        fmt::print(stderr, "{}: warning: unsigned, allowed by --allow-untrusted\n", file);
      fmt::print("{}: OK\n", file);
    } catch (const Error& error) {
      std::string message = error.what();
      // Messages from the reader already start with the file name.
      if (!message.starts_with(file)) message = file + ": " + message;
      fmt::print(stderr, "{}\n", message);
      ++failures;
    }
    std::fflush(stdout);
  }
  if (failures) throw Exit{1};
}

void setup(CLI::App& app) {
  auto args = std::make_shared<VerifyArgs>();
  auto* command = app.add_subcommand("verify", "Verify APK packages: signature, datahash, per-file checksums");
  args->keyring.add_to(*command);
  command->add_option("files", args->files, "Packages to verify")->required();
  command->callback([args] { run(*args); });
}

LUPINE_COMMAND(40, setup);

}  // namespace
}  // namespace lupine::cli
