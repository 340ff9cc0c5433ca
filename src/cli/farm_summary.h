// What `lupine farm build` and `lupine farm stages` print of a farm build: live progress on
// stderr, and the summary as a table or JSON on stdout.
#pragma once

#include "farm/farm_build.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>

namespace lupine::cli {

// Counts of running / built / queued / failed, redrawn on one terminal line.
class Progress {
 public:
  Progress(size_t total, bool live) : total_(total), live_(live), started_(std::chrono::steady_clock::now()) {}

  void update(const farm::RecipeSummary& summary, const farm::JobReport& report);
  void finish() const;

 private:
  static std::string first_line(const std::string& text);
  static std::string with_log(const std::string& message, const std::filesystem::path& log);

  size_t total_, ended_ = 0, running_ = 0, failed_ = 0;
  bool live_;
  std::chrono::steady_clock::time_point started_;
};

// The summary as JSON ({"recipes": [...], "published", "index_updated", "interrupted", "seconds"}).
nlohmann::json result_value(const farm::FarmBuildResult& result);
std::string result_json(const farm::FarmBuildResult& result);
// RECIPE RESULT TIME LOG, a line per recipe (and why it failed), then the counts.
std::string result_table(const farm::FarmBuildResult& result);

}  // namespace lupine::cli
