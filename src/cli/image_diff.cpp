// lupine image diff A B [--arch A] [--json]
// What changed from image A to image B (each an OCI layout DIR[:TAG] or a docker archive):
// packages, files, layer sizes and the attack surface (image/image_diff.h). Exit 0 either way.
#include "apk/arch.h"
#include "cli/command.h"
#include "image/image_diff.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <memory>

namespace lupine::cli {
namespace {

struct DiffArgs {
  std::string before, after;
  std::string arch;
  bool json = false;
};

std::string signed_delta(uint64_t before, uint64_t after) {
  return after >= before ? fmt::format("+{}", after - before) : fmt::format("-{}", before - after);
}

void run(const DiffArgs& args) {
  const std::string go = apk::parse_arch(apk::apk_arch_or_host(args.arch))->go;
  image::ImageDiff diff = image::diff_images(image::read_image(args.before, go), image::read_image(args.after, go));
  const uint64_t before = diff.total(diff.layers_before), after = diff.total(diff.layers_after);
  if (args.json) {
    nlohmann::json out{{"before", args.before}, {"after", args.after}, {"packages", nlohmann::json::array()},
                       {"files", nlohmann::json::array()}, {"layers_before", diff.layers_before},
                       {"layers_after", diff.layers_after}, {"size_before", before}, {"size_after", after},
                       {"surface_added", diff.surface_added}, {"surface_removed", diff.surface_removed}};
    for (const auto& p : diff.packages)
      out["packages"].push_back({{"name", p.name}, {"change", p.what}, {"before", p.before}, {"after", p.after}});
    for (const auto& f : diff.files) out["files"].push_back({{"path", f.path}, {"change", f.what}});
    fmt::print("{}\n", out.dump(2));
    return;
  }
  fmt::print("packages: {} changed\n", diff.packages.size());
  for (const auto& p : diff.packages) {
    if (p.what == "added") fmt::print("  + {} {}\n", p.name, p.after);
    else if (p.what == "removed") fmt::print("  - {} {}\n", p.name, p.before);
    else fmt::print("  ~ {} {} -> {} ({})\n", p.name, p.before, p.after, p.what);
  }
  fmt::print("files: {} changed\n", diff.files.size());
  for (const auto& f : diff.files)
    fmt::print("  {} {}{}\n", f.what == "added" ? '+' : f.what == "removed" ? '-' : '~', f.path,
               f.what == "added" || f.what == "removed" ? "" : " (" + f.what + ")");
  for (size_t i = 0; i < std::max(diff.layers_before.size(), diff.layers_after.size()); ++i) {
    uint64_t x = i < diff.layers_before.size() ? diff.layers_before[i] : 0, y = i < diff.layers_after.size() ? diff.layers_after[i] : 0;
    fmt::print("layer {}: {} -> {} bytes ({})\n", i + 1, x, y, signed_delta(x, y));
  }
  fmt::print("total: {} -> {} bytes ({})\n", before, after, signed_delta(before, after));
  for (const auto& s : diff.surface_added) fmt::print("attack surface + {}\n", s);
  for (const auto& s : diff.surface_removed) fmt::print("attack surface - {}\n", s);
}

void setup(Command& app) {
  Command* image = app.get_subcommand("image");
  auto args = std::make_shared<DiffArgs>();
  auto* command = image->add_subcommand("diff", "What changed between two images: packages, files, sizes, attack surface");
  command->add_option("A", args->before, "The image before: OCI layout DIR[:TAG], or a docker archive")->required();
  command->add_option("B", args->after, "The image after")->required();
  command->add_option("--arch", args->arch, "The architecture's image in a multi-arch index (default: this machine's)");
  command->add_flag("--json", args->json, "Print the differences as JSON");
  command->callback([args] { run(*args); });
}

LUPINE_COMMAND(152, setup);

}  // namespace
}  // namespace lupine::cli
