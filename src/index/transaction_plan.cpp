#include "index/transaction_plan.h"

#include "apk/dependency.h"
#include "common/encoding.h"
#include "common/error.h"
#include "common/hash.h"
#include "common/path.h"
#include "index/file_ownership.h"
#include "index/installed_files_builder.h"
#include "index/root_fs.h"

#include <algorithm>
#include <map>
#include <set>

namespace lupine::index {

std::optional<std::string> malicious_path_reason(std::string_view path) {
  if (auto reason = unsafe_path_reason(path)) return reason;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view component = path.substr(start, end - start);
    if (component.empty()) return "empty path component";
    if (component == ".") return "'.' component";
    start = end + 1;
  }
  return std::nullopt;
}

namespace {

// apk's own directories: never removed even when the last package listing them goes.
bool is_layout_dir(std::string_view path) {
  static const std::set<std::string, std::less<>> layout = {"etc",       "etc/apk",   "etc/apk/keys",
                                                            "lib",       "lib/apk",   "lib/apk/db",
                                                            "var",       "var/cache", "var/cache/apk"};
  return path.empty() || layout.count(path) > 0;
}

std::string file_digest(const apk::TarItem& item) {
  const apk::TarEntry& entry = item.entry;
  switch (entry.type) {
    case apk::TarType::regular:
      if (auto raw = hex_decode(entry.checksum_sha1); raw && raw->size() == 20) return q1_digest(*raw);
      return q1_digest(sha1(item.data));
    case apk::TarType::symlink: return q1_digest(sha1(entry.link_target));
    default: return {};  // devices and fifos have none (hard links take their target's)
  }
}

struct DirOwner {
  std::string name;
  FileAcl acl;
};

class Planner {
 public:
  Planner(const InstalledState& state, const InstallPlan& plan, const InstallOptions& options)
      : plan_(plan), options_(options) {
    for (const auto& package : state.packages) load(package);
  }

  TransactionPlan run() {
    check_plan();
    for (const auto& name : plan_.remove) identities_.at(name).to_be_removed = true;
    for (const auto& planned : plan_.install) plan_package(planned);
    for (const auto& name : plan_.remove) remove_package(name);
    return finish();
  }

 private:
  void load(const InstalledDbPackage& package) {
    const IndexRecord& record = package.record;
    identities_[record.name] = PackageIdentity{record.name,     record.version,           record.identity,
                                               record.origin,   record.replaces,          record.replaces_priority,
                                               false};
    for (const auto& path : package.file_paths()) file_owner_[path] = record.name;
    for (const auto& dir : package.dirs) {
      dir_users_[dir.path].push_back(record.name);
      take_dir(dir.path, identities_.at(record.name), dir.acl);
    }
    packages_[record.name] = package;
  }

  // apk_db_dir_apply_diri_permissions: a directory's acl comes from the package that wins it.
  // Returns whether `self` won it from another acl.
  bool take_dir(const std::string& path, const PackageIdentity& self, const FileAcl& acl) {
    auto owner = dir_owner_.find(path);
    if (owner == dir_owner_.end()) {
      dir_owner_[path] = DirOwner{self.name, acl};
      return false;
    }
    if (owner->second.name != self.name && !replaces_dir(identities_.at(owner->second.name), self)) return false;
    bool changed = owner->second.acl != acl;
    owner->second = DirOwner{self.name, acl};
    return changed;
  }

  // The owner of `path` no longer lists it: the remaining package that wins it takes over
  // (apk_db_diri_remove).
  void hand_over_dir(const std::string& path) {
    auto owner = dir_owner_.find(path);
    if (owner == dir_owner_.end()) return;
    FileAcl before = owner->second.acl;
    dir_owner_.erase(owner);
    const std::string* winner = nullptr;
    for (const auto& user : dir_users_[path])
      if (!winner || replaces_dir(identities_.at(*winner), identities_.at(user))) winner = &user;
    if (!winner) return;
    const InstalledDbPackage& package = packages_.at(*winner);
    for (const auto& dir : package.dirs) {
      if (dir.path != path) continue;
      dir_owner_[path] = DirOwner{*winner, dir.acl};
      if (dir.acl != before) owner_changes_.push_back(DirOwnerChange{path, dir.acl});
    }
  }

