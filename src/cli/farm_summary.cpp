#include "cli/farm_summary.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

namespace lupine::cli {

void Progress::update(const farm::RecipeSummary& summary, const farm::JobReport& report) {
  using farm::JobState;
  if (report.state == JobState::running) ++running_;
  bool ended = report.state != JobState::running && report.state != JobState::queued;
  if (ended) {
    if (report.started != std::chrono::steady_clock::time_point{}) --running_;
    ++ended_;
    if (summary.result == farm::RecipeResult::failed || summary.result == farm::RecipeResult::blocked) ++failed_;
  }
  std::string line;
  if (ended && summary.result == farm::RecipeResult::failed)
    line = fmt::format("FAILED {}: {}", summary.name, with_log(first_line(summary.detail), summary.log));
  else if (ended && summary.result == farm::RecipeResult::blocked)
    line = fmt::format("blocked {}: {}", summary.name, summary.detail);
  else if (live_ && ended && summary.result == farm::RecipeResult::built)
    line = fmt::format("built {}-{} ({:.1f} s)", summary.name, summary.version, summary.seconds);
  else if (live_ && ended && summary.result == farm::RecipeResult::up_to_date)
    line = fmt::format("up to date: {}-{}", summary.name, summary.version);
  else if (live_ && report.state == JobState::running)
    line = fmt::format("building {}-{}", summary.name, summary.version);
  if (live_) fmt::print(stderr, "\r\033[K");
  if (!line.empty()) fmt::print(stderr, "{}\n", line);
  if (live_) {
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    fmt::print(stderr, "[{:.0f}s] {}/{} done · {} running · {} failed", elapsed, ended_, total_, running_, failed_);
  }
  std::fflush(stderr);
}

void Progress::finish() const {
  if (live_) fmt::print(stderr, "\r\033[K");
}

std::string Progress::first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// The job's log, unless the message names a log already (the builder's, of a failed step).
std::string Progress::with_log(const std::string& message, const std::filesystem::path& log) {
  if (log.empty() || message.find("(log: ") != std::string::npos) return message;
  return fmt::format("{} (log: {})", message, log.string());
}

nlohmann::json result_value(const farm::FarmBuildResult& result) {
  nlohmann::json recipes = nlohmann::json::array();
  for (const auto& recipe : result.recipes) {
    nlohmann::json entry{{"name", recipe.name},         {"version", recipe.version},
                         {"recipe", recipe.path},       {"result", farm::recipe_result_name(recipe.result)},
                         {"seconds", recipe.seconds},   {"packages", recipe.packages}};
    if (!recipe.log.empty()) entry["log"] = recipe.log.string();
    if (!recipe.detail.empty()) entry["detail"] = recipe.detail;
    recipes.push_back(std::move(entry));
  }
  nlohmann::json value{{"recipes", recipes},
                       {"published", result.published},
                       {"index_updated", result.index_updated},
                       {"interrupted", result.interrupted},
                       {"seconds", result.seconds}};
  return value;
}

std::string result_json(const farm::FarmBuildResult& result) { return result_value(result).dump(2) + "\n"; }

std::string result_table(const farm::FarmBuildResult& result) {
  size_t name_width = 6;
  for (const auto& recipe : result.recipes) name_width = std::max(name_width, recipe.name.size());
  std::string out = fmt::format("{:<{}}  {:<10}  {:>8}  {}\n", "RECIPE", name_width, "RESULT", "TIME", "LOG");
  for (const auto& recipe : result.recipes) {
    std::string time = recipe.seconds > 0 ? fmt::format("{:.1f}s", recipe.seconds) : "-";
    std::string log = recipe.log.empty() || !std::filesystem::exists(recipe.log) ? "-" : recipe.log.string();
    out += fmt::format("{:<{}}  {:<10}  {:>8}  {}\n", recipe.name, name_width, farm::recipe_result_name(recipe.result),
                       time, log);
    if (!recipe.detail.empty() && recipe.result != farm::RecipeResult::cancelled)
      out += fmt::format("{:<{}}  {}\n", "", name_width, recipe.detail.substr(0, recipe.detail.find('\n')));
  }
  out += fmt::format("{} built, {} up to date, {} failed, {} blocked, {} cancelled, {} skipped; {} package(s) published{} in {:.1f} s\n",
                     result.count(farm::RecipeResult::built), result.count(farm::RecipeResult::up_to_date),
                     result.count(farm::RecipeResult::failed), result.count(farm::RecipeResult::blocked),
                     result.count(farm::RecipeResult::cancelled), result.count(farm::RecipeResult::skipped),
                     result.published, result.index_updated ? ", index updated" : "", result.seconds);
  return out;
}

}  // namespace lupine::cli
