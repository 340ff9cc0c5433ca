#include "index/installer.h"

#include "apk/arch.h"
#include "apk/gzip.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/process.h"
#include "index/installed_scripts.h"
#include "index/root_layout.h"
#include "index/root_transaction.h"
#include "index/transaction_plan.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

namespace lupine::index {

bool InstallOptions::default_privileged() { return ::geteuid() == 0; }

namespace {

void refuse_interrupted_root(const RootDir& root) {
  auto marker = root.read_file(root_paths::transaction_marker);
  if (!marker) return;
  fail("{}: a previous lupine transaction on this root did not finish, so it may be inconsistent:\n{}"
       "Check the root, then remove that file to continue.",
       root.display(root_paths::transaction_marker), *marker);
}

// {file name, contents} of every key file: the files given, and the regular non-hidden files of
// the directories given. Read before anything is written, so a missing key changes nothing.
std::vector<std::pair<std::string, std::string>> read_keys(const std::vector<std::filesystem::path>& paths) {
  std::vector<std::pair<std::string, std::string>> keys;
  for (const auto& path : paths) {
    std::error_code error;
    if (std::filesystem::is_directory(path, error)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::directory_iterator(path)) {
        std::string name = entry.path().filename().string();
        if (!name.starts_with('.') && entry.is_regular_file()) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
      for (const auto& file : files) keys.emplace_back(file.filename().string(), read_file(file));
    } else {
      keys.emplace_back(path.filename().string(), read_file(path));
    }
  }
  return keys;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

void sync_root(const RootDir& root) {
  int fd = ::open(root.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::syncfs(fd);
  ::close(fd);
}

class Installer {
 public:
  Installer(const RootDir& root, const InstallPlan& plan, const InstallOptions& options, bool new_root)
      : root_(root), plan_(plan), options_(options),
        transaction_(root, RootTransaction::Options{options.privileged, [this](const std::string& m) { warn(m); },
                                                    new_root}) {}

  InstallReport run(const InstalledState& state) {
    TransactionPlan planned = plan_transaction(state, plan_, options_);
    auto keys = read_keys(options_.keys);
    root_.write_file_atomic(root_paths::transaction_marker,
                            fmt::format("lupine install (pid {}) started changing this root\n", ::getpid()), 0644);
    try {
      apply(planned);
      write_database(planned, state, keys);
    } catch (const std::exception& error) {
      std::vector<std::string> failures = transaction_.rollback();
      if (failures.empty()) {
        root_.remove_file(root_paths::transaction_marker);
        throw;
      }
      std::string reasons;
      for (const auto& failure : failures) reasons += "  " + failure + "\n";
      std::string message = fmt::format("{}\nrolling back left the root inconsistent:\n{}", error.what(), reasons);
      try {
        root_.write_file_atomic(root_paths::transaction_marker, message, 0644);
      } catch (const std::exception&) {
      }
      fail("{}(recorded in {})", message, root_.display(root_paths::transaction_marker));
    }
    transaction_.finish();
    for (const auto& path : planned.stale_dirs) transaction_.prune_directory(path);
    root_.remove_file(root_paths::transaction_marker);
    report_.removed = planned.removed;
    return std::move(report_);
  }

 private:
  void warn(const std::string& message) {
    report_.warnings.push_back(message);
    if (options_.on_warning) options_.on_warning(message);
  }

  void progress(const std::string& message) {
    if (options_.on_progress) options_.on_progress(message);
  }

  void apply(TransactionPlan& planned) {
    size_t total = planned.packages.size() + planned.removed.size();
    size_t index = 0;
    for (const auto& package : planned.packages) {
      const IndexRecord& record = package.planned->record;
      std::string origin = record.name + "-" + record.version;
      throw_if_interrupted();  // only set while an InterruptGuard lives (a build making its root)
      ++index;
      if (package.old_version) {
        bool same = *package.old_version == record.version;
        progress(fmt::format("({}/{}) {} {} ({}{})", index, total, same ? "Reinstalling" : "Upgrading", record.name,
                             same ? "" : *package.old_version + " -> ", record.version));
        if (!same) report_.upgraded.push_back(fmt::format("{}-{} -> {}", record.name, *package.old_version, record.version));
        else report_.installed.push_back(origin);
      } else {
        progress(fmt::format("({}/{}) Installing {} ({})", index, total, record.name, record.version));
        report_.installed.push_back(origin);
      }
      bool xattrs_ok = true;
      for (const auto& step : package.steps) {
        switch (step.kind) {
          case EntryStep::Kind::directory:
            transaction_.make_directory(step.item->entry, step.expected_acl, step.takes_acl,
                                        step.may_replace_non_directory);
            break;
          case EntryStep::Kind::write:
            xattrs_ok = transaction_.write_entry(*step.item, origin) && xattrs_ok;
            ++report_.files_written;
            break;
          case EntryStep::Kind::skip_kept: break;
          case EntryStep::Kind::skip_device:
            warn(fmt::format("{}: skipped device node {}: creating it needs privileges", origin, step.item->entry.path));
            break;
        }
      }
      if (!xattrs_ok) {  // apk-tools marks the package `f:x` (broken xattrs)
        for (auto& installed : planned.installed)
          if (installed.record.name == record.name) installed.broken_xattr = true;
      }
    }
    for (const auto& removed : planned.removed) progress(fmt::format("({}/{}) Purging {}", ++index, total, removed));
    for (const auto& change : planned.dir_owner_changes) transaction_.directory_owner_changed(change.path, change.acl);
    for (const auto& path : planned.stale_files) {
      transaction_.remove_file(path);
      ++report_.files_removed;
    }
  }

  void write_database(const TransactionPlan& planned, const InstalledState& state,
                      const std::vector<std::pair<std::string, std::string>>& keys) {
    sync_root(root_);  // the files first, then the database that lists them
    std::string scripts = format_scripts_tar(planned.installed);
    if (state.scripts_gzipped) transaction_.write_file(std::string(root_paths::scripts_tar_gz), apk::gzip_member(scripts, 6), 0644);
    else transaction_.write_file(std::string(root_paths::scripts_tar), scripts, 0644);
    transaction_.write_file(std::string(root_paths::triggers), format_triggers(planned.installed), 0644);
    if (plan_.world) transaction_.write_file(std::string(root_paths::world), format_world(*plan_.world), 0644);
    if (!options_.arch.empty()) transaction_.write_file(std::string(root_paths::arch), options_.arch + "\n", 0644);
    else if (!root_.lstat(root_paths::arch))
      transaction_.write_file(std::string(root_paths::arch), apk::host_apk_arch() + "\n", 0644);
    if (options_.repositories)
      transaction_.write_file(std::string(root_paths::repositories), join_lines(*options_.repositories), 0644);
    for (const auto& [name, contents] : keys)
      transaction_.write_file(std::string(root_paths::keys_dir) + "/" + name, contents, 0644);
    // Last: once the installed database is replaced, the transaction is complete.
    transaction_.write_file(std::string(root_paths::installed), format_installed_db(planned.installed), 0644);
  }

  const RootDir& root_;
  const InstallPlan& plan_;
  const InstallOptions& options_;
  InstallReport report_;
  RootTransaction transaction_;
};

}  // namespace

InstallReport install_packages(const std::filesystem::path& root, const InstallPlan& plan,
                               const InstallOptions& options) {
  // An interrupt stops the install at the next package and rolls back, rather than ending lupine
  // with the root half changed (and marked so, until someone looks at it).
  InterruptGuard interrupt_guard;
  init_root_directories(root);
  RootDir root_dir(root);
  RootLock lock(root_dir);
  refuse_interrupted_root(root_dir);
  init_root_files(root_dir);
  InstalledState state = load_installed_state(root_dir);
  // Nothing installed yet: a root being made (build root, image), where new files go in place.
  const bool new_root = state.packages.empty();
  return Installer(root_dir, plan, options, new_root).run(state);
}

}  // namespace lupine::index
