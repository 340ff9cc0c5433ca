#include "builder/build/sandbox.h"

#include "builder/build/sandbox_idmap.h"

#include "builder/build/sandbox_check.h"
#include "builder/build/sandbox_mounts.h"
#include "common/error.h"
#include "common/source_date.h"

#include <algorithm>

#include <unistd.h>

namespace lupine::builder {
namespace {

void require_directory(const std::filesystem::path& path, std::string_view what) {
  std::error_code error;
  if (path.empty()) fail("sandbox: no {} given", what);
  if (!std::filesystem::is_directory(path, error)) fail("sandbox: {} {} is not a directory", what, path.string());
}

Environment sandbox_environment(const SandboxSpec& spec) {
  int64_t epoch = spec.source_date_epoch ? *spec.source_date_epoch : source_date_epoch_or_zero();
  Environment env{{"PATH", sandbox_path},
                  {"HOME", sandbox_workspace},
                  {"SOURCE_DATE_EPOCH", std::to_string(epoch)}};
  for (const auto& [key, value] : spec.env) {
    if (key.empty() || key.find('=') != std::string::npos) fail("sandbox: bad environment variable name '{}'", key);
    env[key] = value;
  }
  return env;
}

// bwrap reports its own failures (a bind source missing, a mount refused) on stderr as
// "bwrap: ..." and exits 1, before the command runs.
bool is_setup_failure(const ProcessResult& result, const std::string& first_error_line) {
  return result.exit_code == 1 && first_error_line.rfind("bwrap: ", 0) == 0;
}

}  // namespace

std::vector<std::string> bwrap_command(const SandboxSpec& spec, const std::vector<std::string>& argv,
                                       const SandboxIdMap* id_map) {
  if (argv.empty()) fail("sandbox: nothing to run");
  require_directory(spec.root, "root");
  require_directory(spec.workspace, "workspace");

  std::vector<std::string> mount_points{"/proc", "/dev", "/tmp", sandbox_workspace};
  for (const auto& bind : spec.binds)
    mount_points.push_back(sandbox_absolute_path(bind.destination, "bind destination"));

  std::filesystem::path bwrap = find_bwrap(spec.bwrap);
  std::vector<std::string> command{bwrap.empty() ? "bwrap" : bwrap.string()};
  auto add = [&](std::initializer_list<std::string> args) { command.insert(command.end(), args); };
  // All namespaces (no network: only a loopback device of its own), killed with lupine, no
  // controlling terminal (a step cannot inject input into lupine's terminal).
  add({"--unshare-all", "--die-with-parent", "--hostname", spec.hostname});
  if (id_map) {
    auto arguments = id_map->bwrap_arguments();
    command.insert(command.end(), arguments.begin(), arguments.end());
  }
  if (!spec.terminal) add({"--new-session"});
  if (spec.run_as)
    add({"--unshare-user", "--uid", std::to_string(spec.run_as->first), "--gid", std::to_string(spec.run_as->second)});
  else if (spec.run_as_root && ::geteuid() != 0)
    add({"--unshare-user", "--uid", "0", "--gid", "0"});
  // Capabilities (in the sandbox's user namespace): the container-default set melange grants, and
  // nothing that could undo the read-only mounts (CAP_SYS_ADMIN) — by default a step running as
  // uid 0 would keep them all.
  add({"--cap-drop", "ALL"});
  for (const char* capability : {"CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID",
                                 "CAP_KILL", "CAP_MKNOD", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SETFCAP",
                                 "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT"})
    add({"--cap-add", capability});

  std::filesystem::path root = std::filesystem::absolute(spec.root);
  if (spec.root_access == RootAccess::writable) {
    add({"--bind", root.string(), "/"});
  } else {
    auto root_args = read_only_root_arguments(root, mount_points);
    command.insert(command.end(), root_args.begin(), root_args.end());
  }
  add({"--proc", "/proc", "--dev", "/dev"});
  if (spec.tmp_dir.empty())
    add({"--perms", "1777", "--tmpfs", "/tmp"});
  else
    add({"--bind", std::filesystem::absolute(spec.tmp_dir).string(), "/tmp"});
  add({"--bind", std::filesystem::absolute(spec.workspace).string(), sandbox_workspace});
  for (const auto& bind : spec.binds) {
    std::string option = bind.writable ? "--bind" : "--ro-bind";
    if (bind.optional) option += "-try";
    add({option, std::filesystem::absolute(bind.source).string(), sandbox_absolute_path(bind.destination, "bind destination")});
  }
  if (spec.root_access == RootAccess::read_only) add({"--remount-ro", "/"});
  add({"--chdir", sandbox_absolute_path(spec.cwd, "working directory")});
  add({"--clearenv"});
  for (const auto& [key, value] : sandbox_environment(spec)) add({"--setenv", key, value});
  add({"--"});
  command.insert(command.end(), argv.begin(), argv.end());
  return command;
}

SandboxResult run_in_sandbox(const SandboxSpec& spec, const std::vector<std::string>& argv,
                             const OutputCallback& on_output) {
  const SandboxSupport& support = require_sandbox(spec.bwrap);
  SandboxSpec resolved = spec;
  resolved.bwrap = support.bwrap;

  // As root, ids beyond 0 are mapped too (sandbox_idmap.h).
  std::optional<SandboxIdMap> id_map;
  if (::geteuid() == 0 && !spec.run_as) id_map.emplace();
  ProcessOptions options;
  options.argv = bwrap_command(resolved, argv, id_map ? &*id_map : nullptr);
  if (id_map) {
    options.keep_fds = id_map->child_fds();
    id_map->start();
  }
  options.inherit_env = false;  // bwrap needs none; the sandbox gets its own (--setenv)
  options.timeout = spec.time_limit;
  std::string first_error_line;
  bool first_error_seen = false;
  if (on_output) {
    options.stdout_to = OutputTarget::callback();
    options.stderr_to = OutputTarget::callback();
    options.line_buffered = true;
    options.on_output = [&](OutputStream stream, std::string_view line) {
      if (stream == OutputStream::err && !first_error_seen) {
        first_error_seen = true;
        first_error_line = line;
      }
      on_output(stream, line);
    };
  }
  SandboxResult result = run_process(options);
  if (id_map) id_map->finished();
  if (!on_output) first_error_line = result.err.substr(0, result.err.find('\n'));
  if (is_setup_failure(result, first_error_line))
    fail("the build sandbox could not be set up: {}{}", first_error_line,
         id_map && !id_map->error().empty() ? " (" + id_map->error() + ")" : "");
  return result;
}

void make_private_root_copy(const std::filesystem::path& source, const std::filesystem::path& destination) {
  require_directory(source, "root to copy");
  std::error_code error;
  if (std::filesystem::exists(destination, error)) fail("cannot copy the build root to {}: it exists", destination.string());
  std::filesystem::create_directories(destination.parent_path(), error);
  // cp -a keeps ownership, modes, hard links, xattrs and symlinks; --reflink=auto shares extents
  // on filesystems that can (btrfs, xfs) and copies elsewhere.
  ProcessOptions options;
  options.argv = {"cp", "-a", "--reflink=auto", "--", source.string(), destination.string()};
  auto result = run_process(options);
  if (!result.success())
    fail("cannot copy the build root {} to {} ({}): {}", source.string(), destination.string(),
         result.describe(), result.err);
}

}  // namespace lupine::builder
