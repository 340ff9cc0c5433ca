// lupine install --root R [--initdb] --repository REPO... --keyring K... [--allow-untrusted]
//                [--arch A] [--simulate] ATOM...
// Resolve the world with the solver, fetch and verify each package, install into R.
#include "apk/dependency.h"
#include "apk/package.h"
#include "cli/command.h"
#include "cli/keyring_options.h"
#include "common/error.h"
#include "common/fs.h"
#include "index/installed_db.h"
#include "index/installer.h"
#include "index/repository.h"
#include "index/solver.h"

#include <fmt/format.h>
#include <sys/utsname.h>

#include <algorithm>
#include <deque>

namespace lupine::cli {
namespace {

struct InstallArgs {
  std::string root;
  bool initdb = false;
  std::vector<std::string> repositories;
  KeyringOptions keyring;
  std::string arch;
  bool simulate = false;
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

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty()) lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

// apk add: each new atom replaces a world entry of the same name.
std::vector<std::string> merge_world(std::vector<std::string> world, const std::vector<std::string>& atoms) {
  for (const auto& atom : atoms) {
    std::string name = apk::parse_dependency(atom).name;
    world.erase(std::remove_if(world.begin(), world.end(),
                               [&](const std::string& entry) { return apk::parse_dependency(entry).name == name; }),
                world.end());
    world.push_back(atom);
  }
  std::sort(world.begin(), world.end());
  return world;
}

void run(const InstallArgs& args) {
  std::filesystem::path root = args.root;
  bool is_root = std::filesystem::exists(root / "lib/apk/db/installed");
  if (!is_root && !args.initdb)
    fail("{} has no lib/apk/db/installed: not an apk root (use --initdb to create one)", root.string());

  std::string arch = args.arch;
  if (arch.empty() && std::filesystem::exists(root / "etc/apk/arch"))
    arch = trimmed(read_file(root / "etc/apk/arch"));
  if (arch.empty()) arch = host_arch();

  KeyringOptions keyring_options = args.keyring;
  if (keyring_options.paths.empty() && std::filesystem::is_directory(root / "etc/apk/keys"))
    keyring_options.paths.push_back((root / "etc/apk/keys").string());
  apk::Keyring keyring = keyring_options.load();

  std::vector<std::string> repository_lines = args.repositories;
  if (repository_lines.empty() && std::filesystem::exists(root / "etc/apk/repositories"))
    repository_lines = lines_of(read_file(root / "etc/apk/repositories"));
  if (repository_lines.empty()) fail("no repositories: give --repository or list them in etc/apk/repositories");

  index::FetchOptions fetch;
  fetch.cache_dir = args.cache_dir.empty() ? index::default_cache_dir() : std::filesystem::path(args.cache_dir);

  // Indexes stay alive (and in place) for the solver's record pointers.
  std::deque<index::LoadedIndex> indexes;
  std::vector<index::Repository> repositories;
  for (const auto& line : repository_lines) {
    repositories.push_back(index::Repository::parse(line));
    indexes.push_back(index::load_index(repositories.back(), arch, keyring, keyring_options.allow_untrusted, fetch));
    if (!indexes.back().warning.empty()) fmt::print(stderr, "warning: {}\n", indexes.back().warning);
  }

  std::vector<index::InstalledDbPackage> installed;
  if (is_root) installed = index::parse_installed_db(read_file(root / "lib/apk/db/installed"),
                                                     (root / "lib/apk/db/installed").string());
  std::vector<std::string> world;
  if (std::filesystem::exists(root / "etc/apk/world")) world = lines_of(read_file(root / "etc/apk/world"));
  world = merge_world(world, args.atoms);

  index::SolverRequest request;
  for (const auto& loaded : indexes) {
    index::SolverRepository repository;
    repository.tag = loaded.repository.tag();
    repository.packages = loaded.records;
    request.repositories.push_back(repository);
  }
  for (const auto& package : installed) request.installed.push_back({&package.record, package.repository_tag});
  for (const auto& entry : world) request.world.push_back(apk::parse_dependency(entry));
  for (const auto& atom : args.atoms) request.name_flags.push_back({apk::parse_dependency(atom).name, 0, 0});
  request.arches = {arch};

  index::Solution solution = index::solve(request);
  for (const auto& warning : solution.warnings) fmt::print(stderr, "WARNING: {}\n", warning);
  if (!solution.ok()) {
    fmt::print(stderr, "{}", index::render_problems(solution));
    throw Exit{1};
  }
  if (args.simulate) {
    fmt::print("{}{}", index::render_changes(solution), index::render_summary(solution));
    return;
  }

  // Fetch and verify every package to install: its identity must be the one the (verified)
  // index lists, its datahash and per-file checksums must hold.
  std::deque<apk::Package> packages;
  index::InstallPlan plan;
  for (const auto& change : solution.changes) {
    if (change.kind == index::ChangeKind::purge) {
      plan.remove.push_back(change.old_package->name);
      continue;
    }
    if (!change.does_something() || !change.new_package) continue;
    if (change.repository < 0)
      fail("{}-{}: no repository can deliver it", change.new_package->name, change.new_package->version);
    const auto& loaded = indexes[static_cast<size_t>(change.repository)];
    std::string bytes = index::fetch_package(loaded.repository, arch, *change.new_package, fetch);
    packages.push_back(apk::Package::parse(
        std::move(bytes), loaded.repository.package_location(arch, *change.new_package)));
    index::check_package_matches(packages.back(), *change.new_package);
    apk::VerifyOptions verify;
    verify.allow_untrusted = true;  // trust comes from the signed index through the identity
    apk::verify_package(packages.back(), keyring, verify);
    plan.install.push_back({&packages.back(), *change.new_package, change.new_tag});
  }
  plan.world = world;

  index::InstallOptions options;
  options.arch = arch;
  options.repositories = repository_lines;
  for (const auto& path : keyring_options.paths) options.keys.push_back(path);
  options.on_progress = [](const std::string& line) { fmt::print("{}\n", line); };
  options.on_warning = [](const std::string& warning) { fmt::print(stderr, "WARNING: {}\n", warning); };
  index::install_packages(root, plan, options);
  fmt::print("{}", index::render_summary(solution));
}

void setup(CLI::App& app) {
  auto args = std::make_shared<InstallArgs>();
  auto* command = app.add_subcommand("install", "Resolve, fetch, verify and install packages into a root");
  command->add_option("--root", args->root, "Root directory to install into")->required();
  command->add_flag("--initdb", args->initdb, "Create the root's package database");
  command->add_option("-X,--repository", args->repositories,
                      "Repository: directory, file:// or http(s):// URL, optionally '@tag URL' (repeatable)");
  args->keyring.add_to(*command);
  command->add_option("--arch", args->arch, "Architecture (default: the root's etc/apk/arch, else this machine's)");
  command->add_flag("-s,--simulate", args->simulate, "Print what would be done; change nothing");
  command->add_option("--cache-dir", args->cache_dir, "Download cache (default: ~/.cache/lupine)");
  command->add_option("atoms", args->atoms, "Packages or dependency atoms, e.g. busybox 'curl>=8'");
  command->callback([args] { run(*args); });
}

LUPINE_COMMAND(110, setup);

}  // namespace
}  // namespace lupine::cli
