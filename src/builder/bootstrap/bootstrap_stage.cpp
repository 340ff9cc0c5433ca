#include "builder/bootstrap/bootstrap_stage.h"

#include "common/error.h"
#include "common/fs.h"
#include "common/process.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

namespace lupine::builder {
namespace {

namespace fs = std::filesystem;

std::string_view base_name_of(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view directory_of(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

// realpath() of parent directories, cached: thousands of files share a few hundred directories.
class Canonicaliser {
 public:
  std::optional<std::string> operator()(const std::string& host_path) {
    std::string_view parent = directory_of(host_path);
    std::string key = parent.empty() ? "/" : std::string(parent);
    auto found = cache_.find(key);
    if (found == cache_.end()) {
      char resolved[PATH_MAX];
      std::optional<std::string> value;
      if (::realpath(key.c_str(), resolved)) value = std::string(resolved);
      found = cache_.emplace(key, value).first;
    }
    if (!found->second) return std::nullopt;
    std::string result = *found->second == "/" ? std::string() : found->second->substr(1) + "/";
    result += base_name_of(host_path);
    return wolfi_merged_path(std::move(result));
  }

 private:
  std::map<std::string, std::optional<std::string>> cache_;
};

// Who ships what: the first claim of a path wins.
class Claims {
 public:
  bool claim(const std::string& path, const std::string& package) { return owners_.emplace(path, package).second; }
  const std::string* owner(const std::string& path) const {
    auto found = owners_.find(path);
    return found == owners_.end() ? nullptr : &found->second;
  }

 private:
  std::map<std::string, std::string> owners_;
};

void make_parent(const fs::path& path) {
  std::error_code error;
  fs::create_directories(path.parent_path(), error);
  if (error) fail("cannot create {}: {}", path.parent_path().string(), error.message());
}

void make_symlink(const std::string& target, const fs::path& link) {
  make_parent(link);
  std::error_code error;
  fs::create_symlink(target, link, error);
  if (error) fail("cannot create the symlink {} → {}: {}", link.string(), target, error.message());
}

// Stages one package's files; hard links of the host stay hard links within the package.
class PackageStager {
 public:
  PackageStager(StagedPackage& staged, Claims& claims) : staged_(staged), claims_(claims) {}

  bool claim(const std::string& path) { return claims_.claim(path, staged_.spec->name); }

  void copy_host_entry(const std::string& host_path, const std::string& relative, const struct stat& info) {
    fs::path destination = staged_.dir / relative;
    make_parent(destination);
    if (S_ISLNK(info.st_mode)) {
      std::error_code error;
      std::string target = fs::read_symlink(host_path, error).string();
      if (error) fail("cannot read the symlink {}: {}", host_path, error.message());
      // An absolute target gets its /usr form too (/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 →
      // /usr/lib/...), so that it resolves in the root whichever merged-/usr links it has.
      if (!target.empty() && target.front() == '/')
        if (std::optional<std::string> canonical = canonical_host_path(target)) target = "/" + *canonical;
      make_symlink(target, destination);
    } else {
      copy_regular(host_path, destination, info);
    }
    ++staged_.entries;
  }

  void add_symlink(const std::string& relative, const std::string& target) {
    make_symlink(target, staged_.dir / relative);
    ++staged_.entries;
  }

 private:
  void copy_regular(const std::string& host_path, const fs::path& destination, const struct stat& info) {
    if (info.st_nlink > 1) {
      auto [it, first] = links_.emplace(std::make_pair(info.st_dev, info.st_ino), destination);
      if (!first) {
        std::error_code error;
        fs::create_hard_link(it->second, destination, error);
        if (!error) return;
      }
    }
    staged_.bytes += static_cast<uint64_t>(info.st_size);
    // A hard link to the host's file when the staging directory is on the same filesystem: nothing
    // is copied, and removing the staging tree frees no blocks (on a busy disk, freeing 450 MB of
    // copies took longer than the whole bootstrap). The staged tree is only read, never changed.
    if (link_host_files_ && ::link(host_path.c_str(), destination.c_str()) == 0) return;
    if (errno == EXDEV || errno == EPERM) link_host_files_ = false;  // another filesystem; protected_hardlinks
    std::error_code error;
    fs::copy_file(host_path, destination, fs::copy_options::overwrite_existing, error);
    if (error) fail("cannot copy {}: {}", host_path, error.message());
    if (::chmod(destination.c_str(), info.st_mode & 07777) != 0) fail_errno("cannot chmod " + destination.string());
  }

  StagedPackage& staged_;
  Claims& claims_;
  std::map<std::pair<dev_t, ino_t>, fs::path> links_;
  bool link_host_files_ = true;
};

std::vector<std::string> expanded_patterns(const std::vector<std::string>& patterns, const std::string& multiarch) {
  std::vector<std::string> result;
  for (const auto& pattern : patterns) result.push_back(expand_bootstrap_placeholders(pattern, multiarch));
  return result;
}

// The applets busybox was built with, as `busybox --list-full` prints them.
std::vector<std::string> busybox_applets(const fs::path& busybox) {
  ProcessOptions process;
  process.argv = {busybox.string(), "--list-full"};
  process.inherit_env = false;
  process.stderr_to = OutputTarget::capture();
  ProcessResult result = run_process(process);
  if (!result.success()) fail("{} --list-full failed ({}): {}", busybox.string(), result.describe(), result.err);
  std::vector<std::string> applets;
  std::istringstream lines(result.out);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) applets.push_back(line);
  return applets;
}

}  // namespace

std::optional<std::string> canonical_host_path(const std::string& host_path) { return Canonicaliser()(host_path); }

std::string wolfi_merged_path(std::string path) {
  constexpr std::string_view usr_sbin = "usr/sbin/";
  if (path.rfind(usr_sbin, 0) == 0) path = "usr/bin/" + path.substr(usr_sbin.size());
  return path;
}

std::string usr_merged_applet_path(std::string_view listed) {
  while (!listed.empty() && listed.front() == '/') listed.remove_prefix(1);
  std::string path(listed);
  if (path.rfind("bin/", 0) == 0 || path.rfind("sbin/", 0) == 0) path = "usr/" + path;
  return wolfi_merged_path(std::move(path));
}

void check_host_packages(const BootstrapSpec& spec, const DpkgDatabase& dpkg, const std::string& multiarch) {
  std::vector<std::string> missing;
  for (const auto& name : spec.debian_packages()) {
    std::string expanded = expand_bootstrap_placeholders(name, multiarch);
    if (!dpkg.installed(expanded)) missing.push_back(expanded);
  }
  if (missing.empty()) return;
  std::string list = fmt::format("{}", fmt::join(missing, " "));
  fail("bootstrap needs these Debian packages: {} (apt-get install {})", list, list);
}

std::vector<StagedPackage> stage_packages(const StageOptions& options) {
  const BootstrapSpec& spec = *options.spec;
  Canonicaliser canonical;
  Claims claims;
  const std::vector<std::string> skip = expanded_patterns(spec.skip, options.multiarch);
  std::vector<std::vector<std::string>> excludes;
  for (const auto& package : spec.packages) excludes.push_back(expanded_patterns(package.exclude, options.multiarch));
  auto excluded = [&](size_t package, const std::string& path) {
    return matches_any(skip, path) || matches_any(excludes[package], path);
  };
  std::vector<StagedPackage> staged(spec.packages.size());

  for (size_t i = 0; i < spec.packages.size(); ++i) {
    const BootstrapPackageSpec& package = spec.packages[i];
    StagedPackage& out = staged[i];
    out.spec = &package;
    out.replaces = package.replaces;
    out.dir = options.staging_dir / package.name;
    fs::create_directories(out.dir);
    PackageStager stager(out, claims);

    // The package's own links and directories first: they are what the spec says explicitly.
    for (const auto& [path, target] : package.symlinks) {
      std::string relative = expand_bootstrap_placeholders(path, options.multiarch);
      if (stager.claim(relative)) stager.add_symlink(relative, expand_bootstrap_placeholders(target, options.multiarch));
    }
    for (const auto& directory : package.directories) {
      std::string relative = expand_bootstrap_placeholders(directory, options.multiarch);
      stager.claim(relative);  // no other package may ship a file or link there
      fs::path made = out.dir / relative;
      fs::create_directories(made);
      struct stat host {};
      // Take the host directory's mode (tmp is 1777), else the usual 0755.
      mode_t mode = ::lstat(("/" + relative).c_str(), &host) == 0 && S_ISDIR(host.st_mode) ? host.st_mode & 07777 : 0755;
      if (::chmod(made.c_str(), mode) != 0) fail_errno("cannot chmod " + made.string());
    }

    for (const auto& debian_name : package.debian) {
      throw_if_interrupted();  // bootstrap holds an InterruptGuard: stop between Debian packages
      std::string name = expand_bootstrap_placeholders(debian_name, options.multiarch);
      const DebianPackage* debian = options.dpkg->installed(name);
      if (!debian) fail("Debian package {} (for stage-0 {}) is not installed", name, package.name);
      out.debian.push_back(debian);
      if (package.version_from.empty() ? out.version_source == nullptr
                                       : expand_bootstrap_placeholders(package.version_from, options.multiarch) == name)
        out.version_source = debian;
      std::vector<std::string> listed = options.dpkg->file_list(*debian);
      // The package's directories, even where the host has a symlink instead (/lib, /bin on a
      // usr-merged host): never shipped as that symlink.
      std::set<std::string_view> parents;
      for (const auto& path : listed)
        for (std::string_view parent = directory_of(path); !parent.empty(); parent = directory_of(parent))
          if (!parents.insert(parent).second) break;
      for (const auto& host_path : listed) {
        if (parents.count(host_path)) continue;
        struct stat info {};
        if (::lstat(host_path.c_str(), &info) != 0) {
          // Gone from the host: dpkg's path-exclude (docs in container images) or removed by hand.
          if (options.on_warning && !excluded(i, host_path.substr(1)))
            options.on_warning(fmt::format("{} (of Debian {}) is missing on this host; {} is staged without it",
                                           host_path, name, package.name));
          continue;
        }
        if (S_ISDIR(info.st_mode)) continue;
        if (!S_ISREG(info.st_mode) && !S_ISLNK(info.st_mode)) continue;
        std::optional<std::string> relative = canonical(host_path);
        if (!relative || relative->empty()) continue;
        if (excluded(i, *relative)) continue;
        if (!stager.claim(*relative)) continue;  // an earlier package (or Debian package) has it
        stager.copy_host_entry(host_path, *relative, info);
      }
    }

    for (const auto& host_file : package.host_files) {
      std::string host_path = expand_bootstrap_placeholders(host_file, options.multiarch);
      struct stat info {};
      if (::stat(host_path.c_str(), &info) != 0 || !S_ISREG(info.st_mode))
        fail("{} (host-files of {} in {}:{}) is not a regular file on this host", host_path, package.name, spec.origin,
             package.line);
      std::optional<std::string> relative = canonical(host_path);
      if (!relative) continue;
      if (!stager.claim(*relative)) continue;
      info.st_nlink = 1;  // the file itself, wherever a symlink leads: one plain file
      stager.copy_host_entry(fs::canonical(host_path).string(), *relative, info);
    }
  }

  // Alternatives: the host's current choice, where it is a file some stage-0 package ships.
  std::map<std::string, size_t> index_of;
  for (size_t i = 0; i < staged.size(); ++i) index_of[staged[i].spec->name] = i;
  for (const auto& alternative : options.dpkg->alternatives()) {
    std::optional<std::string> link = canonical(alternative.link);
    std::optional<std::string> target = canonical(alternative.target);
    if (!link || !target) continue;
    const std::string* owner = claims.owner(*target);
    if (!owner || claims.owner(*link)) continue;
    if (excluded(index_of[*owner], *link)) continue;
    StagedPackage& out = staged[index_of[*owner]];
    claims.claim(*link, *owner);
    std::string link_target = directory_of(*link) == directory_of(*target) ? std::string(base_name_of(*target))
                                                                            : "/" + *target;
    PackageStager(out, claims).add_symlink(*link, link_target);
  }

  // busybox's applets: the list of their usr-merged paths, as Wolfi's busybox ships it
  // (etc/busybox-paths.d/busybox), which every install links where no package has a file
  // (index/busybox_links.h). The package ships no applet link of its own, so no package conflicts
  // with it whatever it installs in usr/bin.
  for (StagedPackage& out : staged) {
    if (!out.spec->busybox_applets) continue;
    fs::path busybox = out.dir / "usr/bin/busybox";
    if (!fs::is_regular_file(busybox))
      fail("{}: busybox-applets is set but the package ships no usr/bin/busybox", out.spec->name);
    std::string list;
    for (const auto& listed : busybox_applets(busybox)) {
      std::string path = usr_merged_applet_path(listed);
      // Only commands: linuxrc (the applet for booting from an initrd) has no place in a build root.
      if (directory_of(path) != "usr/bin") continue;
      if (base_name_of(path) == "busybox") continue;
      list += path + "\n";
    }
    std::string relative = "etc/busybox-paths.d/" + out.spec->name;
    if (!claims.claim(relative, out.spec->name)) fail("{}: /{} is another package's", out.spec->name, relative);
    fs::create_directories(out.dir / "etc/busybox-paths.d");
    write_file_atomic(out.dir / relative, list);
    ++out.entries;
  }
  return staged;
}

}  // namespace lupine::builder
