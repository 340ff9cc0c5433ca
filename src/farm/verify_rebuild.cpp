#include "farm/verify_rebuild.h"

#include "apk/package.h"
#include "builder/build/rebuild_report_json.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/process.h"
#include "farm/farm_job.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace lupine::farm {

namespace fs = std::filesystem;

size_t RecipeRebuild::identical() const {
  return static_cast<size_t>(std::count_if(packages.begin(), packages.end(),
                                           [](const auto& package) { return package.difference.identical; }));
}

size_t VerifyRebuildReport::packages() const {
  size_t total = 0;
  for (const auto& recipe : recipes) total += recipe.packages.size();
  return total;
}

size_t VerifyRebuildReport::identical() const {
  size_t total = 0;
  for (const auto& recipe : recipes) total += recipe.identical();
  return total;
}

double VerifyRebuildReport::percent() const {
  return packages() == 0 ? 100.0 : 100.0 * static_cast<double>(identical()) / static_cast<double>(packages());
}

VerifyRebuildReport verify_rebuild(const VerifyRebuildOptions& options) {
  // The packages of each recipe, by origin and version (a repository may hold several versions).
  std::map<std::pair<std::string, std::string>, std::vector<fs::path>> groups;
  for (const auto& repository : options.repositories) {
    fs::path dir = repository / options.arch;
    if (!fs::is_directory(dir)) fail("{}: no {} directory: expected a repository with packages for {}", repository.string(),
                                     options.arch, options.arch);
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.is_regular_file() && entry.path().extension() == ".apk") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      apk::Package package = apk::Package::read(file, {.inflate_data = false});
      const apk::PkgInfo& info = package.info();
      groups[{info.origin.empty() ? info.pkgname : info.origin, info.pkgver}].push_back(file);
    }
  }

  if (!options.only.empty()) {
    std::set<std::string> wanted(options.only.begin(), options.only.end()), found;
    for (auto group = groups.begin(); group != groups.end();) {
      if (wanted.count(group->first.first)) {
        found.insert(group->first.first);
        ++group;
      } else {
        group = groups.erase(group);
      }
    }
    for (const auto& name : wanted)
      if (!found.count(name)) fail("--target {}: no package of the repositories has that origin", name);
  }

  if (!options.executor) fail("farm verify-rebuild: no executor");
  const fs::path out_dir = fs::absolute(options.out_dir).lexically_normal();
  VerifyRebuildReport report;
  std::vector<FarmJob> jobs;
  std::vector<fs::path> report_files;
  for (auto& [key, files] : groups) {
    RecipeRebuild recipe{key.first, key.second, {}, {}, {}, {}};
    fs::path out = out_dir / recipe.origin;
    fs::path report_file = out / "report.json";
    fs::remove(report_file);  // an earlier run's is no answer for this one
    FarmJob job;
    job.name = recipe.origin;
    job.argv = options.argv_for(recipe.origin, files, out, report_file);
    job.log = out / "rebuild.log";
    recipe.log = job.log;
    // Longest first: the build time the farm recorded beside the packages, when it did.
    for (const auto& repository : options.repositories) {
      auto record = read_build_record(build_record_path(repository, options.arch, recipe.origin));
      if (record && record->version == recipe.version) job.priority = std::max(job.priority, record->seconds);
    }
    for (const auto& file : files) recipe.packages.push_back({file, {}, {}});
    report.recipes.push_back(std::move(recipe));
    report_files.push_back(report_file);
    jobs.push_back(std::move(job));
  }

  options.executor->run(jobs, [&](size_t i, const JobReport& state) {
    if (state.state == JobState::queued || state.state == JobState::running) return;
    RecipeRebuild& recipe = report.recipes[i];
    if (state.started != std::chrono::steady_clock::time_point{})
      recipe.took = std::chrono::duration_cast<std::chrono::milliseconds>(state.ended - state.started);
    // A job that differs exits 1 with its report; one that could not rebuild says why in it.
    std::error_code missing;
    if (fs::is_regular_file(report_files[i], missing)) {
      try {
        builder::RebuildOutcome outcome = builder::parse_rebuild_outcome(read_file(report_files[i]),
                                                                         report_files[i].string());
        recipe.error = outcome.error;
        if (outcome.error.empty()) recipe.packages = std::move(outcome.packages);
      } catch (const Error& error) {
        recipe.error = error.what();
      }
    } else {
      recipe.error = fmt::format("the rebuild job ended ({}{}) without a report; see {}", job_state_name(state.state),
                                 state.detail.empty() ? "" : ": " + state.detail, recipe.log.string());
    }
    if (options.on_done) options.on_done(recipe);
  });
  report.interrupted = interrupt_requested();
  return report;
}

std::string render_verify_rebuild(const VerifyRebuildReport& report) {
  size_t width = 6;
  for (const auto& recipe : report.recipes) width = std::max(width, recipe.origin.size());
  std::string text = fmt::format("{:<{}}  {:<16} {:>8}  {:>12}  {:<13} {:>8}\n", "recipe", width, "version", "packages",
                                 "reproducible", "result", "time");
  for (const auto& recipe : report.recipes) {
    std::string result = !recipe.error.empty()                             ? "FAILED"
                         : recipe.identical() == recipe.packages.size() ? "reproducible"
                                                                          : "DIFFERS";
    text += fmt::format("{:<{}}  {:<16} {:>8}  {:>12}  {:<13} {:>7.1f}s\n", recipe.origin, width, recipe.version,
                        recipe.packages.size(), recipe.identical(), result,
                        static_cast<double>(recipe.took.count()) / 1000.0);
  }
  for (const auto& recipe : report.recipes) {
    if (!recipe.error.empty()) {
      text += fmt::format("\n{}: {}\n", recipe.origin, recipe.error);
      continue;
    }
    for (const auto& package : recipe.packages)
      if (!package.difference.identical)
        text += fmt::format("\n{} differs:\n{}", package.original.filename().string(),
                            apk::render_package_difference(package.difference));
  }
  text += fmt::format("\n{} of {} packages reproducible ({:.1f} %)\n", report.identical(), report.packages(),
                      report.percent());
  return text;
}

}  // namespace lupine::farm
