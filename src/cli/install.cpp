// lupine install --root R [--initdb] --repository REPO... --keyring K... [--allow-untrusted]
//                [--arch A] [--simulate] [--require-provenance] ATOM...
// Resolve the world with the solver, fetch and verify each package, install into R.
#include "cli/command.h"
#include "cli/keyring_options.h"
#include "common/error.h"
#include "common/fs.h"
#include "index/package_add.h"

#include <fmt/format.h>
#include <sys/utsname.h>


namespace lupine::cli {
namespace {

struct InstallArgs {
  std::string root;
  bool initdb = false;
  std::vector<std::string> repositories;
  KeyringOptions keyring;
  std::string arch;
  bool simulate = false;
  bool require_provenance = false;
  bool allow_stale_index = false;
  std::string cache_dir;
  std::vector<std::string> atoms;
};

std::string host_arch() {
  utsname name{};
  ::uname(&name);
  std::string machine = name.machine;
  if (machine == "arm64") return "aarch64";
  return machine;
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

void run(const InstallArgs& args) {
  std::filesystem::path root = args.root;
  if (!std::filesystem::exists(root / "lib/apk/db/installed") && !args.initdb)
    fail("{} has no lib/apk/db/installed: not an apk root (use --initdb to create one)", root.string());

  std::string arch = args.arch;
  if (arch.empty() && std::filesystem::exists(root / "etc/apk/arch"))
    arch = trimmed(read_file(root / "etc/apk/arch"));
  if (arch.empty()) arch = host_arch();

  KeyringOptions keyring_options = args.keyring;
  if (keyring_options.paths.empty() && std::filesystem::is_directory(root / "etc/apk/keys"))
    keyring_options.paths.push_back((root / "etc/apk/keys").string());
  apk::Keyring keyring = keyring_options.load();

  index::RootState state = index::load_root_state(root);
  std::vector<std::string> repository_lines = args.repositories;
  if (repository_lines.empty() && std::filesystem::exists(root / "etc/apk/repositories"))
    for (const auto& repository : index::Repository::parse_list(read_file(root / "etc/apk/repositories"),
                                                                 (root / "etc/apk/repositories").string()))
      repository_lines.push_back(repository.to_line());
  if (repository_lines.empty()) fail("no repositories: give --repository or list them in etc/apk/repositories");

  index::FetchOptions fetch;
  fetch.cache_dir = args.cache_dir.empty() ? index::default_cache_dir() : std::filesystem::path(args.cache_dir);
  fetch.allow_stale_index = args.allow_stale_index;
  auto warn = [](const std::string& warning) { fmt::print(stderr, "WARNING: {}\n", warning); };
  index::RepositorySet repos(repository_lines, arch, keyring, keyring_options.allow_untrusted, fetch, warn);

  index::AddPlan plan = index::plan_add(repos, state, args.atoms);
  for (const auto& warning : plan.solution.warnings) warn(warning);
  if (!plan.solution.ok()) {
    fmt::print(stderr, "{}", index::render_problems(plan.solution));
    throw Exit{1};
  }
  if (args.simulate) {
    fmt::print("{}{}", index::render_changes(plan.solution), index::render_summary(plan.solution));
    return;
  }

  index::InstallOptions options;
  for (const auto& path : keyring_options.paths) options.keys.push_back(path);
  options.on_progress = [](const std::string& line) { fmt::print("{}\n", line); };
  options.on_warning = warn;
  options.require_provenance = args.require_provenance;
  index::InstallReport report = index::apply_add(repos, plan, root, options);
  // Where apk-tools would print "Executing busybox-1.37.0-r0.trigger".
  if (report.busybox_links) fmt::print("busybox: {} applet links\n", report.busybox_links);
  fmt::print("{}", index::render_summary(plan.solution));
}

void setup(Command& app) {
  auto args = std::make_shared<InstallArgs>();
  auto* command = app.add_subcommand("install", "Resolve, fetch, verify and install packages into a root");
  command->add_option("--root", args->root, "Root directory to install into")->required();
  command->add_flag("--initdb", args->initdb, "Create the root's package database");
  command->add_option("-X,--repository", args->repositories,
                      "Repository: directory, file:// or http(s):// URL, optionally '@tag URL' (repeatable)");
  args->keyring.add_to(*command);
  command->add_option("--arch", args->arch, "Architecture (default: the root's etc/apk/arch, else this machine's)");
  command->add_flag("-s,--simulate", args->simulate, "Print what would be done; change nothing");
  command->add_flag("--allow-stale-index", args->allow_stale_index,
                    "Use an index older than one seen before (rollback) or past its expiry (freeze), with a warning");
  command->add_flag("--require-provenance", args->require_provenance,
                    "Refuse a package without its signed SLSA provenance beside it in the repository (*.apk.intoto.jsonl)");
  command->add_option("--cache-dir", args->cache_dir, "Download cache (default: ~/.cache/lupine)");
  command->add_option("atoms", args->atoms, "Packages or dependency atoms, e.g. busybox 'curl>=8'");
  command->callback([args] { run(*args); });
}

LUPINE_NAMED_COMMAND(110, "install", setup);

}  // namespace
}  // namespace lupine::cli
