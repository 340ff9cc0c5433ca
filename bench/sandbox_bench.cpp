// Per-step sandbox overhead: a `true` step through lupine's sandbox runner against bare bwrap with
// the very same command line, spawned and waited for directly. Run by bench/build-overhead.
//
// Usage: sandbox_bench ROOT WORKSPACE [RUNS]      prints a table and ratios
//        sandbox_bench --print-command ROOT WORKSPACE   prints the bwrap command, one argument a line
#include "builder/build/sandbox.h"
#include "common/error.h"

#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

struct Timing {
  double median_ms, mean_ms, min_ms;
};

Timing measure(int runs, const std::function<void()>& once) {
  for (int i = 0; i < 3; ++i) once();  // warm-up: page cache, bwrap's first run
  std::vector<double> samples;
  for (int i = 0; i < runs; ++i) {
    auto start = Clock::now();
    once();
    samples.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::sort(samples.begin(), samples.end());
  double sum = 0;
  for (double sample : samples) sum += sample;
  return {samples[samples.size() / 2], sum / samples.size(), samples.front()};
}

// posix_spawn + waitpid of the exact command: the least any runner can do.
void spawn_and_wait(const std::vector<std::string>& command) {
  std::vector<char*> argv;
  for (const auto& arg : command) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) lupine::fail("cannot spawn bwrap");
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) lupine::fail("bare bwrap failed");
}

void print_row(const std::string& what, const Timing& timing, const Timing& baseline) {
  fmt::print("{:<44} {:>8.2f} {:>8.2f} {:>8.2f} {:>7.2f}x\n", what, timing.median_ms, timing.mean_ms, timing.min_ms,
             timing.median_ms / baseline.median_ms);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    bool print_command = !args.empty() && args[0] == "--print-command";
    if (print_command) args.erase(args.begin());
    if (args.size() < 2) {
      std::cerr << "usage: sandbox_bench [--print-command] ROOT WORKSPACE [RUNS]\n";
      return 2;
    }
    lupine::builder::SandboxSpec spec;
    spec.root = args[0];
    spec.workspace = args[1];
    spec.source_date_epoch = 0;
    int runs = args.size() > 2 ? std::atoi(args[2].c_str()) : 200;
    const std::vector<std::string> true_command{"/bin/true"};
    auto command = lupine::builder::bwrap_command(spec, true_command);
    if (print_command) {
      for (const auto& arg : command) std::cout << arg << '\n';
      return 0;
    }

    auto bare = measure(runs, [&] { spawn_and_wait(command); });
    auto runner = measure(runs, [&] {
      auto result = lupine::builder::run_in_sandbox(spec, true_command);
      if (!result.success()) lupine::fail("sandboxed true failed: {}", result.describe());
    });
    auto streamed = measure(runs, [&] {
      auto result = lupine::builder::run_in_sandbox(spec, true_command, [](lupine::OutputStream, std::string_view) {});
      if (!result.success()) lupine::fail("sandboxed true failed: {}", result.describe());
    });
    auto step = measure(runs, [&] {
      auto result = lupine::builder::run_step(spec, "true");
      if (!result.success()) lupine::fail("step failed: {}", result.describe());
    });

    fmt::print("{} runs each, ms per run                        median     mean      min   ratio\n", runs);
    print_row("bare bwrap ... /bin/true (posix_spawn)", bare, bare);
    print_row("run_in_sandbox(/bin/true), captured", runner, bare);
    print_row("run_in_sandbox(/bin/true), line callback", streamed, bare);
    print_row("run_step(\"true\"), melange sh -c preamble", step, bare);
    double ratio = runner.median_ms / bare.median_ms;
    fmt::print("overhead of the runner: {:.2f} ms per step ({:.2f}x; target <= 2x): {}\n",
               runner.median_ms - bare.median_ms, ratio, ratio <= 2.0 ? "OK" : "OVER TARGET");
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "sandbox_bench: " << error.what() << '\n';
    return 1;
  }
}