  void check_plan() {
    std::set<std::string, std::less<>> installing;
    for (const auto& planned : plan_.install) {
      if (!planned.package) fail("install plan: a package entry has no package");
      const apk::Package& package = *planned.package;
      const IndexRecord& record = planned.record;
      if (record.name != package.info().pkgname || record.version != package.info().pkgver)
        fail("install plan: record {}-{} does not describe {} ({}-{})", record.name, record.version, package.origin(),
             package.info().pkgname, package.info().pkgver);
      if (record.identity != package.identity())
        fail("install plan: {}: identity {} does not match the record's C:{}", package.origin(), package.identity(),
             record.identity);
      if (!installing.insert(record.name).second) fail("install plan: {} is listed twice", record.name);
    }
    std::set<std::string, std::less<>> removing;
    for (const auto& name : plan_.remove) {
      if (!packages_.count(name)) fail("install plan: cannot remove {}: it is not installed", name);
      if (installing.count(name)) fail("install plan: {} is both installed and removed", name);
      if (!removing.insert(name).second) fail("install plan: {} is removed twice", name);
    }
    if (plan_.world) {
      for (const auto& dependency : *plan_.world) {
        try {
          apk::parse_dependency(dependency);
        } catch (const Error& e) {
          fail("install plan: world: {}", e.what());
        }
      }
    }
  }

  void plan_package(const PlannedPackage& planned) {
    const apk::Package& package = *planned.package;
    const apk::PkgInfo& info = package.info();
    const IndexRecord& record = planned.record;
    PackageIdentity self{record.name,     record.version, record.identity, record.origin, info.replaces,
                         info.replaces_priority.value_or(0), false};
    const std::string display = self.display();

    PackageSteps result;
    result.planned = &planned;
    auto old = packages_.find(self.name);
    if (old != packages_.end()) result.old_version = old->second.record.version;

    InstalledFilesBuilder builder;
    std::map<std::string, apk::TarType, std::less<>> seen;
    std::set<std::string, std::less<>> written;
    std::vector<std::string> conflicts;
    bool broken_files = false;

    for (const auto& item : package.data_entries()) {
      const apk::TarEntry& entry = item.entry;
      const std::string& path = entry.path;
      if (auto reason = malicious_path_reason(path)) fail("{}: refusing entry '{}': {}", display, path, *reason);
      bool is_dir = entry.type == apk::TarType::directory;
      if (auto previous = seen.find(path); previous != seen.end()) {
        if (!is_dir || previous->second != apk::TarType::directory)
          fail("{}: refusing entry '{}': the package holds it twice", display, path);
      }
      seen[path] = entry.type;
      FileAcl acl{entry.uid, entry.gid, entry.mode & 07777u, xattr_digest(entry.xattrs)};
      EntryStep step;
      step.item = &item;

      if (is_dir) {
        builder.add_dir(path, acl);
        step.kind = EntryStep::Kind::directory;
        if (auto owner = dir_owner_.find(path); owner != dir_owner_.end()) step.expected_acl = owner->second.acl;
        step.takes_acl = take_dir(path, self, acl);
        auto file_owner = file_owner_.find(path);
        step.may_replace_non_directory = file_owner == file_owner_.end() || file_owner->second == self.name ||
                                         identities_.at(file_owner->second).to_be_removed;
        if (step.may_replace_non_directory && file_owner != file_owner_.end()) file_owner_.erase(file_owner);
        stale_files_.erase(path);
        result.steps.push_back(step);
        continue;
      }

      std::string_view parent = parent_path(path);
      if (!parent.empty() && !builder.has_dir(parent))
        fail("{}: refusing entry '{}': no dirent in archive (its directory '{}' is not an earlier entry of the "
             "package)",
             display, path, parent);
      std::string digest = file_digest(item);
      if (entry.type == apk::TarType::hardlink) {
        if (auto reason = malicious_path_reason(entry.link_target))
          fail("{}: refusing hard link '{}' to '{}': {}", display, path, entry.link_target, *reason);
        auto target = seen.find(entry.link_target);
        const InstalledFile* target_file = builder.find_file(entry.link_target);
        if (target == seen.end() || target->second != apk::TarType::regular || !target_file)
          fail("{}: refusing hard link '{}': no hard link target ('{}') in archive", display, path, entry.link_target);
        digest = target_file->digest;
      }
      bool device = entry.type == apk::TarType::chardev || entry.type == apk::TarType::blockdev;
      if (device && !options_.privileged) {
        if (!options_.skip_device_nodes)
          fail("{}: cannot create device node '{}' without privileges (run as root, or skip device nodes)", display,
               path);
        step.kind = EntryStep::Kind::skip_device;
        broken_files = true;
      }

      if (auto owner = file_owner_.find(path); owner != file_owner_.end() && owner->second != self.name) {
        const PackageIdentity& owner_identity = identities_.at(owner->second);
        switch (replaces_file(owner_identity, self)) {
          case Replaces::conflict:
            conflicts.push_back(fmt::format("{}: trying to overwrite {} owned by {}", display, path,
                                            owner_identity.display()));
            continue;
          case Replaces::no:
            step.kind = EntryStep::Kind::skip_kept;
            result.steps.push_back(step);
            continue;
          case Replaces::yes: drop_file(owner->second, path); break;
        }
      }
      file_owner_[path] = self.name;
      stale_files_.erase(path);
      written.insert(path);
      builder.add_file(parent, InstalledFile{std::string(base_name(path)), acl, digest});
      result.steps.push_back(step);
    }

    if (!conflicts.empty()) {
      std::string message = conflicts.front();
      for (size_t i = 1; i < conflicts.size(); ++i) message += "\n" + conflicts[i];
      fail("{}", message);
    }

    InstalledDbPackage installed;
    installed.record = record;
    installed.record.replaces = info.replaces;
    installed.record.replaces_priority = info.replaces_priority.value_or(0);
    installed.record.unknown.clear();
    installed.repository_tag = planned.repository_tag;
    installed.broken_files = broken_files;
    installed.dirs = builder.finish();
    for (const auto& [name, contents] : package.scripts())
      installed.scripts.emplace_back(name.substr(1), std::string(contents));  // ".post-install" -> "post-install"
    installed.triggers = info.triggers;

    if (old != packages_.end()) {
      for (const auto& path : old->second.file_paths()) {
        auto owner = file_owner_.find(path);
        if (owner != file_owner_.end() && owner->second == self.name && !written.count(path)) {
          file_owner_.erase(owner);
          stale_files_.insert(path);
        }
      }
      for (const auto& dir : old->second.dirs) forget_dir_user(dir.path, self.name);
    }
    for (const auto& dir : installed.dirs) dir_users_[dir.path].push_back(self.name);
    if (old != packages_.end()) {
      for (const auto& dir : old->second.dirs) {
        auto owner = dir_owner_.find(dir.path);
        bool still_listed = std::any_of(installed.dirs.begin(), installed.dirs.end(),
                                        [&](const InstalledDir& d) { return d.path == dir.path; });
        if (!still_listed && owner != dir_owner_.end() && owner->second.name == self.name) pending_hand_over_.push_back(dir.path);
      }
    }
    packages_[self.name] = std::move(installed);
    identities_[self.name] = self;
    for (const auto& path : pending_hand_over_) hand_over_dir(path);
    pending_hand_over_.clear();
    steps_.push_back(std::move(result));
  }

