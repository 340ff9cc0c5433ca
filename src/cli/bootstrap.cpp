// lupine bootstrap --out-dir DIR --signing-key K.rsa [--arch A] [--spec FILE] [--json]
// A signed, indexed stage-0 repository from the host's installed Debian toolchain
// (builder/bootstrap.h); the package map is melange-recipes/bootstrap/debian.yaml.
#include "builder/bootstrap/bootstrap.h"
#include "cli/command.h"
#include "cli/signing.h"
#include "common/source_date.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace lupine::cli {
namespace {

struct BootstrapArgs {
  std::string out_dir;
  std::string signing_key;
  std::string arch;
  std::string spec;
  std::string dpkg_dir = "/var/lib/dpkg";
  unsigned threads = 0;
  bool json = false;
};

double seconds(std::chrono::milliseconds duration) { return static_cast<double>(duration.count()) / 1000.0; }

void print_json(const builder::BootstrapReport& report) {
  nlohmann::json packages = nlohmann::json::array();
  for (const auto& package : report.packages)
    packages.push_back({{"name", package.name},
                        {"version", package.version},
                        {"debian", package.debian},
                        {"file", package.file.string()},
                        {"size", package.file_size},
                        {"installed_size", package.installed_size},
                        {"depends", package.depends},
                        {"replaces", package.replaces},
                        {"provides", package.provides}});
  nlohmann::json out = {{"arch", report.arch},
                        {"repository", report.repository.string()},
                        {"index", report.index.string()},
                        {"public_key", report.public_key.string()},
                        {"packages", packages},
                        {"scan_warnings", report.scan_warnings},
                        {"seconds",
                         {{"stage", seconds(report.stage_time)},
                          {"scan", seconds(report.scan_time)},
                          {"pack", seconds(report.pack_time)},
                          {"index", seconds(report.index_time)}}}};
  fmt::print("{}\n", out.dump(2));
}

void print_summary(const builder::BootstrapReport& report) {
  uint64_t bytes = 0, installed = 0;
  for (const auto& package : report.packages) {
    bytes += package.file_size;
    installed += package.installed_size;
  }
  fmt::print("{}: {} stage-0 packages, {:.1f} MB ({:.1f} MB installed)\n", report.index.string(),
             report.packages.size(), static_cast<double>(bytes) / 1e6, static_cast<double>(installed) / 1e6);
  fmt::print("staged {:.1f} s, scanned {:.1f} s, packed {:.1f} s, indexed {:.1f} s\n", seconds(report.stage_time),
             seconds(report.scan_time), seconds(report.pack_time), seconds(report.index_time));
  // Files the dependency scanner could not analyse (e.g. ELF objects it does not parse): their
  // dependencies are missing from the index, so they are worth a look, but rarely matter.
  for (size_t i = 0; i < report.scan_warnings.size() && i < 5; ++i)
    fmt::print(stderr, "lupine: warning: {}\n", report.scan_warnings[i]);
  if (report.scan_warnings.size() > 5)
    fmt::print(stderr, "lupine: warning: ... and {} more scanner warnings (see --json)\n",
               report.scan_warnings.size() - 5);
  fmt::print("install with: lupine install --initdb --root ROOT --repository {} --keyring {} build-base busybox\n",
             report.repository.parent_path().string(), report.public_key.string());
}

void run(const BootstrapArgs& args) {
  LoadedSigner signer = load_signer(args.signing_key);
  builder::BootstrapOptions options;
  options.out_dir = args.out_dir;
  options.arch = args.arch;
  options.spec_file = args.spec;
  options.dpkg_dir = args.dpkg_dir;
  options.signer = signer.signer;
  options.mtime = source_date_epoch_or_zero();
  options.threads = args.threads;
  if (stderr_is_terminal()) options.on_progress = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
  options.on_warning = [](const std::string& line) { fmt::print(stderr, "lupine: warning: {}\n", line); };
  builder::BootstrapReport report = builder::bootstrap_repository(options);
  if (args.json) print_json(report);
  else print_summary(report);
}

void setup(Command& app) {
  auto args = std::make_shared<BootstrapArgs>();
  auto* command = app.add_subcommand(
      "bootstrap", "Make a signed stage-0 repository (build-base, gcc, busybox, ...) from the host's Debian toolchain");
  command->add_option("-o,--out-dir", args->out_dir, "Repository directory to write (<DIR>/<arch>/APKINDEX.tar.gz)")
      ->required();
  command->add_option("--signing-key", args->signing_key, "RSA private key (NAME.rsa) to sign packages and index")
      ->required()
      ->check(kExistingFile);
  command->add_option("-a,--arch", args->arch, "Architecture (only this machine's: default)");
  command->add_option("--spec", args->spec,
                      "Stage-0 package map (default: melange-recipes/bootstrap/debian.yaml shipped with lupine)")
      ->check(kExistingFile);
  command->add_option("--dpkg-dir", args->dpkg_dir, "dpkg's database (default /var/lib/dpkg)");
  command->add_option("--threads", args->threads, "Compression threads (default: one per core)");
  command->add_flag("--json", args->json, "Print a JSON summary");
  command->callback([args] { run(*args); });
}

LUPINE_COMMAND(80, setup);

}  // namespace
}  // namespace lupine::cli
