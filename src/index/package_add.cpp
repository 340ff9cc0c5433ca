#include "index/package_add.h"

#include "apk/dependency.h"
#include "apk/package.h"
#include "apk/provenance.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/parallel.h"
#include "common/process.h"
#include "index/busybox_links.h"
#include "index/index_freshness.h"

#include <algorithm>
#include <exception>
#include <optional>
#include <thread>
#include <vector>

namespace lupine::index {
namespace {

std::vector<std::string> nonempty_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
    if (!line.empty()) lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

}  // namespace

RepositorySet::RepositorySet(std::vector<std::string> lines, std::string arch, const apk::Keyring& keyring,
                             bool allow_untrusted, FetchOptions fetch,
                             const std::function<void(const std::string&)>& on_warning)
    : lines_(std::move(lines)), arch_(std::move(arch)), keyring_(keyring), fetch_(std::move(fetch)) {
  for (const auto& line : lines_) {
    indexes_.push_back(load_index(Repository::parse(line), arch_, keyring_, allow_untrusted, fetch_));
    const LoadedIndex& loaded = indexes_.back();
    if (!loaded.warning.empty() && on_warning) on_warning(loaded.warning);
    // Rollback and freeze (index_freshness.h), against what this cache has seen of the repository.
    FreshnessCheck check{fetch_.cache_dir, fetch_.allow_stale_index, fetch_.now};
    for (const auto& warning : check_index_freshness(loaded.repository.to_line(), arch_, loaded.description, check))
      if (on_warning) on_warning(warning);
  }
}

size_t RepositorySet::leave_out(const std::function<bool(const LoadedIndex&, const IndexRecord&)>& picks) {
  size_t taken = 0;
  for (LoadedIndex& loaded : indexes_)
    taken += std::erase_if(loaded.records, [&](const IndexRecord& record) { return picks(loaded, record); });
  return taken;
}

RootState load_root_state(const std::filesystem::path& root) {
  RootState state;
  std::filesystem::path db = root / "lib/apk/db/installed";
  state.exists = std::filesystem::exists(db);
  if (state.exists) state.installed = parse_installed_db(read_file(db), db.string());
  std::filesystem::path world = root / "etc/apk/world";
  if (std::filesystem::exists(world)) state.world = nonempty_lines(read_file(world));
  return state;
}

std::vector<std::string> merge_world(std::vector<std::string> world, const std::vector<std::string>& atoms) {
  for (const auto& atom : atoms) {
    std::string name = apk::parse_dependency(atom).name;
    std::erase_if(world, [&](const std::string& entry) { return apk::parse_dependency(entry).name == name; });
    world.push_back(atom);
  }
  std::sort(world.begin(), world.end());
  return world;
}

AddPlan plan_add(const RepositorySet& repos, const RootState& state, const std::vector<std::string>& atoms) {
  AddPlan plan;
  plan.world = merge_world(state.world, atoms);

  SolverRequest request;
  for (const auto& loaded : repos.indexes()) {
    SolverRepository repository;
    repository.tag = loaded.repository.tag();
    repository.packages = loaded.records;
    request.repositories.push_back(std::move(repository));
  }
  for (const auto& package : state.installed) request.installed.push_back({&package.record, package.repository_tag});
  for (const auto& entry : plan.world) request.world.push_back(apk::parse_dependency(entry));
  for (const auto& atom : atoms) request.name_flags.push_back({apk::parse_dependency(atom).name, 0, 0});
  request.arches = {repos.arch()};
  plan.solution = solve(request);
  return plan;
}

std::vector<const IndexRecord*> resulting_packages(const AddPlan& plan) {
  std::vector<const IndexRecord*> result;
  for (const auto& change : plan.solution.changes)
    if (change.new_package) result.push_back(change.new_package);
  return result;
}

InstallReport apply_add(const RepositorySet& repos, const AddPlan& plan, const std::filesystem::path& root,
                        InstallOptions options) {
  if (!plan.solution.ok()) throw Error("unable to select packages:\n" + render_problems(plan.solution));

  // Fetch and verify every package to install: its identity must be the one the (verified) index
  // lists, its datahash and per-file checksums must hold. Fetched in order; inflated, hashed and
  // verified on several threads (the CPU half of an install: gzip and SHA-1 over every file).
  struct Pending {
    const Change* change = nullptr;
    std::string bytes, origin;
    std::string provenance_sha256;  // of the envelope, when require_provenance
    std::optional<apk::Package> package;
    std::exception_ptr error;
  };
  std::vector<Pending> pending;
  InstallPlan install;
  for (const auto& change : plan.solution.changes) {
    if (change.kind == ChangeKind::purge) {
      install.remove.push_back(change.old_package->name);
      continue;
    }
    if (!change.does_something() || !change.new_package) continue;
    throw_if_interrupted();  // only set while an InterruptGuard lives (a build making its root)
    if (change.repository < 0)
      throw Error(change.new_package->name + "-" + change.new_package->version + ": no repository can deliver it");
    const auto& loaded = repos.indexes()[static_cast<size_t>(change.repository)];
    Pending entry;
    entry.change = &change;
    entry.bytes = fetch_package(loaded.repository, repos.arch(), *change.new_package, repos.fetch_options());
    entry.origin = loaded.repository.package_location(repos.arch(), *change.new_package);
    pending.push_back(std::move(entry));
  }
  const bool require_provenance = options.require_provenance;
  auto verify_one = [&](Pending& entry) {
    try {
      entry.package.emplace(apk::Package::parse(std::move(entry.bytes), entry.origin));
      check_package_matches(*entry.package, *entry.change->new_package);
      apk::VerifyOptions verify;
      verify.allow_untrusted = true;  // trust comes from the signed index through the identity
      apk::verify_package(*entry.package, repos.keyring(), verify);
      if (require_provenance) {
        const auto& loaded = repos.indexes()[static_cast<size_t>(entry.change->repository)];
        const IndexRecord& record = *entry.change->new_package;
        std::optional<std::string> envelope =
            fetch_provenance(loaded.repository, repos.arch(), record, repos.fetch_options());
        if (!envelope)
          fail("{}: no provenance ({}.intoto.jsonl), which --require-provenance asks for", entry.origin, entry.origin);
        apk::verify_provenance(*envelope, entry.package->bytes(),
                               std::filesystem::path(entry.origin).filename().string(), repos.keyring(),
                               entry.origin + ".intoto.jsonl");
        entry.provenance_sha256 = sha256_hex(*envelope);
      }
    } catch (...) {
      entry.error = std::current_exception();
    }
  };
  parallel_for(pending.size(), std::clamp(std::thread::hardware_concurrency(), 1u, 8u),
               [&](size_t i) { verify_one(pending[i]); });
  for (auto& entry : pending) {
    if (entry.error) std::rethrow_exception(entry.error);  // the first failing package in plan order
    install.install.push_back({&*entry.package, *entry.change->new_package, entry.change->new_tag});
  }
  install.world = plan.world;
  if (options.arch.empty()) options.arch = repos.arch();
  if (!options.repositories) options.repositories = repos.lines();
  InstallReport report = install_packages(root, install, options);
  for (const auto& entry : pending)
    if (!entry.provenance_sha256.empty())
      report.provenance_sha256[entry.change->new_package->name + "-" + entry.change->new_package->version] =
          entry.provenance_sha256;
  report.busybox_links = install_busybox_links(root, load_root_state(root).installed).created;
  return report;
}

}  // namespace lupine::index