  // `path` moves to another package: its current owner's record no longer lists it.
  void drop_file(const std::string& owner, const std::string& path) {
    InstalledDbPackage& package = packages_.at(owner);
    std::string_view dir = parent_path(path);
    std::string_view name = base_name(path);
    for (auto& record : package.dirs) {
      if (record.path != dir) continue;
      auto& files = record.files;
      files.erase(std::remove_if(files.begin(), files.end(), [&](const InstalledFile& f) { return f.name == name; }),
                  files.end());
    }
  }

  void forget_dir_user(const std::string& path, const std::string& name) {
    auto& users = dir_users_[path];
    auto found = std::find(users.begin(), users.end(), name);
    if (found != users.end()) users.erase(found);
    dir_candidates_.insert(path);
  }

  void remove_package(const std::string& name) {
    const InstalledDbPackage& package = packages_.at(name);
    for (const auto& path : package.file_paths()) {
      auto owner = file_owner_.find(path);
      if (owner != file_owner_.end() && owner->second == name) {
        file_owner_.erase(owner);
        stale_files_.insert(path);
      }
    }
    for (const auto& dir : package.dirs) {
      forget_dir_user(dir.path, name);
      auto owner = dir_owner_.find(dir.path);
      if (owner != dir_owner_.end() && owner->second.name == name) hand_over_dir(dir.path);
    }
    removed_.push_back(package.record.name + "-" + package.record.version);
    packages_.erase(name);
  }

  TransactionPlan finish() {
    TransactionPlan result;
    result.packages = std::move(steps_);
    result.dir_owner_changes = std::move(owner_changes_);
    result.stale_files.assign(stale_files_.rbegin(), stale_files_.rend());
    for (auto it = dir_candidates_.rbegin(); it != dir_candidates_.rend(); ++it)  // children before parents
      if (dir_users_[*it].empty() && !is_layout_dir(*it)) result.stale_dirs.push_back(*it);
    for (auto& [name, package] : packages_) result.installed.push_back(std::move(package));
    sort_installed_packages(result.installed);
    result.removed = std::move(removed_);
    return result;
  }

  const InstallPlan& plan_;
  const InstallOptions& options_;
  std::map<std::string, InstalledDbPackage> packages_;
  std::map<std::string, PackageIdentity> identities_;
  std::map<std::string, std::string> file_owner_;               // path -> package name
  std::map<std::string, std::vector<std::string>> dir_users_;  // directory -> packages listing it
  std::map<std::string, DirOwner> dir_owner_;                   // directory -> whose acl it has
  std::set<std::string> stale_files_;
  std::set<std::string> dir_candidates_;
  std::vector<PackageSteps> steps_;
  std::vector<DirOwnerChange> owner_changes_;
  std::vector<std::string> pending_hand_over_;
  std::vector<std::string> removed_;
};

}  // namespace

TransactionPlan plan_transaction(const InstalledState& state, const InstallPlan& plan, const InstallOptions& options) {
  return Planner(state, plan, options).run();
}

}  // namespace lupine::index
