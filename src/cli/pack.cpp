// lupine pack DIR -o OUT.apk --name N --version V --arch A [...]: package a directory tree.
#include "apk/dependency.h"
#include "apk/package_writer.h"
#include "apk/version.h"
#include "cli/command.h"
#include "cli/signing.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/source_date.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>

namespace lupine::cli {
namespace {

struct PackArgs {
  std::string directory, output, name, version, arch, description, url, license, origin, commit, maintainer;
  std::vector<std::string> depends, provides, replaces, install_if, triggers, scripts;
  std::optional<int64_t> provider_priority, replaces_priority;
  std::string signing_key;
  bool sha1_signature = false;
  bool keep_owners = false;
  int level = 6;
  unsigned threads = 0;
  bool json = false;
};

void check_dependencies(const std::vector<std::string>& atoms, std::string_view flag) {
  for (const auto& atom : atoms) {
    auto dependency = apk::parse_dependency(atom);
    if (dependency.broken) fail("{} '{}': the version is not a valid apk version", flag, atom);
  }
}

void run(const PackArgs& args) {
  if (!apk::version_valid(args.version))
    fail("--version '{}' is not a valid apk version (e.g. 1.2.3-r0)", args.version);
  check_dependencies(args.depends, "--depends");
  check_dependencies(args.provides, "--provides");
  check_dependencies(args.replaces, "--replaces");
  check_dependencies(args.install_if, "--install-if");
  if (args.level < 1 || args.level > 9) fail("--level must be 1..9, got {}", args.level);

  apk::PackOptions options;
  apk::PkgInfo& info = options.info;
  info.pkgname = args.name;
  info.pkgver = args.version;
  info.arch = args.arch;
  info.pkgdesc = args.description;
  info.url = args.url;
  info.license = args.license;
  info.origin = args.origin.empty() ? args.name : args.origin;
  info.commit = args.commit;
  info.maintainer = args.maintainer;
  info.depends = args.depends;
  info.provides = args.provides;
  info.replaces = args.replaces;
  info.install_if = args.install_if;
  info.triggers = args.triggers;
  info.provider_priority = args.provider_priority;
  info.replaces_priority = args.replaces_priority;
  options.mtime = source_date_epoch_or_zero();
  options.level = args.level;
  options.threads = args.threads;
  options.keep_owners = args.keep_owners;
  for (const auto& script : args.scripts) {
    size_t equals = script.find('=');
    if (equals == std::string::npos) fail("--script '{}': expected .TYPE=FILE, e.g. .post-install=setup.sh", script);
    options.scripts.emplace_back(script.substr(0, equals), read_file(script.substr(equals + 1)));
  }
  LoadedSigner signer;
  if (!args.signing_key.empty()) {
    signer = load_signer(args.signing_key, args.sha1_signature);
    options.signer = signer.signer;
  }

  auto start = std::chrono::steady_clock::now();
  apk::PackResult result = apk::pack_directory(args.directory, options, args.output);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (args.json) {
    nlohmann::json out = {{"file", args.output},        {"name", result.info.pkgname},
                          {"version", result.info.pkgver}, {"arch", result.info.arch},
                          {"size", result.info.size},      {"file_size", result.file_size},
                          {"datahash", result.info.datahash}, {"identity", result.identity},
                          {"signed_by", options.signer.key ? options.signer.key_name : ""},
                          {"seconds", seconds}};
    fmt::print("{}\n", out.dump(2));
  } else {
    fmt::print("{}: {}-{} ({}), {} bytes installed, {} bytes packed{}\n", args.output, result.info.pkgname,
               result.info.pkgver, result.info.arch, result.info.size, result.file_size,
               options.signer.key ? ", signed by " + options.signer.key_name : ", unsigned");
  }
}

void setup(Command& app) {
  auto args = std::make_shared<PackArgs>();
  auto* command = app.add_subcommand("pack", "Package a directory tree as a signed APK");
  command->add_option("directory", args->directory, "Tree to package")->required()->check(kExistingDirectory);
  command->add_option("-o,--output", args->output, "Output .apk file")->required();
  command->add_option("--name", args->name, "Package name")->required();
  command->add_option("--version", args->version, "Package version, e.g. 1.2.3-r0")->required();
  command->add_option("--arch", args->arch, "Architecture, e.g. x86_64, aarch64, noarch")->required();
  command->add_option("--description", args->description, "One-line description");
  command->add_option("--url", args->url, "Upstream URL");
  command->add_option("--license", args->license, "SPDX license expression");
  command->add_option("--origin", args->origin, "Origin (source package) name; default: the name");
  command->add_option("--commit", args->commit, "Source commit");
  command->add_option("--maintainer", args->maintainer, "Maintainer, 'Name <email>'");
  command->add_option("--depends", args->depends, "Runtime dependency (repeatable)");
  command->add_option("--provides", args->provides, "Provided name, optionally =version (repeatable)");
  command->add_option("--replaces", args->replaces, "Package whose files this one may overwrite (repeatable)");
  command->add_option("--install-if", args->install_if, "install_if dependency (repeatable)");
  command->add_option("--trigger", args->triggers, "Trigger directory glob (repeatable)");
  command->add_option("--provider-priority", args->provider_priority, "provider_priority");
  command->add_option("--replaces-priority", args->replaces_priority, "replaces_priority");
  command->add_option("--script", args->scripts, "Scriptlet .TYPE=FILE, e.g. .post-install=setup.sh (repeatable)");
  command->add_option("--signing-key", args->signing_key, "RSA private key (NAME.rsa) to sign with")
      ->check(kExistingFile);
  command->add_flag("--sha1-signature", args->sha1_signature, "Sign with legacy SHA-1 (.SIGN.RSA.) instead of SHA-256");
  command->add_flag("--keep-owners", args->keep_owners, "Keep file owners from the tree (default: root:root)");
  command->add_option("--level", args->level, "gzip level of the data member (1-9)")->capture_default_str();
  command->add_option("--threads", args->threads, "Compression threads (default: one per core)");
  command->add_flag("--json", args->json, "Print the result as JSON");
  command->callback([args] { run(*args); });
}

LUPINE_COMMAND(20, setup);

}  // namespace
}  // namespace lupine::cli
