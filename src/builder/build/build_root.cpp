#include "builder/build/build_root.h"

#include "builder/build/sandbox.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/hash.h"
#include "index/package_add.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <set>

namespace lupine::builder {
namespace fs = std::filesystem;

namespace {

// Bumped whenever what lupine puts into a root besides the packages changes.
// 2: installs make busybox's applet links (index/busybox_links.h), which a root of format 1 lacks.
constexpr const char* kRootFormat = "lupine-build-root 2";

// An open, flock'ed directory: the lock says "being filled"; it goes with the process.
class DirectoryLock {
 public:
  explicit DirectoryLock(const fs::path& dir) {
    fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd_ < 0) fail_errno("cannot open " + dir.string());
    if (::flock(fd_, LOCK_EX) != 0) fail_errno("cannot lock " + dir.string());
  }
  ~DirectoryLock() { ::close(fd_); }
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

 private:
  int fd_ = -1;
};

// The temporary root: removed unless it was renamed into the cache.
class PendingRoot {
 public:
  PendingRoot(const fs::path& roots, const std::string& key) {
    std::string pattern = (roots / (".tmp-" + key.substr(0, 16) + "-XXXXXX")).string();
    if (!::mkdtemp(pattern.data())) fail_errno("cannot create a build root in " + roots.string());
    path_ = pattern;
    lock_ = std::make_unique<DirectoryLock>(path_);
  }
  ~PendingRoot() {
    lock_.reset();
    if (!path_.empty()) {
      std::error_code error;
      fs::remove_all(path_, error);
    }
  }
  PendingRoot(const PendingRoot&) = delete;
  PendingRoot& operator=(const PendingRoot&) = delete;
  const fs::path& path() const { return path_; }
  // Moved into the cache: nothing to remove, and the "being filled" lock goes (it is on the same
  // directory, and would block our own lease).
  void renamed() {
    path_.clear();
    lock_.reset();
  }

 private:
  fs::path path_;
  std::unique_ptr<DirectoryLock> lock_;
};

bool present(const fs::path& path) {
  std::error_code error;
  return fs::exists(fs::symlink_status(path, error));
}

std::string accounts_text(const CompiledAccounts& accounts) {
  std::string text;
  for (const auto& user : accounts.users)
    text += fmt::format("user {} {} {} {} {}\n", user.username, user.uid, user.gid ? std::to_string(*user.gid) : "-",
                        user.shell, user.homedir);
  for (const auto& group : accounts.groups)
    text += fmt::format("group {} {} {}\n", group.groupname, group.gid, fmt::join(group.members, ","));
  return text;
}

// Lines of an etc/passwd or etc/group file whose first field is not yet there.
void add_account_lines(const fs::path& file, const std::vector<std::pair<std::string, std::string>>& lines) {
  std::string text = present(file) ? read_file(file) : std::string();
  std::set<std::string> names;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    names.insert(text.substr(start, text.find(':', start) - start));
    start = end + 1;
  }
  if (!text.empty() && text.back() != '\n') text += '\n';
  bool changed = false;
  for (const auto& [name, line] : lines) {
    if (!names.insert(name).second) continue;
    text += line + "\n";
    changed = true;
  }
  if (changed || !present(file)) write_file_atomic(file, text, 0644);
}

// What apko does for an image's accounts: root, then the configured users and groups.
void write_accounts(const fs::path& root, const CompiledAccounts& accounts) {
  fs::create_directories(root / "etc");
  std::vector<std::pair<std::string, std::string>> users{{"root", "root:x:0:0:root:/root:/bin/sh"}};
  for (const auto& user : accounts.users) {
    std::string home = user.homedir.empty() ? "/home/" + user.username : user.homedir;
    users.emplace_back(user.username, fmt::format("{}:x:{}:{}::{}:{}", user.username, user.uid,
                                                  user.gid.value_or(user.uid), home,
                                                  user.shell.empty() ? "/bin/sh" : user.shell));
  }
  std::vector<std::pair<std::string, std::string>> groups{{"root", "root:x:0:root"}};
  for (const auto& group : accounts.groups)
    groups.emplace_back(group.groupname, fmt::format("{}:x:{}:{}", group.groupname, group.gid, fmt::join(group.members, ",")));
  add_account_lines(root / "etc/passwd", users);
  add_account_lines(root / "etc/group", groups);
}

