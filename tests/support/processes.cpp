#include "support/processes.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

namespace lupine::testing {

namespace {
// /proc/<pid>/cmdline, or "" when the process is gone (reading it then fails with ESRCH, which an
// ifstream turns into an exception: the flaky failure this replaces).
std::string command_line(const std::filesystem::path& proc_entry) {
  int fd = ::open((proc_entry / "cmdline").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string text;
  char buffer[4096];
  for (;;) {
    ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got <= 0) break;
    text.append(buffer, static_cast<size_t>(got));
  }
  ::close(fd);
  return text;
}
}  // namespace

std::vector<pid_t> processes_with(const std::string& marker) {
  std::vector<pid_t> found;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (command_line(entry.path()).find(marker) != std::string::npos) found.push_back(std::stoi(name));
  }
  return found;
}

}  // namespace lupine::testing
