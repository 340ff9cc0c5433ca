#include "support/interrupted_child.h"

#include "common/error.h"
#include "common/process.h"

#include <sys/wait.h>
#include <unistd.h>

#include <optional>
#include <thread>

namespace lupine::testing {

InterruptedChild run_and_interrupt(const std::function<int()>& body, std::chrono::milliseconds delay, int signal,
                                   bool guarded) {
  int ready[2];
  if (::pipe(ready) != 0) fail_errno("pipe");
  pid_t child = ::fork();
  if (child < 0) fail_errno("fork");
  if (child == 0) {
    ::close(ready[0]);
    int code = 99;
    {
      std::optional<InterruptGuard> guard;
      if (guarded) guard.emplace();
      [[maybe_unused]] ssize_t ignored = ::write(ready[1], "x", 1);
      try {
        code = body();
      } catch (...) {
      }
    }
    ::_exit(code);
  }
  ::close(ready[1]);
  char byte;
  bool started = ::read(ready[0], &byte, 1) == 1;
  ::close(ready[0]);
  std::this_thread::sleep_for(delay);
  InterruptedChild result;
  auto signalled = std::chrono::steady_clock::now();
  if (started && signal != 0) ::kill(child, signal);
  if (::waitpid(child, &result.status, 0) != child) fail_errno("waitpid");
  result.after_signal = std::chrono::steady_clock::now() - signalled;
  return result;
}

}  // namespace lupine::testing
