#include "builder/build/sandbox_idmap.h"

#include "common/error.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <regex>
#include <unistd.h>

namespace lupine::builder {

namespace {

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

void make_pipe(int& read_end, int& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) fail("sandbox: cannot make a pipe: {}", std::strerror(errno));
  read_end = fds[0];
  write_end = fds[1];
}

// Writes the whole of `text` to /proc/<pid>/<file>; "" or what failed.
std::string write_proc_file(int pid, const char* file, const std::string& text) {
  std::string path = fmt::format("/proc/{}/{}", pid, file);
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return fmt::format("cannot open {}: {}", path, std::strerror(errno));
  // The kernel takes a map in one write(2) only.
  ssize_t written = ::write(fd, text.data(), text.size());
  std::string error =
      written == static_cast<ssize_t>(text.size()) ? "" : fmt::format("cannot write {}: {}", path, std::strerror(errno));
  ::close(fd);
  return error;
}

}  // namespace

std::string sandbox_id_map_line() { return fmt::format("0 0 {}\n", sandbox_mapped_ids); }

int child_pid_from_info(const std::string& json) {
  static const std::regex pattern(R"re("child-pid"\s*:\s*([0-9]+))re");
  std::smatch match;
  if (!std::regex_search(json, match, pattern)) return 0;
  return std::stoi(match[1].str());
}

SandboxIdMap::SandboxIdMap() {
  make_pipe(info_read_, info_write_);
  make_pipe(block_read_, block_write_);
}

SandboxIdMap::~SandboxIdMap() {
  finished();
  close_fd(info_read_);
  close_fd(block_read_);
}

std::vector<std::string> SandboxIdMap::bwrap_arguments() const {
  return {"--unshare-user", "--info-fd", std::to_string(info_write_), "--userns-block-fd", std::to_string(block_read_)};
}

std::vector<int> SandboxIdMap::child_fds() const { return {info_write_, block_read_}; }

void SandboxIdMap::start() { helper_ = std::thread([this] { run(); }); }

void SandboxIdMap::finished() {
  // bwrap has exited: lupine's own copy of the info pipe's write end is the last, so a helper
  // still reading (bwrap failed before it reported a child) sees the end.
  close_fd(info_write_);
  if (helper_.joinable()) helper_.join();
  close_fd(block_write_);
}

void SandboxIdMap::run() {
  std::string info;
  int pid = 0;
  char buffer[512];
  // bwrap writes the JSON and then blocks; it closes the descriptor only later, so read until
  // the pid is there (and the object is complete), not until the end.
  while (pid == 0 || info.find('}') == std::string::npos) {
    ssize_t got = ::read(info_read_, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    info.append(buffer, static_cast<size_t>(got));
    pid = child_pid_from_info(info);
  }
  if (pid == 0) {
    if (!info.empty()) error_ = "bwrap reported no child pid: " + info;
  } else {
    // gid_map without setgroups=deny: the writer (lupine, root outside) has CAP_SETGID there.
    error_ = write_proc_file(pid, "uid_map", sandbox_id_map_line());
    if (error_.empty()) error_ = write_proc_file(pid, "gid_map", sandbox_id_map_line());
  }
  // Let bwrap go on either way: without maps its setup fails, and says so.
  char go = 1;
  if (block_write_ >= 0) {
    (void)!::write(block_write_, &go, 1);
    close_fd(block_write_);
  }
}

}  // namespace lupine::builder
