// The log of one build or test run: every step's name as it starts and every line it prints, kept
// in a file (written as it goes, so `tail -f` works and a failed build keeps its log) and shown on
// stderr — step names and messages always, step output only when `echo_output` (a terminal, or
// --verbose): piped runs stay short and the file has everything.
#pragma once

#include "common/process.h"

#include <cstdio>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace lupine::builder {

class BuildLog {
 public:
  // `file` is created (with its directory) and truncated; empty: no file (stderr only).
  BuildLog(const std::filesystem::path& file, bool echo_output, std::FILE* terminal = stderr);
  ~BuildLog();
  BuildLog(const BuildLog&) = delete;
  BuildLog& operator=(const BuildLog&) = delete;

  // "==> <package>: <step>" as a step starts.
  void step(std::string_view package, std::string_view name);
  // A line of lupine's own (progress, warnings): to the file and stderr.
  void message(std::string_view line);
  // A line of a step's output: to the file, and to stderr when echoing.
  void output(OutputStream stream, std::string_view line);
  // A line for the file only (details not worth showing on a terminal).
  void detail(std::string_view line);

  // The last `count` lines of step output (what to show under an error when output was not echoed).
  std::vector<std::string> tail(size_t count) const;
  // Shows the last `count` output lines on the terminal only (under an error, when output was not
  // echoed as it came).
  void print_tail(size_t count);
  bool echoes_output() const { return echo_output_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  void write_file(std::string_view line);

  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
  std::FILE* terminal_;
  bool echo_output_;
  std::deque<std::string> recent_;
  mutable std::mutex mutex_;  // run_process may call back from its own reader
};

}  // namespace lupine::builder
