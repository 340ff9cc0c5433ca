#include "builder/bootstrap/bootstrap.h"

#include "apk/keyring.h"
#include "builder/bootstrap/bootstrap_closure.h"
#include "builder/bootstrap/bootstrap_dpkg.h"
#include "builder/bootstrap/bootstrap_stage.h"
#include "builder/bootstrap/bootstrap_version.h"
#include "apk/arch.h"
#include "builder/scan/sca.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/parallel.h"
#include "common/process.h"
#include "index/index_builder.h"

#include <algorithm>
#include <exception>
#include <map>
#include <set>
#include <sstream>

#include <sys/stat.h>

namespace lupine::builder {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::chrono::milliseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

// What a staged package becomes: version, metadata and (after the scan) its dependencies.
struct PackagePlan {
  const StagedPackage* staged = nullptr;
  apk::PkgInfo info;
};

std::string describe(const StagedPackage& staged) {
  const BootstrapPackageSpec& spec = *staged.spec;
  if (!spec.description.empty()) return spec.description;
  if (staged.debian.empty()) return fmt::format("stage-0 {} (meta package)", spec.name);
  std::vector<std::string> sources;
  for (const DebianPackage* debian : staged.debian) sources.push_back(debian->name + " " + debian->version);
  return fmt::format("stage-0 {} from Debian {}", spec.name, fmt::join(sources, ", "));
}

PackagePlan plan_package(const StagedPackage& staged, const BootstrapSpec& spec, const std::string& arch) {
  PackagePlan plan;
  plan.staged = &staged;
  apk::PkgInfo& info = plan.info;
  info.pkgname = staged.spec->name;
  info.pkgdesc = describe(staged);
  info.arch = arch;
  info.origin = staged.spec->name;
  info.packager = "lupine bootstrap";
  info.replaces = staged.replaces;
  if (const DebianPackage* source = staged.version_source) {
    try {
      info.pkgver = apk_version_from_debian(source->version);
    } catch (const Error& error) {
      fail("{}:{}: stage-0 {}: {}", spec.origin, staged.spec->line, staged.spec->name, error.what());
    }
    info.url = source->homepage.empty() ? "https://packages.debian.org/" + source->name : source->homepage;
    std::optional<std::string> license;
    if (staged.spec->license.empty()) license = license_from_copyright("/usr/share/doc/" + source->name + "/copyright");
    info.license = !staged.spec->license.empty() ? staged.spec->license : license.value_or("custom:debian");
  } else {
    info.pkgver = spec.meta_version;
    info.license = staged.spec->license.empty() ? "custom:lupine-stage0" : staged.spec->license;
  }
  return plan;
}

// Declared provides without a version get the package's own: apk's solver only picks a provider
// by a provided name when that name is versioned.
std::vector<std::string> versioned_provides(const std::vector<std::string>& declared, const std::string& version) {
  std::vector<std::string> result;
  for (const auto& atom : declared)
    result.push_back(atom.find_first_of("<>=~") == std::string::npos ? atom + "=" + version : atom);
  return result;
}

// cmd: provides for links in usr/bin and usr/sbin to an executable of the same package. Debian's
// drivers are links (gcc → gcc-12 → x86_64-linux-gnu-gcc-12), which the scanner, counting regular
// files only, would not see; Wolfi's packages ship those names as programs. So are the applets
// busybox lists for installs to link (etc/busybox-paths.d), the commands a root with it has.
std::vector<std::string> command_link_provides(const fs::path& tree, const std::string& version) {
  std::vector<std::string> provides;
  for (const char* directory : {"usr/bin", "usr/sbin"}) {
    std::error_code error;
    fs::directory_iterator it(tree / directory, error), end;
    for (; !error && it != end; it.increment(error)) {
      if (!it->is_symlink(error)) continue;
      std::string name = it->path().filename().string();
      auto target = resolve_inside(tree, std::string(directory) + "/" + name);
      struct stat info {};
      if (!target || ::stat(target->c_str(), &info) != 0 || !S_ISREG(info.st_mode) || (info.st_mode & 0111) == 0)
        continue;
      provides.push_back("cmd:" + name + "=" + version);
    }
  }
  std::error_code error;
  if (fs::is_regular_file(tree / "usr/bin/busybox", error)) {
    fs::directory_iterator it(tree / "etc/busybox-paths.d", error), end;
    for (; !error && it != end; it.increment(error)) {
      std::istringstream list(read_file(it->path()));
      for (std::string path; std::getline(list, path);)
        if (path.rfind("usr/bin/", 0) == 0 && path.find('/', 8) == std::string::npos)
          provides.push_back("cmd:" + path.substr(8) + "=" + version);
    }
  }
  std::sort(provides.begin(), provides.end());
  provides.erase(std::unique(provides.begin(), provides.end()), provides.end());
  return provides;
}

// so:/cmd:/pc: depends and provides from the staged tree, merged with what the spec declares.
void scan_dependencies(PackagePlan& plan, const std::vector<fs::path>& all_trees, const std::string& multiarch,
                       std::vector<std::string>& warnings) {
  const StagedPackage& staged = *plan.staged;
  ScanOptions scan;
  scan.package_name = staged.spec->name;
  scan.package_version = plan.info.pkgver;
  scan.relatives = all_trees;
  scan.declared_runtime = staged.spec->depends;
  // Debian keeps most .pc files in the multiarch directory: they are what the -dev packages
  // provide (pc:sqlite3), as Wolfi's do from usr/lib/pkgconfig.
  scan.extra_pkgconfig_dirs = {"usr/lib/" + multiarch + "/pkgconfig"};
  ScanResult result = scan_package_dir(staged.dir, scan);
  for (auto& warning : result.warnings) warnings.push_back(staged.spec->name + ": " + warning);
  std::vector<std::string> provides = versioned_provides(staged.spec->provides, plan.info.pkgver);
  PackageDependencies merged = merge_dependencies(result, staged.spec->depends, provides);
  plan.info.depends = std::move(merged.runtime);
  plan.info.provides = std::move(merged.provides);
}

// Scans every package, several at a time: each scan re-reads all the trees (relatives).
void scan_all(std::vector<PackagePlan>& plans, const std::vector<fs::path>& trees, const std::string& multiarch,
              unsigned threads, std::vector<std::string>& warnings) {
  std::vector<std::vector<std::string>> found(plans.size());
  std::vector<std::exception_ptr> errors(plans.size());
  parallel_for(plans.size(), threads, [&](size_t i) {
    try {
      scan_dependencies(plans[i], trees, multiarch, found[i]);
    } catch (...) {
      errors[i] = std::current_exception();
    }
  });
  for (auto& error : errors)
    if (error) std::rethrow_exception(error);
  for (auto& list : found) warnings.insert(warnings.end(), list.begin(), list.end());
}

// The cmd: provides of links (command_link_provides), for commands no other package provides: a
// versioned name has one provider in an installed root, so busybox's ls link must not provide
// cmd:ls beside coreutils' ls. Programs (the scanner's cmd:) come first, then links in spec order.
void add_command_link_provides(std::vector<PackagePlan>& plans) {
  auto command_of = [](const std::string& provided) { return provided.substr(0, provided.find('=')); };
  std::set<std::string> provided;
  for (const auto& plan : plans)
    for (const auto& entry : plan.info.provides)
      if (entry.rfind("cmd:", 0) == 0) provided.insert(command_of(entry));
  for (auto& plan : plans) {
    bool added = false;
    for (auto& command : command_link_provides(plan.staged->dir, plan.info.pkgver))
      if (provided.insert(command_of(command)).second) {
        plan.info.provides.push_back(std::move(command));
        added = true;
      }
    if (added) std::sort(plan.info.provides.begin(), plan.info.provides.end());
  }
}

// Every dependency met inside the repository, or an Error naming each gap and where Debian has it.
void check_closure(const std::vector<PackagePlan>& plans, const BootstrapSpec& spec, const DpkgDatabase& dpkg) {
  std::vector<ClosurePackage> packages;
  for (const auto& plan : plans)
    packages.push_back({plan.info.pkgname, plan.info.pkgver, plan.info.depends, plan.info.provides});
  std::vector<UnresolvedDependency> unresolved = unresolved_dependencies(packages);
  std::vector<std::string> shared = shared_versioned_provides(packages);
  if (unresolved.empty() && shared.empty()) return;
  std::string message = fmt::format("the stage-0 repository would not be self-consistent ({}):", spec.origin);
  for (const auto& line : shared) message += fmt::format("\n  {}: they could not be installed together", line);
  for (const auto& gap : unresolved) {
    std::string wanted = gap.dependency.substr(0, gap.dependency.find_first_of("<>=~"));
    std::string hint;
    for (std::string_view prefix : {"so:", "cmd:", "pc:"})
      if (wanted.rfind(prefix, 0) == 0) {
        std::string file = wanted.substr(prefix.size());
        if (prefix == "pc:") file += ".pc";
        std::vector<std::string> owners = dpkg.owners_of_base_name(file);
        hint = owners.empty() ? "; no installed Debian package has it"
                              : fmt::format("; Debian has it in {}: add that to a stage-0 package",
                                            fmt::join(owners, ", "));
      }
    message += fmt::format("\n  {} needs {}, which no stage-0 package provides{}", gap.package, gap.dependency, hint);
  }
  throw Error(message);
}

}  // namespace