// melange's StartPod runs ldconfig in the guest; a cached root is read-only, so it runs once here.
void run_ldconfig(const fs::path& root, const BuildRootRequest& request) {
  if (!present(root / "sbin/ldconfig") || !present(root / "bin/sh")) return;
  TempDir workspace("lupine-ldconfig");
  SandboxSpec spec;
  spec.root = root;
  spec.root_access = RootAccess::writable;
  spec.workspace = workspace.path();
  spec.bwrap = request.bwrap;
  spec.time_limit = std::chrono::minutes(5);
  spec.run_as_root = true;
  auto result = run_in_sandbox(spec, {"/bin/sh", "-c", "[ -x /sbin/ldconfig ] && /sbin/ldconfig /lib || true"});
  if (!result.success() && request.log) request.log(fmt::format("warning: ldconfig in the build root: {}", result.describe()));
}

}  // namespace

std::string build_root_key(const std::string& arch, std::vector<std::string> identities,
                           const CompiledAccounts& accounts) {
  std::sort(identities.begin(), identities.end());
  std::string text = fmt::format("{}\narch {}\n", kRootFormat, arch);
  for (const auto& identity : identities) text += "package " + identity + "\n";
  text += accounts_text(accounts);
  return sha256_hex(text);
}

void remove_abandoned_roots(const fs::path& cache_dir) {
  std::error_code error;
  fs::path roots = cache_dir / "roots";
  if (!fs::is_directory(roots, error)) return;
  auto now = fs::file_time_type::clock::now();
  for (const auto& entry : fs::directory_iterator(roots, error)) {
    if (entry.path().filename().string().rfind(".tmp-", 0) != 0) continue;
    // Young ones may be between mkdtemp and flock.
    auto modified = fs::last_write_time(entry.path(), error);
    if (error || now - modified < std::chrono::minutes(1)) continue;
    int fd = ::open(entry.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) continue;
    bool abandoned = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
    if (abandoned) fs::remove_all(entry.path(), error);
    ::close(fd);
  }
}

namespace {

std::unique_ptr<index::RepositorySet> open_repositories(const BuildRootRequest& request) {
  apk::Keyring keyring;
  for (const auto& key : request.keyring) keyring.add(key);
  index::FetchOptions fetch;
  fetch.cache_dir = request.cache_dir;
  auto repos = std::make_unique<index::RepositorySet>(request.repositories, request.arch, keyring, request.allow_untrusted,
                                                      // A copy: the set outlives `request` (ResolvedBuildRoot).
                                                      fetch, [log = request.log](const std::string& warning) {
                                                        if (log) log("warning: " + warning);
                                                      });
  if (request.leave_out) repos->leave_out(request.leave_out);
  return repos;
}

index::AddPlan resolve(const BuildRootRequest& request, const index::RepositorySet& repos) {
  index::AddPlan plan = index::plan_add(repos, index::RootState{}, request.packages);
  for (const auto& warning : plan.solution.warnings)
    if (request.log) request.log("warning: " + warning);
  if (!plan.solution.ok())
    fail("cannot resolve the {} ({}):\n{}", request.what, fmt::join(request.packages, " "),
         index::render_problems(plan.solution));
  return plan;
}

}  // namespace

ResolvedBuildRoot::ResolvedBuildRoot(BuildRootRequest request, std::unique_ptr<index::RepositorySet> repos,
                                     index::AddPlan plan)
    : request_(std::move(request)), repos_(std::move(repos)), plan_(std::move(plan)) {}

