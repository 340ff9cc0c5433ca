// lupine sign-index --signing-key K.rsa FILE...: (re)sign indexes, replacing every existing signature.
// The index member is kept byte for byte; the file is replaced atomically under the index lock.
#include "cli/command.h"
#include "cli/signing.h"
#include "common/fs.h"
#include "common/source_date.h"
#include "index/index_archive.h"
#include "index/index_lock.h"

#include <fmt/format.h>

namespace lupine::cli {
namespace {

struct SignIndexArgs {
  std::string signing_key;
  std::vector<std::string> files;
  bool sha1_signature = false;
};

void setup(Command& app) {
  auto args = std::make_shared<SignIndexArgs>();
  auto* command = app.add_subcommand("sign-index", "Sign APKINDEX.tar.gz files, replacing any existing signature");
  command->add_option("--signing-key", args->signing_key, "RSA private key (NAME.rsa)")
      ->required()
      ->check(kExistingFile);
  command->add_flag("--sha1-signature", args->sha1_signature, "Legacy SHA-1 signature (.SIGN.RSA.)");
  command->add_option("files", args->files, "Indexes to sign")->required()->check(kExistingFile);
  command->callback([args] {
    LoadedSigner signer = load_signer(args->signing_key, args->sha1_signature);
    int64_t mtime = source_date_epoch_or_zero();
    for (const auto& file : args->files) {
      index::IndexLock lock(file);
      std::string signed_index =
          index::resign_index_archive(read_file(file), file, signer.signer, mtime);
      index::remove_stale_temp_files(file);
      write_file_atomic(file, signed_index, 0644);
      fmt::print("{}: signed by {}\n", file, signer.signer.key_name);
    }
  });
}

LUPINE_COMMAND(75, setup);

}  // namespace
}  // namespace lupine::cli
