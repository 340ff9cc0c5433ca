// lupine image check IMAGE|CONFIG [--arch A] [--json]
// Will the image's programs run? IMAGE is an OCI layout DIR[:TAG] or a docker archive (a CONFIG is
// built into a temporary layout first); its layers
// are read (every blob checked against its digest) into a tree in memory and checked
// (image/image_check.h): each finding with its severity, the file and why. Exit 1 when there is
// an error; warnings and notes (the attack surface) do not fail.
#include "apk/arch.h"
#include "cli/command.h"
#include "common/fs.h"
#include "image/build.h"
#include "image/config.h"
#include "image/image_check.h"
#include "index/http_fetch.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>

namespace lupine::cli {
namespace {

struct CheckArgs {
  std::string image;
  std::string arch;
  std::string cache_dir;
  bool json = false;
};

bool is_config(const std::string& argument) {
  std::error_code error;
  return (argument.ends_with(".yaml") || argument.ends_with(".yml")) && std::filesystem::is_regular_file(argument, error);
}

void run(const CheckArgs& args) {
  const std::string apk_arch = apk::apk_arch_or_host(args.arch);
  std::string reference = args.image;
  // A config: its image for this arch, built into a temporary layout first (and thrown away).
  std::optional<TempDir> built;
  if (is_config(args.image)) {
    built.emplace("lupine-image-check");
    image::BuildOptions options;
    options.archs = {apk_arch};
    options.cache_dir = args.cache_dir.empty() ? index::default_cache_dir() : std::filesystem::path(args.cache_dir);
    options.sbom_dir = built->path() / "sboms";
    options.on_warning = [](const std::string& warning) { fmt::print(stderr, "WARNING: {}\n", warning); };
    image::build_image(image::read_image_config(args.image), built->path() / "oci", options);
    reference = (built->path() / "oci").string();
  }
  auto report = image::check_image_reference(reference, apk::parse_arch(apk_arch)->go);
  size_t errors = report.count(image::Severity::error);
  if (args.json) {
    nlohmann::json out{{"image", args.image},
                       {"manifest", report.manifest_digest},
                       {"errors", errors},
                       {"warnings", report.count(image::Severity::warning)},
                       {"notes", report.count(image::Severity::note)},
                       {"findings", nlohmann::json::array()}};
    for (const auto& f : report.findings)
      out["findings"].push_back({{"severity", image::severity_name(f.severity)}, {"check", f.check}, {"file", f.file},
                                 {"message", f.message}});
    fmt::print("{}\n", out.dump(2));
  } else {
    for (const auto& f : report.findings) fmt::print("{}\n", image::render_finding(f));
    fmt::print("{}: {} error(s), {} warning(s), {} note(s); {} files in {} layer(s)\n", args.image, errors,
               report.count(image::Severity::warning), report.count(image::Severity::note), report.files, report.layers);
  }
  if (errors > 0) throw Exit{1};
}

void setup(Command& app) {
  Command* image = app.get_subcommand("image");
  auto args = std::make_shared<CheckArgs>();
  auto* command = image->add_subcommand("check", "Check that an image's programs can run: libraries, symbol versions, "
                                                 "entrypoint, user, CA bundle, /tmp; list its attack surface");
  command->add_option("IMAGE", args->image, "OCI image layout DIR[:TAG], a docker archive, or an image config (.yaml: "
                                             "built first, into a temporary layout)")
      ->required();
  command->add_option("--cache-dir", args->cache_dir, "Download cache for a config's packages (default: ~/.cache/lupine)");
  command->add_option("--arch", args->arch, "The architecture's image in a multi-arch index (default: this machine's)");
  command->add_flag("--json", args->json, "Print the findings as JSON");
  command->callback([args] { run(*args); });
}

LUPINE_COMMAND(151, setup);

}  // namespace
}  // namespace lupine::cli
