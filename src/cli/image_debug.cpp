// lupine image debug IMAGE [--repository R]... [--keyring K]... [--toolbox PKG]... [--user U]
//   [--arch A] [-- CMD...]
// A shell (or CMD) in an image, read-only, with a toolbox at /.debug that the image does not
// carry (image/image_debug.h). The image is only read: its digests do not change. Exit status:
// the command's.
#include "apk/arch.h"
#include "cli/command.h"
#include "cli/keyring_options.h"
#include "image/image_debug.h"
#include "index/http_fetch.h"

#include <memory>

namespace lupine::cli {
namespace {

struct DebugArgs {
  std::string image;
  std::vector<std::string> repositories;
  KeyringOptions keyring;
  std::vector<std::string> toolbox;
  std::string user;
  std::string arch;
  std::string cache_dir;
  std::vector<std::string> command;
};

void run(const DebugArgs& args) {
  image::DebugOptions options;
  options.apk_arch = apk::apk_arch_or_host(args.arch);
  options.go_arch = apk::parse_arch(options.apk_arch)->go;
  options.repositories = args.repositories;
  options.keyring = args.keyring.paths;
  options.allow_untrusted = args.keyring.allow_untrusted;
  options.toolbox.insert(options.toolbox.end(), args.toolbox.begin(), args.toolbox.end());
  options.user = args.user;
  options.cache_dir = args.cache_dir.empty() ? index::default_cache_dir() : std::filesystem::path(args.cache_dir);
  options.command = args.command;
  int status = image::debug_image(args.image, options);
  if (status != 0) throw Exit{status};
}

void setup(Command& app) {
  Command* image = app.get_subcommand("image");
  auto args = std::make_shared<DebugArgs>();
  auto* command = image->add_subcommand(
      "debug", "Run a shell (or a command) in an image, read-only, with a toolbox at /.debug; the image is not changed");
  command->add_option("IMAGE", args->image, "OCI image layout DIR[:TAG], or a docker archive")->required();
  command->add_option("-X,--repository", args->repositories, "Repository of the toolbox's packages (repeatable)")->required();
  args->keyring.add_to(*command);
  command->add_option("--toolbox", args->toolbox, "Another package for the toolbox (repeatable; busybox always, "
                                                  "strace and gdb when a repository has them)");
  command->add_option("--user", args->user, "Run as this user[:group] of the image (default: the image's)");
  command->add_option("--arch", args->arch, "The architecture's image in a multi-arch index (default: this machine's)");
  command->add_option("--cache-dir", args->cache_dir, "Download cache (default: ~/.cache/lupine)");
  command->add_option("CMD", args->command, "The command to run (after --), instead of the toolbox's shell");
  command->callback([args] { run(*args); });
}

LUPINE_COMMAND(153, setup);

}  // namespace
}  // namespace lupine::cli
