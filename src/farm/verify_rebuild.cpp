#include "farm/verify_rebuild.h"

#include "apk/package.h"
#include "common/error.h"
#include "common/parallel.h"

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

  VerifyRebuildReport report;
  std::vector<std::vector<fs::path>> members;
  for (auto& [key, files] : groups) {
    report.recipes.push_back({key.first, key.second, {}, {}, {}});
    members.push_back(files);
  }
  parallel_for(report.recipes.size(), std::max(1u, options.jobs), [&](size_t i) {
    RecipeRebuild& recipe = report.recipes[i];
    auto started = std::chrono::steady_clock::now();
    fs::path out = options.out_dir / recipe.origin;
    try {
      builder::RebuildReport rebuilt = builder::rebuild_packages(
          members[i], [&](const builder::BuildPlan& plan, const fs::path& recipe_file) {
            builder::BuildOptions build = options.options_for(plan, recipe_file);
            build.out_dir = out;
            return build;
          });
      recipe.packages = std::move(rebuilt.packages);
    } catch (const std::exception& error) {
      // Counted as packages that did not reproduce: a rebuild that cannot be made is no proof.
      recipe.error = error.what();
      recipe.packages.clear();
      for (const auto& file : members[i]) recipe.packages.push_back({file, {}, {}});
    }
    recipe.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    if (options.on_done) options.on_done(recipe);
  });
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