ResolvedBuildRoot::~ResolvedBuildRoot() = default;

std::vector<std::string> ResolvedBuildRoot::identities() const {
  std::vector<std::string> identities;
  for (const index::IndexRecord* record : index::resulting_packages(plan_)) identities.push_back(record->identity);
  return identities;
}

std::vector<ResolvedBuildRoot::Package> ResolvedBuildRoot::packages() const {
  std::vector<Package> packages;
  for (const auto& change : plan_.solution.changes) {
    if (!change.new_package) continue;
    Package package{change.new_package, nullptr};
    if (change.repository >= 0) package.repository = &repos_->indexes()[static_cast<size_t>(change.repository)].repository;
    packages.push_back(package);
  }
  return packages;
}

std::shared_ptr<const ResolvedBuildRoot> resolve_build_root(const BuildRootRequest& request) {
  auto repos = open_repositories(request);
  index::AddPlan plan = resolve(request, *repos);
  return std::make_shared<const ResolvedBuildRoot>(request, std::move(repos), std::move(plan));
}

BuildRoot prepare_build_root(const BuildRootRequest& request) { return prepare_build_root(*resolve_build_root(request)); }

BuildRoot prepare_build_root(const ResolvedBuildRoot& resolved, const std::function<void(const std::string&)>& to) {
  const BuildRootRequest& request = resolved.request();
  auto log = [&](const std::string& line) {
    if (to) to(line);
    else if (request.log) request.log(line);
  };
  const index::RepositorySet& repos = resolved.repositories();
  const index::AddPlan& plan = resolved.plan();

  BuildRoot root;
  std::vector<std::string> identities;
  for (const index::IndexRecord* record : index::resulting_packages(plan)) {
    identities.push_back(record->identity);
    root.packages.push_back(record->name + "-" + record->version);
    root.records.push_back({record->name, record->version, record->arch, record->identity});
  }
  root.key = build_root_key(request.arch, identities, request.accounts);
  fs::path roots = request.cache_dir / "roots";
  root.path = roots / root.key;
  if ((root.lease = lease_root(root.path))) {
    root.reused = true;
    log(fmt::format("build root {} reused ({} packages)", root.key.substr(0, 12), root.packages.size()));
    return root;
  }

  fs::create_directories(roots);
  remove_abandoned_roots(request.cache_dir);
  PendingRoot pending(roots, root.key);
  log(fmt::format("installing build root {}: {}", root.key.substr(0, 12), fmt::join(root.packages, " ")));
  index::InstallOptions options;
  options.arch = request.arch;
  // Nothing about where the packages came from: the same packages give the same root.
  options.repositories = std::vector<std::string>{};
  options.skip_device_nodes = !index::InstallOptions::default_privileged();
  options.on_warning = [&](const std::string& warning) { log("warning: " + warning); };
  index::apply_add(repos, plan, pending.path(), options);
  if (!present(pending.path() / "bin/sh"))
    fail("the {} ({}) has no /bin/sh: add a shell (e.g. busybox) to environment.contents.packages "
         "(or with --package-append / --test-package-append)",
         request.what, fmt::join(request.packages, " "));
  write_accounts(pending.path(), request.accounts);
  run_ldconfig(pending.path(), request);

  if (::rename(pending.path().c_str(), root.path.c_str()) == 0) {
    pending.renamed();
  } else if (errno == EEXIST || errno == ENOTEMPTY) {
    log("another build made the same root first: using it");  // ~PendingRoot discards ours
  } else {
    fail_errno(fmt::format("cannot move the build root into {}", root.path.string()));
  }
  root.lease = lease_root(root.path);
  if (!root.lease) fail("the build root {} was removed while it was being made", root.path.string());
  if (request.keep_roots > 0) prune_roots(request.cache_dir, request.keep_roots, log);
  return root;
}

}  // namespace lupine::builder
