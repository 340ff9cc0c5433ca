// lupine image build CONFIG OUT [--arch A]... [--tag NAME:TAG] [--format oci|docker]
//                   [--sbom-path DIR] [--lockfile LOCK.json] [--cache-dir D] [--json]
// lupine image lock CONFIG [-o LOCK.json] [--arch A]... [--cache-dir D]
// apko-format configs → OCI image layout or docker-archive (image/build.h); lock files as apko's.
#include "apk/arch.h"
#include "cli/command.h"
#include "cli/signing.h"
#include "common/error.h"
#include "common/fs.h"
#include "image/build.h"
#include "image/config.h"
#include "image/image_check.h"
#include "image/lock.h"
#include "image/resolve.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <numeric>

namespace lupine::cli {
namespace {

struct BuildArgs {
  std::string config;
  std::string output;
  std::vector<std::string> archs;
  std::string tag;
  std::string format = "oci";
  std::string sbom_path;
  std::string lockfile;
  std::string cache_dir;
  bool json = false;
  bool check = false;
  bool require_provenance = false;
  bool allow_stale_index = false;
  std::string signing_key;
};

struct LockArgs {
  std::string config;
  std::string output;
  std::vector<std::string> archs;
  std::string cache_dir;
};

void warn(const std::string& warning) { fmt::print(stderr, "WARNING: {}\n", warning); }

void build(const BuildArgs& args) {
  auto started = std::chrono::steady_clock::now();
  image::ImageConfig config = image::read_image_config(args.config);
  image::BuildOptions options;
  options.archs = args.archs;
  options.tag = args.tag;
  if (args.format == "docker") options.format = image::OutputFormat::docker;
  else if (args.format != "oci") fail("--format must be oci or docker, not '{}'", args.format);
  options.sbom_dir = args.sbom_path;
  if (!args.lockfile.empty()) options.lockfile = args.lockfile;
  options.cache_dir = args.cache_dir;
  options.require_provenance = args.require_provenance;
  options.allow_stale_index = args.allow_stale_index;
  options.on_warning = warn;
  std::optional<LoadedSigner> signer;
  if (!args.signing_key.empty()) {
    signer = load_signer(args.signing_key);
    options.signer = signer->signer;
  }
  if (stderr_is_terminal()) options.on_progress = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
  image::BuildResult result = image::build_image(config, args.output, options);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  if (args.json) {
    nlohmann::ordered_json out;
    out["output"] = result.output.string();
    out["format"] = args.format;
    out["index"] = result.index_digest;
    out["seconds"] = seconds;
    if (!result.provenance.empty()) out["provenance"] = result.provenance.string();
    nlohmann::ordered_json archs = nlohmann::ordered_json::array();
    for (const auto& arch : result.archs)
      archs.push_back({{"arch", arch.apk_arch},
                       {"platform", arch.go_arch},
                       {"manifest", arch.manifest_digest},
                       {"layer", arch.layer.digest},
                       {"layer_size", arch.layer.size},
                       {"layers", [&] {
                          nlohmann::ordered_json layers = nlohmann::ordered_json::array();
                          for (const auto& blob : arch.layers) layers.push_back({{"digest", blob.digest}, {"size", blob.size}});
                          return layers;
                        }()},
                       {"packages", arch.packages},
                       {"sbom", arch.sbom.string()}});
    out["archs"] = archs;
    fmt::print("{}\n", out.dump(2));
    return;
  }
  for (const auto& arch : result.archs)
    fmt::print("{} ({}): {} ({} packages, {} {} bytes)\n", arch.apk_arch, arch.go_arch, arch.manifest_digest,
               arch.packages.size(), arch.layers.size() == 1 ? "layer" : fmt::format("{} layers", arch.layers.size()),
               std::accumulate(arch.layers.begin(), arch.layers.end(), uint64_t{0},
                               [](uint64_t sum, const image::LayerBlob& blob) { return sum + blob.size; }));
  fmt::print("{}: index {} in {:.2f}s\n", result.output.string(), result.index_digest, seconds);
  if (!result.provenance.empty()) fmt::print("provenance: {}\n", result.provenance.string());
}

// --check: each architecture's image read back and checked (image/image_check.h); errors fail the
// command, the image stays where it was written.
void check_built(const BuildArgs& args) {
  image::ImageConfig config = image::read_image_config(args.config);
  size_t errors = 0;
  for (const auto& arch : image::select_archs(config, args.archs)) {
    auto report = image::check_image_reference(args.output, apk::parse_arch(arch)->go);
    for (const auto& f : report.findings)
      if (f.severity != image::Severity::note) fmt::print(stderr, "{} ({}): {}\n", args.output, arch, image::render_finding(f));
    errors += report.count(image::Severity::error);
  }
  if (errors > 0) fail("image check: {} error(s) in {} (the image was written; `lupine image check` tells more)", errors, args.output);
}

void lock(const LockArgs& args) {
  image::ImageConfig config = image::read_image_config(args.config);
  index::FetchOptions fetch;
  fetch.cache_dir = args.cache_dir.empty() ? index::default_cache_dir() : std::filesystem::path(args.cache_dir);
  image::Lock lock = image::make_lock(config, image::select_archs(config, args.archs), fetch, warn);
  std::string output = args.output;
  if (output.empty()) output = config.file.stem().string() + ".lock.json";
  write_file_atomic(output, image::lock_to_json(lock), 0644);
  if (stderr_is_terminal()) fmt::print(stderr, "{}: {} package(s) pinned\n", output, lock.packages.size());
}

void setup(Command& app) {
  auto* image = app.add_subcommand("image", "Assemble OCI images from apko-format configs");
  image->require_subcommand(1);

  auto build_args = std::make_shared<BuildArgs>();
  auto* build_command = image->add_subcommand("build", "Build an OCI image layout (or docker archive) from a config");
  build_command->add_option("config", build_args->config, "apko-format image configuration (YAML)")->required();
  build_command->add_option("output", build_args->output,
                            "Output: OCI layout directory (created or replaced), or the tar with --format docker")
      ->required();
  build_command->add_option("--arch", build_args->archs, "Architecture (apk or Go name; repeatable; default: the config's)");
  build_command->add_option("--tag", build_args->tag, "Image reference NAME:TAG (index.json ref.name, docker RepoTags)");
  build_command->add_option("--format", build_args->format, "oci (layout directory) or docker (docker load tar)");
  build_command->add_option("--sbom-path", build_args->sbom_path, "Directory for the SPDX SBOMs (default: OUT/sboms)");
  build_command->add_option("--lockfile", build_args->lockfile, "Install exactly the packages of this lock file");
  build_command->add_option("--cache-dir", build_args->cache_dir, "Download cache (default: ~/.cache/lupine)");
  build_command->add_flag("--require-provenance", build_args->require_provenance,
                          "Refuse a package without its signed SLSA provenance beside it in the repository");
  build_command->add_option("--signing-key", build_args->signing_key,
                            "RSA private key to sign the image's SLSA provenance with (written to OUT.intoto.jsonl)");
  build_command->add_flag("--allow-stale-index", build_args->allow_stale_index,
                          "Use a rolled-back or expired repository index, with a warning");
  build_command->add_flag("--json", build_args->json, "Print a JSON summary");
  build_command->add_flag("--check", build_args->check,
                          "Then check the image (as `image check`): exit 1 when a library, symbol version, entrypoint, "
                          "user, CA bundle or /tmp is wrong");
  build_command->callback([build_args] {
    build(*build_args);
    if (build_args->check) check_built(*build_args);
  });

  auto lock_args = std::make_shared<LockArgs>();
  auto* lock_command = image->add_subcommand("lock", "Pin every package of a config (apko lock file v1)");
  lock_command->add_option("config", lock_args->config, "apko-format image configuration (YAML)")->required();
  lock_command->add_option("-o,--output", lock_args->output, "Lock file to write (default: <config>.lock.json)");
  lock_command->add_option("--arch", lock_args->archs, "Architecture (repeatable; default: the config's)");
  lock_command->add_option("--cache-dir", lock_args->cache_dir, "Download cache (default: ~/.cache/lupine)");
  lock_command->callback([lock_args] { lock(*lock_args); });
}

LUPINE_COMMAND(150, setup);

}  // namespace
}  // namespace lupine::cli
