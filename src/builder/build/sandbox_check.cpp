#include "builder/build/sandbox_check.h"

#include "common/error.h"
#include "common/process.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>

namespace lupine::builder {
namespace {

constexpr const char* install_hint =
    "install bubblewrap: `apt-get install bubblewrap` (Debian, Ubuntu), `dnf install bubblewrap` "
    "(Fedora), `apk add bubblewrap` (Alpine), or set LUPINE_BWRAP to its path";

std::optional<long> read_sysctl(const char* path) {
  std::ifstream in(path);
  long value = 0;
  if (in >> value) return value;
  return std::nullopt;
}

std::string first_lines(const std::string& text) {
  std::string trimmed = text.substr(0, 2000);
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == ' ')) trimmed.pop_back();
  return trimmed;
}

ProcessResult run_quietly(std::vector<std::string> argv) {
  ProcessOptions options;
  options.argv = std::move(argv);
  options.timeout = std::chrono::seconds(30);
  return run_process(options);
}

SandboxSupport check(const std::filesystem::path& bwrap) {
  SandboxSupport support{bwrap, {}};
  auto version = run_quietly({bwrap.string(), "--version"});
  if (!version.success())
    fail("bubblewrap at {} does not run (`bwrap --version`: {}): {}; {}", bwrap.string(),
         version.describe(), first_lines(version.err), install_hint);
  support.version = first_lines(version.out);

  auto max_namespaces = read_sysctl("/proc/sys/user/max_user_namespaces");
  auto unprivileged_clone = read_sysctl("/proc/sys/kernel/unprivileged_userns_clone");
  bool root = geteuid() == 0;
  if (auto problem = user_namespace_problem(max_namespaces, unprivileged_clone, root))
    fail("the build sandbox needs user namespaces: {}", *problem);

  // The namespaces a step uses, on the host's own root (read-only): proves they can be created.
  std::string true_program = find_program("true", current_path_list());
  if (true_program.empty()) true_program = "/bin/true";
  auto trial = run_quietly({bwrap.string(), "--unshare-all", "--die-with-parent", "--new-session",
                            "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", true_program});
  if (!trial.success()) {
    std::string hints;
    if (max_namespaces && *max_namespaces == 0)
      hints += "; user.max_user_namespaces is 0: `sysctl -w user.max_user_namespaces=15000`";
    if (unprivileged_clone && *unprivileged_clone == 0)
      hints += "; kernel.unprivileged_userns_clone is 0: `sysctl -w kernel.unprivileged_userns_clone=1`";
    if (auto apparmor = read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns"); apparmor && *apparmor)
      hints += "; AppArmor restricts unprivileged user namespaces "
               "(kernel.apparmor_restrict_unprivileged_userns = 1): allow bwrap in an AppArmor profile "
               "or `sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`";
    if (std::filesystem::exists("/.dockerenv") || std::filesystem::exists("/run/.containerenv"))
      hints += "; inside a container, namespaces may also be blocked by its seccomp profile "
               "(run it with --security-opt seccomp=unconfined or --privileged)";
    fail("{} cannot create the build sandbox ({}): {}{}", support.version, trial.describe(),
         first_lines(trial.err), hints);
  }
  return support;
}

}  // namespace

std::optional<std::string> user_namespace_problem(std::optional<long> max_user_namespaces,
                                                  std::optional<long> unprivileged_userns_clone,
                                                  bool running_as_root) {
  // root may sandbox without a user namespace; a trial run decides for it.
  if (running_as_root) return std::nullopt;
  if (max_user_namespaces && *max_user_namespaces == 0)
    return "user namespaces are disabled (user.max_user_namespaces = 0); enable them with "
           "`sysctl -w user.max_user_namespaces=15000` (as root; persist it in /etc/sysctl.d/)";
  if (unprivileged_userns_clone && *unprivileged_userns_clone == 0)
    return "unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone = 0); enable "
           "them with `sysctl -w kernel.unprivileged_userns_clone=1` (as root; persist it in "
           "/etc/sysctl.d/)";
  return std::nullopt;
}

std::filesystem::path find_bwrap(const std::filesystem::path& requested) {
  std::string wanted = requested.string();
  if (wanted.empty()) {
    const char* env = std::getenv("LUPINE_BWRAP");
    wanted = env && *env ? env : "bwrap";
  }
  if (wanted.find('/') != std::string::npos) {
    std::error_code error;
    return std::filesystem::is_regular_file(wanted, error) && access(wanted.c_str(), X_OK) == 0
               ? std::filesystem::path(wanted)
               : std::filesystem::path();
  }
  return find_program(wanted, current_path_list());
}

const SandboxSupport& require_sandbox(const std::filesystem::path& requested_bwrap) {
  std::filesystem::path bwrap = find_bwrap(requested_bwrap);
  if (bwrap.empty()) {
    const char* env = std::getenv("LUPINE_BWRAP");
    std::string what = !requested_bwrap.empty() ? "bubblewrap not found at " + requested_bwrap.string()
                       : env && *env            ? fmt::format("bubblewrap not found at {} (LUPINE_BWRAP)", env)
                                                : "bubblewrap (bwrap) is not installed or not on PATH";
    fail("{}: every build step runs in it; {}", what, install_hint);
  }
  // Successes are cached; a failure is checked again next time (it may have been fixed meanwhile).
  static std::mutex mutex;
  static std::map<std::filesystem::path, SandboxSupport> checked;
  std::lock_guard lock(mutex);
  if (auto it = checked.find(bwrap); it != checked.end()) return it->second;
  return checked.emplace(bwrap, check(bwrap)).first->second;
}

}  // namespace lupine::builder
