// lupine index -o OUT/APKINDEX.tar.gz [--signing-key K.rsa] [--description D] [--source-index OLD]
//              [--merge] [--arch A] [--keyring K]... [--allow-untrusted] FILE.apk...
// melange index's flags (-o, -s/--source, -m, -a, --signing-key) plus apk index's -d/--description.
// Incremental, atomic and locked: see index/index_builder.h.
#include "cli/build_flags.h"
#include "cli/command.h"
#include "cli/keyring_options.h"
#include "cli/signing.h"
#include "common/error.h"
#include "common/source_date.h"
#include "common/fs.h"
#include "index/index_archive.h"
#include "index/index_builder.h"
#include "index/index_freshness.h"

#include <fmt/format.h>

namespace lupine::cli {
namespace {

struct IndexArgs {
  std::string output = "APKINDEX.tar.gz";
  std::string source_index;
  std::string signing_key;
  std::string description;
  std::string arch;
  bool merge = false;
  bool sha1_signature = false;
  bool refresh = false;
  std::string expires_in;
  unsigned threads = 0;
  KeyringOptions keyring;
  std::vector<std::string> files;
};

void run(const IndexArgs& args) {
  if (args.refresh && !args.files.empty()) fail("--refresh re-signs the index as it is: give no packages");
  if (args.refresh && args.signing_key.empty()) fail("--refresh needs --signing-key: the new expiry must be signed");
  if (args.files.empty() && !args.merge && !args.refresh)
    fail("no packages given (pass FILE.apk..., or --merge to rewrite the index, or --refresh)");
  index::IndexBuildOptions options;
  options.output = args.output;
  if (!args.source_index.empty()) options.source_index = args.source_index;
  options.merge = args.merge || args.refresh;
  options.description = args.description;
  if (args.refresh && args.description.empty()) {
    // The same content and description, a higher version, a later expiry (index_freshness.h).
    if (!std::filesystem::exists(args.output)) fail("--refresh: {} does not exist", args.output);
    options.description =
        index::strip_freshness(index::parse_index_archive(read_file(args.output), args.output).description);
  }
  if (!args.expires_in.empty() || args.refresh) {
    std::chrono::seconds expires = parse_timeout(args.expires_in.empty() ? "7d" : args.expires_in);
    if (expires.count() <= 0) fail("--expires-in '{}': expected a duration such as 7d, 12h", args.expires_in);
    options.expires_in = expires.count();
  }
  options.arch = args.arch;
  apk::Keyring keyring = args.keyring.load();
  options.allow_untrusted = args.keyring.allow_untrusted;
  options.mtime = source_date_epoch_or_zero();
  options.threads = args.threads;
  LoadedSigner signer;
  if (!args.signing_key.empty()) {
    signer = load_signer(args.signing_key, args.sha1_signature);
    options.signer = signer.signer;
    // melange's `index --signing-key K.rsa *.apk`: packages signed by K are trusted without
    // --keyring K.rsa.pub; any other signer still needs its key in the keyring.
    keyring.add_key(signer.signer.key_name, signer.key->public_key());
  }
  options.keyring = &keyring;
  index::IndexBuildStats stats = index::build_index_of_files(args.files, options);
  for (const auto& warning : stats.warnings) fmt::print(stderr, "lupine: warning: {}\n", warning);
  fmt::print("{}: {} packages ({} read, {} unchanged{}){}\n", args.output, stats.records, stats.read, stats.reused,
             args.merge ? fmt::format(", {} kept from the old index", stats.merged) : "",
             signer.key ? ", signed by " + signer.signer.key_name : "");
}

void setup(Command& app) {
  auto args = std::make_shared<IndexArgs>();
  auto* command = app.add_subcommand("index", "Create or update a repository index (APKINDEX.tar.gz) from packages");
  command->add_option("-o,--output", args->output, "Index to write (default APKINDEX.tar.gz)");
  command->add_option("-s,--source,--source-index", args->source_index,
                      "Old index whose records are reused for unchanged packages (default: the output, if it exists)");
  command->add_flag("-m,--merge", args->merge, "Keep the old index's packages that are not given");
  command->add_option("-d,--description", args->description, "DESCRIPTION of the index (at most 160 bytes)");
  command->add_option("-a,--arch", args->arch, "Refuse packages of another architecture (noarch is accepted)");
  command->add_option("--signing-key", args->signing_key, "RSA private key (NAME.rsa) to sign the index with")
      ->check(kExistingFile);
  command->add_flag("--sha1-signature", args->sha1_signature, "Legacy SHA-1 signature (.SIGN.RSA.)");
  command->add_option("--threads", args->threads, "Packages read in parallel (default: one per core)");
  command->add_option("--expires-in", args->expires_in,
                      "Give the index a version one above the old one's and an expiry this far ahead (7d, 12h), "
                      "which clients check against rollback and freeze");
  command->add_flag("--refresh", args->refresh,
                    "Re-sign the index as it is with a higher version and a later expiry (--expires-in, default 7d)");
  args->keyring.add_to(*command);
  // No kExistingFile check: build_index stats every file anyway (and names each one it cannot
  // read), and a second stat of each of thousands of packages is measurable in an incremental run.
  command->add_option("files", args->files, "Packages (.apk) to index");
  command->callback([args] { run(*args); });
}

LUPINE_NAMED_COMMAND(70, "index", setup);

}  // namespace
}  // namespace lupine::cli
