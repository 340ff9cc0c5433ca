// Running other programs: argv, environment, working directory, output streamed to a callback or a
// file, a time limit, and a guarantee that nothing the program started outlives it.
//
// How every child process ends with lupine (the chain the sandbox relies on):
//  - each child runs in its own process group; when it exits, times out, or the caller throws (an
//    output callback, an interruption), the whole group is SIGKILLed before the child is reaped;
//  - each child has PR_SET_PDEATHSIG = SIGKILL: if lupine dies, even by SIGKILL, the kernel kills
//    the child (only the child: what it started itself survives unless, like bubblewrap with
//    --die-with-parent and its pid namespace, it passes the signal on — builder/sandbox.h);
//  - SIGINT/SIGTERM/SIGHUP: run_process installs handlers the first time it runs (only for signals
//    whose disposition is still the default). While children run, a signal makes every running
//    run_process kill its group, reap it, and throw Interrupted; when no child runs, or on a second
//    signal at least a second after the first (sooner it is the same interrupt delivered twice, as
//    timeout(1) does), the default action is restored and the signal re-raised, so lupine ends as
//    it would have without the handlers. Long work outside run_process may poll
//    interrupt_requested() or call throw_if_interrupted().
#pragma once

#include "common/error.h"

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace lupine {

using Environment = std::map<std::string, std::string>;

enum class OutputStream { out, err };

// Receives output as it arrives: raw chunks, or whole lines (without '\n') when line_buffered.
using OutputCallback = std::function<void(OutputStream stream, std::string_view data)>;

// Where one of the child's output streams goes.
struct OutputTarget {
  enum class Kind { capture, callback, file, inherit, discard };
  Kind kind = Kind::capture;
  std::filesystem::path path;  // Kind::file
  bool append = false;         // Kind::file

  static OutputTarget capture() { return {}; }          // into ProcessResult::out / err
  static OutputTarget callback() { return {Kind::callback, {}, false}; }  // ProcessOptions::on_output
  static OutputTarget file(std::filesystem::path path, bool append = false) {
    return {Kind::file, std::move(path), append};
  }
  static OutputTarget inherit() { return {Kind::inherit, {}, false}; }  // lupine's own stream
  static OutputTarget discard() { return {Kind::discard, {}, false}; }  // /dev/null
};

struct ProcessOptions {
  std::vector<std::string> argv;  // argv[0] without '/' is looked up in the child's PATH
  std::filesystem::path cwd;      // empty: lupine's own
  bool inherit_env = true;        // false: the child sees exactly `env`
  Environment env;                // added to (overriding) the inherited environment
  OutputTarget stdout_to;
  OutputTarget stderr_to;
  OutputCallback on_output;       // for OutputTarget::callback
  bool line_buffered = false;     // on_output gets complete lines
  std::chrono::milliseconds timeout{0};  // 0: none; then the whole group is SIGKILLed
  // File descriptors (of lupine, above 2) handed to the child under the same numbers; every other
  // descriptor is closed on exec.
  std::vector<int> keep_fds;
  // On an interrupt, the child's group first gets SIGTERM and this long to end by itself (a child
  // that is itself lupine cleans up its sandboxes and temporary files), then SIGKILL. 0: SIGKILL.
  std::chrono::milliseconds interrupt_grace{0};
  // A cleanup command (scancel after an interrupt): it runs even when lupine was already
  // interrupted, and an interrupt does not stop it (its timeout does).
  bool cleanup = false;
};

struct ProcessResult {
  int exit_code = -1;  // when the child exited normally
  int signal = 0;      // when it was killed by a signal (SIGKILL after a timeout)
  bool timed_out = false;
  std::chrono::nanoseconds elapsed{0};
  std::string out, err;  // captured output (OutputTarget::capture)

  bool success() const { return exit_code == 0 && !timed_out; }
  // The shell's convention: exit code, or 128 + signal.
  int status() const { return signal != 0 ? 128 + signal : exit_code; }
  // "exit code 2", "killed by signal 9 (Killed)", "timed out after 1.0 s".
  std::string describe() const;
};

// lupine received SIGINT/SIGTERM/SIGHUP while a child ran; the child's group has been killed.
class Interrupted : public Error {
 public:
  explicit Interrupted(int signal);
  int signal() const { return signal_; }

 private:
  int signal_;
};

// Runs a program to completion (see the header comment for how it is made to end). Throws Error
// when it cannot be started (not found, not executable, bad cwd), Interrupted as described above,
// and whatever on_output throws (after killing the group).
ProcessResult run_process(const ProcessOptions& options);

// Installs the SIGINT/SIGTERM/SIGHUP handlers now (run_process does it on first use).
void install_interrupt_handlers();

// True once lupine received one of those signals while children ran (or while an InterruptGuard
// lived).
bool interrupt_requested();

// Throws Interrupted when interrupt_requested(): a checkpoint for long work under an InterruptGuard.
void throw_if_interrupted();

// While one lives, SIGINT/SIGTERM/SIGHUP only set interrupt_requested() (as while a child runs):
// for work that must clean up after itself even when no child is running at the moment of the
// signal (a farm waiting on Slurm between polls, a build between its steps). A second signal (a
// second or more after the first) still ends lupine at once.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
};

// Sleeps up to `duration`; returns true as soon as an interrupt was requested (at once if one was).
bool wait_for_interrupt(std::chrono::milliseconds duration);

// The absolute path of `program` as execvp would find it along `path_list` ("a:b:c"), or "".
std::string find_program(std::string_view program, std::string_view path_list);

// The PATH lupine itself runs with (a standard list when unset).
std::string current_path_list();

}  // namespace lupine
