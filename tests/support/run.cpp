#include "support/run.h"

#include "common/error.h"
#include "common/fs.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

extern char** environ;

namespace lupine::testing {

int spawn(const std::vector<std::string>& argv, const std::string& out_file, const std::string& err_file) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) fail("cannot run {}", argv[0]);
  return pid;
}

RunResult run(const std::vector<std::string>& argv) {
  TempDir scratch("lupine-run");
  auto out_path = scratch.path() / "out", err_path = scratch.path() / "err";
  pid_t pid = spawn(argv, out_path.string(), err_path.string());
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {}
  RunResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  return result;
}

RunResult run_lupine(const std::vector<std::string>& args) {
  const char* binary = std::getenv("LUPINE_BINARY");
  std::vector<std::string> argv{binary && *binary ? binary : "lupine"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv);
}

}  // namespace lupine::testing
