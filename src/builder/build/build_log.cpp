#include "builder/build/build_log.h"

#include "common/error.h"

#include <fmt/format.h>

namespace lupine::builder {
namespace {
constexpr size_t kRecentLines = 200;
}

BuildLog::BuildLog(const std::filesystem::path& file, bool echo_output, std::FILE* terminal)
    : path_(file), terminal_(terminal), echo_output_(echo_output) {
  if (file.empty()) return;
  std::error_code error;
  std::filesystem::create_directories(file.parent_path(), error);
  file_ = std::fopen(file.c_str(), "we");
  if (!file_) fail_errno("cannot write the build log " + file.string());
}

BuildLog::~BuildLog() {
  if (file_) std::fclose(file_);
}

void BuildLog::write_file(std::string_view line) {
  if (!file_) return;
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fputc('\n', file_);
  std::fflush(file_);
}

void BuildLog::step(std::string_view package, std::string_view name) {
  message(fmt::format("==> {}: {}", package, name));
}

void BuildLog::message(std::string_view line) {
  std::lock_guard lock(mutex_);
  write_file(line);
  if (terminal_) {
    fmt::print(terminal_, "{}\n", line);
    std::fflush(terminal_);
  }
}

void BuildLog::output(OutputStream, std::string_view line) {
  std::lock_guard lock(mutex_);
  write_file(line);
  recent_.emplace_back(line);
  if (recent_.size() > kRecentLines) recent_.pop_front();
  if (echo_output_ && terminal_) fmt::print(terminal_, "    {}\n", line);
}

void BuildLog::detail(std::string_view line) {
  std::lock_guard lock(mutex_);
  write_file(line);
}

std::vector<std::string> BuildLog::tail(size_t count) const {
  std::lock_guard lock(mutex_);
  size_t skip = recent_.size() > count ? recent_.size() - count : 0;
  return {recent_.begin() + static_cast<std::ptrdiff_t>(skip), recent_.end()};
}

void BuildLog::print_tail(size_t count) {
  auto lines = tail(count);
  std::lock_guard lock(mutex_);
  if (!terminal_ || lines.empty()) return;
  fmt::print(terminal_, "--- last {} lines of output ---\n", lines.size());
  for (const auto& line : lines) fmt::print(terminal_, "    {}\n", line);
  std::fflush(terminal_);
}

}  // namespace lupine::builder
