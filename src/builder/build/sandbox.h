// The build sandbox: each pipeline step runs in bubblewrap (bwrap, run as a process), with
//  - the build root's files at / (read-only; or the directory itself read-write, for a private copy
//    that steps may change, as melange does);
//  - the workspace at /home/build read-write (melange-out/<pkg> under it is the destdir);
//  - fresh /proc, a minimal /dev, a writable tmpfs /tmp, the given extra binds;
//  - no network and no other namespace shared with the host (--unshare-all), its own hostname;
//  - an environment of only PATH, HOME=/home/build, SOURCE_DATE_EPOCH and what is given.
//
// Every sandboxed process ends with the step, through a chain the kernel enforces:
//   lupine ──PR_SET_PDEATHSIG=SIGKILL──► bwrap ──--die-with-parent──► bwrap's init of the step's pid
//   namespace ──(init gone: the kernel SIGKILLs every process of the namespace)──► the step's processes.
// lupine dying (even by SIGKILL) starts the chain; on timeout, a throwing callback or SIGINT/SIGTERM
// (common/process.h) lupine SIGKILLs bwrap's process group, which starts it too. (The group kill
// alone would not reach the step: --new-session puts it in a session of its own.) When the step's
// main process exits, init exits with it, so background processes it left are killed as well.
#pragma once

#include "common/process.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lupine::builder {

// The PATH of every step (melange's, pkg/build/pipeline.go).
inline constexpr const char* sandbox_path = "/usr/local/sbin:/usr/local/bin:/usr/bin:/usr/sbin:/sbin:/bin";
// Where the workspace appears inside the sandbox.
inline constexpr const char* sandbox_workspace = "/home/build";

struct SandboxBind {
  std::filesystem::path source;  // on the host; must exist unless optional
  std::string destination;       // absolute, inside the sandbox
  bool writable = false;
  bool optional = false;         // skipped when the source does not exist
};

enum class RootAccess {
  // The root's files are visible read-only; the root directory is not touched. Mount points
  // missing from it (/home/build, /proc, ...) are made on a tmpfs, not in the directory.
  read_only,
  // The root directory itself is bound read-write: changes persist between steps. Give it a
  // private copy (make_private_root_copy) — never a shared root.
  writable,
};

struct SandboxSpec {
  std::filesystem::path root;       // the build root's files
  RootAccess root_access = RootAccess::read_only;
  std::filesystem::path workspace;  // bound at /home/build read-write
  std::vector<SandboxBind> binds;   // more binds, after the workspace
  // Bound at /tmp read-write when set: the steps of one build share it, as melange's steps share
  // their guest's /tmp (a test writes /tmp/test.img in one step and reads it in the next). Else
  // each step gets a fresh tmpfs.
  std::filesystem::path tmp_dir;
  Environment env;                  // added to PATH, HOME, SOURCE_DATE_EPOCH (and may override them)
  std::optional<int64_t> source_date_epoch;  // default: SOURCE_DATE_EPOCH of lupine, else 0
  std::string cwd = sandbox_workspace;       // inside the sandbox
  std::chrono::milliseconds time_limit{0};   // 0: none
  std::string hostname = "lupine";
  // Run as uid/gid 0 inside, as melange's bubblewrap builds do. When lupine is not root this needs a
  // user namespace (--unshare-user --uid 0 --gid 0); files the step creates in the workspace are
  // still owned by lupine's own user on the host.
  bool run_as_root = false;
  // Run as this uid and gid inside instead (a user namespace mapping them to lupine's own ids):
  // `lupine image debug` runs as the image's user.
  std::optional<std::pair<uint32_t, uint32_t>> run_as;
  std::filesystem::path bwrap;      // default: LUPINE_BWRAP, else `bwrap` on PATH
  // The process shares lupine's terminal (run_shell_in_sandbox): no --new-session.
  bool terminal = false;
};

using SandboxResult = ProcessResult;

// Runs `argv` (argv[0] as seen inside the sandbox) in the sandbox. Output goes to `on_output` as it
// arrives, line by line (without '\n'); without a callback it is captured into the result.
// Throws Error when bubblewrap is unusable (what to install or enable) or refuses the spec (e.g. a
// bind source that does not exist), Interrupted when lupine is interrupted.
SandboxResult run_in_sandbox(const SandboxSpec& spec, const std::vector<std::string>& argv,
                             const OutputCallback& on_output = {});

// An interactive shell (/bin/sh -i, or `argv`) in the sandbox on lupine's own terminal (stdin,
// stdout, stderr), as melange's --interactive opens one where a step failed. lupine ignores SIGINT
// and SIGQUIT while it runs (they are the shell's); no time limit. Returns the shell's exit status
// (128 + signal when killed). Throws Error when bubblewrap is unusable or cannot be started.
int run_shell_in_sandbox(const SandboxSpec& spec, const std::vector<std::string>& argv = {"/bin/sh", "-i"});

// Runs one pipeline step as melange does (pkg/build/pipeline.go: buildEvalRunCommand):
//   /bin/sh -c 'set -e[x]o pipefail
//   [ -d <wd> ] || mkdir -p <wd>
//   cd <wd>
//   <script>
//   exit 0'
// `workdir` relative to /home/build, or absolute; empty means /home/build. `env` is added to the
// spec's environment (a step's `environment:`).
SandboxResult run_step(const SandboxSpec& spec, std::string_view script, std::string_view workdir = {},
                       const Environment& env = {}, const OutputCallback& on_output = {},
                       bool trace = false);

// The `sh -c` script run_step runs.
std::string step_script(std::string_view script, std::string_view workdir, bool trace = false);

// `text` quoted for a POSIX shell: as is when it holds only safe characters, else in single quotes.
std::string shell_quote(std::string_view text);

class SandboxIdMap;

// The complete bwrap command line (argv[0] = the bwrap binary) run_in_sandbox would run. With an
// id map (lupine is root: sandbox_idmap.h), bwrap lets lupine write the user namespace's maps.
std::vector<std::string> bwrap_command(const SandboxSpec& spec, const std::vector<std::string>& argv,
                                       const SandboxIdMap* id_map = nullptr);

// Copies a build root into `destination` (which must not exist) for RootAccess::writable: files,
// symlinks as symlinks, permissions; reflinks where the filesystem has them.
void make_private_root_copy(const std::filesystem::path& source, const std::filesystem::path& destination);

}  // namespace lupine::builder
