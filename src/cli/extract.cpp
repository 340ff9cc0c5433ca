// lupine extract FILE.apk DIR: verify, then write the package's files under DIR (never outside).
#include "apk/extract.h"
#include "apk/package.h"
#include "cli/command.h"
#include "cli/keyring_options.h"

#include <fmt/format.h>
#include <unistd.h>

namespace lupine::cli {
namespace {

struct ExtractArgs {
  KeyringOptions keyring;
  std::string file, directory;
  bool owners = false;
};

void setup(Command& app) {
  auto args = std::make_shared<ExtractArgs>();
  auto* command = app.add_subcommand("extract", "Verify a package and extract its files into a directory");
  command->add_option("file", args->file, "Package")->required();
  command->add_option("directory", args->directory, "Target directory (created if missing)")->required();
  args->keyring.add_to(*command);
  command->add_flag("--owners", args->owners, "Apply file owners from the package (default when run as root)");
  command->callback([args] {
    apk::Package package = apk::Package::read(args->file);
    apk::VerifyOptions verify;
    verify.allow_untrusted = args->keyring.allow_untrusted;
    apk::verify_package(package, args->keyring.load(), verify);
    apk::ExtractOptions options;
    options.apply_owners = args->owners || ::geteuid() == 0;
    apk::ExtractReport report = apk::extract_package(package, args->directory, options);
    fmt::print("{}: extracted {} entries ({} bytes) into {}\n", args->file, report.entries, report.bytes,
               args->directory);
  });
}

LUPINE_COMMAND(60, setup);

}  // namespace
}  // namespace lupine::cli
