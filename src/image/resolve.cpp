#include "image/resolve.h"

#include "apk/dependency.h"
#include "common/error.h"
#include "index/index_builder.h"
#include "index/repository.h"
#include "index/solver.h"

#include <algorithm>
#include <map>
#include <set>

namespace lupine::image {

ImageKeyring::ImageKeyring(const ImageConfig& config, const index::FetchOptions& fetch) {
  for (const auto& entry : config.contents.keyring) {
    std::filesystem::path file = entry;
    if (entry.starts_with("http://") || entry.starts_with("https://")) {
      if (!downloads_) downloads_ = std::make_unique<TempDir>("lupine-image-keys");
      std::string name = entry.substr(entry.rfind('/') + 1);
      if (name.empty() || name.starts_with('.')) fail("keyring: cannot name a key file after '{}'", entry);
      file = downloads_->path() / name;
      write_file_atomic(file, index::http_get(entry, fetch).body, 0644);
    } else if (!std::filesystem::is_regular_file(file)) {
      fail("keyring: {} is not a key file", entry);
    }
    keyring_.add(file);
    files_.push_back(file);
  }
  names_ = config.contents.keyring_as_written;
}

std::vector<LockedKey> ImageKeyring::locked() const {
  std::vector<LockedKey> out;
  for (size_t i = 0; i < files_.size(); ++i) out.push_back({names_[i], names_[i], read_file(files_[i])});
  return out;
}

std::vector<std::string> build_repository_lines(const ImageConfig& config, bool as_written) {
  const Contents& c = config.contents;
  std::vector<std::string> lines = as_written ? c.build_repositories_as_written : c.build_repositories;
  const auto& repositories = as_written ? c.repositories_as_written : c.repositories;
  lines.insert(lines.end(), repositories.begin(), repositories.end());
  return lines;
}

std::vector<std::string> runtime_repository_lines(const ImageConfig& config) {
  const Contents& c = config.contents;
  std::set<std::string> lines(c.repositories_as_written.begin(), c.repositories_as_written.end());
  lines.insert(c.runtime_repositories_as_written.begin(), c.runtime_repositories_as_written.end());
  return {lines.begin(), lines.end()};
}

namespace {

std::string describe_moves(const std::vector<LockedPackage>& locked, const std::vector<LockedPackage>& now) {
  std::map<std::string, const LockedPackage*> by_name;
  for (const auto& p : now) by_name[p.name] = &p;
  std::string moves;
  std::set<std::string> seen;
  for (const auto& p : locked) {
    seen.insert(p.name);
    auto it = by_name.find(p.name);
    if (it == by_name.end()) moves += fmt::format("\n  {}: locked {} but no longer installed", p.name, p.version);
    else if (it->second->version != p.version)
      moves += fmt::format("\n  {}: locked {}, repositories now give {}", p.name, p.version, it->second->version);
    else if (it->second->checksum != p.checksum)
      moves += fmt::format("\n  {}-{}: locked checksum {}, repositories now give {} (rebuilt under the same version)",
                           p.name, p.version, p.checksum, it->second->checksum);
  }
  for (const auto& p : now)
    if (!seen.contains(p.name)) moves += fmt::format("\n  {}-{}: not in the lock", p.name, p.version);
  return moves;
}

}  // namespace

ArchSolution resolve_arch(const ImageConfig& config, const std::string& apk_arch, const ImageKeyring& keys,
                          const index::FetchOptions& fetch, const std::vector<LockedPackage>* locked,
                          const std::function<void(const std::string&)>& on_warning) {
  std::vector<std::string> lines = build_repository_lines(config);
  if (lines.empty()) fail("contents.repositories: no repositories to install from");
  ArchSolution solution;
  try {
    solution.repos =
        std::make_unique<index::RepositorySet>(lines, apk_arch, keys.keyring(), false, fetch, on_warning);
  } catch (const index::FetchError&) {
    throw;
  } catch (const Error& e) {
    std::string message = e.what();
    if (message.find("UNTRUSTED") == std::string::npos && message.find("unsigned") == std::string::npos) throw;
    fail("{}\n(the image trusts only the keys in contents.keyring: add the repository's public key there)", message);
  }

  std::vector<std::string> atoms = config.contents.packages;
  // apk's world holds one constraint per name (`apk add` replaces an entry of the same name), so
  // two different entries for one package would silently lose one: refuse them instead.
  std::map<std::string, std::string> by_name;
  for (const auto& atom : atoms) {
    auto [it, inserted] = by_name.try_emplace(apk::parse_dependency(atom).name, atom);
    if (!inserted && it->second != atom)
      fail("contents.packages: '{}' and '{}' both constrain {}: conflicting constraints (a world holds one per "
           "package)", it->second, atom, it->first);
  }
  if (locked) {
    atoms.clear();
    for (const auto& p : *locked) atoms.push_back(p.name + "=" + p.version);
    if (atoms.empty()) fail("the lock file pins no packages for {}", apk_arch);
  }
  for (const auto& atom : atoms) apk::parse_dependency(atom);  // a malformed atom is an Error naming it
  solution.plan = index::plan_add(*solution.repos, index::RootState{}, atoms);
  if (on_warning)
    for (const auto& warning : solution.plan.solution.warnings) on_warning(warning);
  if (!solution.plan.solution.ok()) {
    std::string problems = index::render_problems(solution.plan.solution, 1000);
    while (!problems.empty() && problems.back() == '\n') problems.pop_back();
    if (locked)
      fail("{}: cannot install the locked packages (the repositories changed since the lock was made):\n{}", apk_arch,
           problems);
    fail("{}: cannot resolve the image's packages:\n{}", apk_arch, problems);
  }
  if (locked) {
    std::string moves = describe_moves(*locked, locked_packages(config, solution));
    if (!moves.empty()) fail("{}: the packages moved since the lock was made:{}", apk_arch, moves);
    // The world stays what the config asks for, so a locked build makes the same image.
    solution.plan.world = index::merge_world({}, config.contents.packages);
  }
  return solution;
}

std::vector<LockedPackage> locked_packages(const ImageConfig& config, const ArchSolution& solution) {
  std::vector<LockedPackage> out;
  const auto& indexes = solution.repos->indexes();
  std::vector<std::string> written = build_repository_lines(config, true);
  for (const auto& change : solution.plan.solution.changes) {
    if (!change.new_package) continue;
    const auto* record = change.new_package;
    LockedPackage p;
    p.name = record->name;
    p.version = record->version;
    p.architecture = solution.repos->arch();
    p.checksum = record->identity;
    auto repository = static_cast<size_t>(change.repository);
    if (change.repository >= 0 && repository < indexes.size()) {
      const auto& loaded = indexes[repository].repository;
      p.url = loaded.package_location(solution.repos->arch(), *record);
      if (loaded.kind() == index::Repository::Kind::local && repository < written.size())
        p.url = index::Repository::parse(written[repository]).location() + "/" + solution.repos->arch() + "/" +
                index::package_file_name(*record);
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace lupine::image

#include "apk/arch.h"

namespace lupine::image {

std::vector<std::string> select_archs(const ImageConfig& config, const std::vector<std::string>& requested) {
  std::vector<std::string> names = requested;
  if (names.empty()) names = config.archs;
  if (names.empty()) names = {"host"};
  std::vector<apk::Arch> archs;
  for (const auto& given : names) {
    std::string name = given == "host" ? apk::host_apk_arch() : given;
    auto arch = apk::parse_arch(name);
    if (!arch) fail("unknown architecture '{}'", name);
    if (std::none_of(archs.begin(), archs.end(), [&](const apk::Arch& a) { return a.apk == arch->apk; }))
      archs.push_back(*arch);
  }
  std::sort(archs.begin(), archs.end(), [](const apk::Arch& a, const apk::Arch& b) { return a.go < b.go; });
  std::vector<std::string> out;
  for (const auto& arch : archs) out.push_back(arch.apk);
  return out;
}

Lock make_lock(const ImageConfig& config, const std::vector<std::string>& apk_archs, const index::FetchOptions& fetch,
               const std::function<void(const std::string&)>& on_warning) {
  ImageKeyring keys(config, fetch);
  Lock lock;
  lock.config_name = config.file.filename().string();
  lock.config_checksum = config.checksum;
  lock.keyring = keys.locked();
  // Repositories as the config spells them (apko: name "<repo>/<arch>", url "<repo>/<arch>/APKINDEX.tar.gz").
  auto locked_repositories = [&](const std::vector<std::string>& lines, std::vector<LockedRepository>& out) {
    for (const auto& arch : apk_archs)
      for (const auto& line : lines) {
        auto repository = index::Repository::parse(line);
        out.push_back({line + "/" + arch, repository.location() + "/" + arch + "/APKINDEX.tar.gz", arch});
      }
  };
  locked_repositories(config.contents.build_repositories, lock.build_repositories);
  locked_repositories(config.contents.runtime_repositories_as_written, lock.runtime_repositories);
  locked_repositories(config.contents.repositories_as_written, lock.repositories);

  std::map<std::string, std::map<std::string, std::string>> requested_versions;  // name → arch → version
  std::set<std::string> requested;
  for (const auto& atom : config.contents.packages) requested.insert(apk::parse_dependency(atom).name);
  for (const auto& arch : apk_archs) {
    ArchSolution solution = resolve_arch(config, arch, keys, fetch, nullptr, on_warning);
    for (auto& package : locked_packages(config, solution)) {
      if (requested.contains(package.name)) requested_versions[package.name][arch] = package.version;
      lock.packages.push_back(std::move(package));
    }
  }
  std::string inconsistent;
  for (const auto& [name, by_arch] : requested_versions) {
    std::set<std::string> versions;
    for (const auto& [arch, version] : by_arch) versions.insert(version);
    if (versions.size() <= 1) continue;
    inconsistent += "\n  " + name + ":";
    for (const auto& [arch, version] : by_arch) inconsistent += " " + arch + " " + version;
  }
  if (!inconsistent.empty()) fail("unable to lock packages to a consistent version:{}", inconsistent);
  return lock;
}

}  // namespace lupine::image