BootstrapReport bootstrap_repository(const BootstrapOptions& options) {
  if (!options.signer.key) fail("bootstrap needs a signing key: the packages and the index are signed");
  // An interrupt stops the bootstrap at its next checkpoint (a Debian package staged, a package
  // packed, a phase) and the staging directory — a copy of the toolchain — is removed.
  InterruptGuard interrupt_guard;
  if (options.out_dir.empty()) fail("bootstrap needs an output directory");
  auto progress = [&](const std::string& line) {
    if (options.on_progress) options.on_progress(line);
  };

  BootstrapReport report;
  report.arch = options.arch.empty() ? apk::host_apk_arch() : options.arch;
  if (report.arch != apk::host_apk_arch())
    fail("bootstrap packages this machine's own toolchain, so it makes only {} packages, not {}", apk::host_apk_arch(),
         report.arch);
  const std::string multiarch = multiarch_triplet_of(report.arch);

  BootstrapSpec spec = load_bootstrap_spec(options.spec_file.empty() ? default_bootstrap_spec() : options.spec_file);
  DpkgDatabase dpkg(options.dpkg_dir, debian_arch_of(report.arch));
  check_host_packages(spec, dpkg, multiarch);

  // Stage.
  auto started = Clock::now();
  TempDir staging("lupine-bootstrap");  // under TMPDIR; removed with everything staged
  StageOptions stage;
  stage.spec = &spec;
  stage.dpkg = &dpkg;
  stage.multiarch = multiarch;
  stage.staging_dir = staging.path();
  stage.on_warning = options.on_warning;
  progress(fmt::format("staging {} packages from {} Debian packages", spec.packages.size(),
                       spec.debian_packages().size()));
  std::vector<StagedPackage> staged = stage_packages(stage);
  report.stage_time = since(started);

  // Scan.
  throw_if_interrupted();
  started = Clock::now();
  std::vector<fs::path> trees;
  for (const auto& package : staged) trees.push_back(package.dir);
  std::vector<PackagePlan> plans;
  for (const auto& package : staged) plans.push_back(plan_package(package, spec, report.arch));
  scan_all(plans, trees, multiarch, options.threads, report.scan_warnings);
  add_command_link_provides(plans);
  check_closure(plans, spec, dpkg);
  report.scan_time = since(started);
  progress(fmt::format("scanned {} packages: every dependency is met inside the repository", plans.size()));

  // Pack.
  started = Clock::now();
  report.repository = options.out_dir / report.arch;
  fs::create_directories(report.repository);
  report.public_key = options.out_dir / options.signer.key_name;
  write_file_atomic(report.public_key, options.signer.key->public_pem());
  std::vector<fs::path> files;
  for (const auto& plan : plans) {
    throw_if_interrupted();
    apk::PackOptions pack;
    pack.info = plan.info;
    pack.info.builddate = options.mtime;
    pack.mtime = options.mtime;
    pack.threads = options.threads;
    pack.signer = options.signer;
    fs::path file = report.repository / (plan.info.pkgname + "-" + plan.info.pkgver + ".apk");
    apk::PackResult packed = apk::pack_directory(plan.staged->dir, pack, file);
    files.push_back(file);

    BootstrapPackageReport entry;
    entry.name = plan.info.pkgname;
    entry.version = plan.info.pkgver;
    for (const DebianPackage* debian : plan.staged->debian) entry.debian.push_back(debian->name + " " + debian->version);
    entry.file = file;
    entry.file_size = packed.file_size;
    entry.installed_size = packed.info.size;
    entry.entries = plan.staged->entries;
    entry.depends = plan.info.depends;
    entry.provides = plan.info.provides;
    entry.replaces = plan.info.replaces;
    progress(fmt::format("packed {}-{} ({} files, {:.1f} MB)", entry.name, entry.version, entry.entries,
                         static_cast<double>(entry.file_size) / 1e6));
    report.packages.push_back(std::move(entry));
  }
  report.pack_time = since(started);

  // Index.
  throw_if_interrupted();
  started = Clock::now();
  apk::Keyring keyring;
  keyring.add(report.public_key);
  index::IndexBuildOptions index_options;
  index_options.output = report.repository / "APKINDEX.tar.gz";
  index_options.description = fmt::format("lupine stage-0 from Debian ({} packages)", plans.size());
  index_options.arch = report.arch;
  index_options.keyring = &keyring;
  index_options.signer = options.signer;
  index_options.mtime = options.mtime;
  index_options.threads = options.threads;
  index::IndexBuildStats stats = index::build_index(files, index_options);
  for (const auto& warning : stats.warnings)
    if (options.on_warning) options.on_warning(warning);
  report.index = index_options.output;
  report.index_time = since(started);
  progress(fmt::format("indexed {} packages into {}", stats.records, report.index.string()));
  return report;
}

}  // namespace lupine::builder
