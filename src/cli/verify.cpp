// lupine verify --keyring K... [--allow-untrusted] [--provenance] FILE...: check signatures and integrity of
// packages and of indexes (told apart by content: an index's member after the signature holds APKINDEX).
#include "apk/package.h"
#include "apk/provenance.h"
#include "cli/command.h"
#include "cli/keyring_options.h"
#include "common/error.h"
#include "common/fs.h"
#include "index/index_archive.h"

#include <fmt/format.h>

#include <optional>

namespace lupine::cli {
namespace {

struct VerifyArgs {
  KeyringOptions keyring;
  std::vector<std::string> files;
  bool provenance = false;
};

// --provenance: the package's SLSA provenance beside it (FILE.intoto.jsonl) is signed by a trusted
// key and names this file's sha256 as its subject (apk/provenance.h). Never --allow-untrusted.
std::string verify_provenance_of(const std::string& file, std::string_view bytes, const apk::Keyring& keyring) {
  std::filesystem::path envelope = apk::provenance_path(file);
  if (!std::filesystem::exists(envelope))
    fail("{}: no provenance: expected {} beside it", file, envelope.string());
  apk::ProvenanceCheck check = apk::verify_provenance(read_file(envelope), bytes,
                                                      std::filesystem::path(file).filename().string(), keyring,
                                                      envelope.string());
  return fmt::format("provenance signed by {}, builder {}", check.key_name, check.builder_id);
}

// The signature check of a package or an index; throws with the reason when it fails. Read as a
// package first (an index is small, so trying it second costs little), as an index when that fails
// and the content says so (the member after the signatures holds APKINDEX).
apk::SignatureCheck verify_file(const std::string& file, const std::string& bytes, const apk::Keyring& keyring,
                                bool allow_untrusted) {
  std::optional<apk::Package> package;
  try {
    package = apk::Package::parse(bytes, file);
  } catch (const Error&) {
    if (!index::is_index_archive(bytes)) throw;
    index::IndexArchive archive = index::parse_index_archive(bytes, file);
    return index::verify_index_signature(archive, keyring, allow_untrusted);
  }
  apk::VerifyOptions options;
  options.allow_untrusted = allow_untrusted;
  return apk::verify_package(*package, keyring, options).signature;
}

void run(const VerifyArgs& args) {
  apk::Keyring keyring = args.keyring.load();
  int failures = 0;
  for (const auto& file : args.files) {
    try {
      const std::string bytes = read_file(file);
      apk::SignatureCheck signature = verify_file(file, bytes, keyring, args.keyring.allow_untrusted);
      if (signature.status == apk::SignatureStatus::untrusted)
        fmt::print(stderr, "{}: warning: untrusted signature (signed by {}), allowed by --allow-untrusted\n",
                   file, signature.detail);
      if (signature.status == apk::SignatureStatus::unsigned_)
        fmt::print(stderr, "{}: warning: unsigned, allowed by --allow-untrusted\n", file);
      if (args.provenance && !index::is_index_archive(bytes))
        fmt::print("{}: OK ({})\n", file, verify_provenance_of(file, bytes, keyring));
      else
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

void setup(Command& app) {
  auto args = std::make_shared<VerifyArgs>();
  auto* command = app.add_subcommand("verify", "Verify APK packages (signature, datahash, per-file checksums) and indexes (signature)");
  args->keyring.add_to(*command);
  command->add_option("files", args->files, "Packages or APKINDEX.tar.gz files to verify")->required();
  command->add_flag("--provenance", args->provenance,
                    "Also check each package's signed SLSA provenance (FILE.intoto.jsonl beside it)");
  command->callback([args] { run(*args); });
}

LUPINE_COMMAND(40, setup);

}  // namespace
}  // namespace lupine::cli
