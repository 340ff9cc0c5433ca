// The sandbox's user namespace when lupine runs as root: ids 0–65535 inside are the same ids on the
// host, so a step can give files to the root's accounts (util-linux's install runs `chgrp tty`)
// and the package records those owners, as melange's bubblewrap steps can (as root, melange runs them with no user namespace at
// all). bwrap alone maps only one id (uid 0 to root); here bwrap waits (--userns-block-fd) until
// lupine has written the namespace's uid_map and gid_map for the child it reports (--info-fd).
// The namespace still confines the step: its capabilities hold only inside it (no device nodes,
// no mounts the host sees).
#pragma once

#include <string>
#include <thread>
#include <vector>

namespace lupine::builder {

// How many ids the sandbox's user namespace maps (0 up to 65535, the usual 16-bit id range).
inline constexpr unsigned sandbox_mapped_ids = 65536;

class SandboxIdMap {
 public:
  SandboxIdMap();  // the two pipes
  ~SandboxIdMap();  // joins the helper thread
  SandboxIdMap(const SandboxIdMap&) = delete;
  SandboxIdMap& operator=(const SandboxIdMap&) = delete;

  // The bwrap options, before the others, and the descriptors the child keeps.
  std::vector<std::string> bwrap_arguments() const;
  std::vector<int> child_fds() const;

  // Starts the helper that reads the child's pid, writes its maps and lets bwrap go on. Call
  // before starting bwrap; call finished() when bwrap has exited.
  void start();
  void finished();
  // What went wrong writing the maps ("" when nothing): bwrap then fails to set up, and this says why.
  const std::string& error() const { return error_; }

 private:
  void run();

  int info_read_ = -1, info_write_ = -1;    // bwrap writes {"child-pid": N, ...} to info_write_
  int block_read_ = -1, block_write_ = -1;  // bwrap reads one byte from block_read_
  std::thread helper_;
  std::string error_;
};

// "0 0 65536\n": the map written to /proc/PID/uid_map and gid_map.
std::string sandbox_id_map_line();
// The child's pid from bwrap's --info-fd JSON; 0 when it is not there (yet).
int child_pid_from_info(const std::string& json);

}  // namespace lupine::builder
