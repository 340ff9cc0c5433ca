// lupine fetch RECIPE... --cache-dir C [--source-dir D] [--offline] [--pipeline-dir P]... [--arch A]
// [--build-option O]...: fetches and verifies the sources of every enabled `uses: fetch` and
// `uses: git-checkout` step of each recipe (package, subpackages and tests) into the cache, as build
// farms do ahead of builds; builds then need no network for them. Archives are cached as
// `sha256:<hex>` / `sha512:<hex>` (melange's layout), git repositories as bare mirrors under `git/`.
// With --source-dir the sources are also laid out in D as the build workspace (/home/build) gets
// them: extracted, checked out, with the downloaded files kept (steps working outside /home/build
// need --guest-root, standing for the guest's /). --offline only checks that the
// cache holds everything. Prints one line per source; exit 1 when any source failed (all are tried).
//
// When an upstream URL cannot be reached (no DNS, connection refused or timed out), the archive is
// looked for in Debian's source package of the same name (--no-debian-fallback turns that off):
// `apt-get source --download-only` with a private apt configuration under <cache>/debian-apt, and
// only a file whose own checksum equals the recipe's is cached (builder/debian_source.h). Debian's
// name for a package may differ: `.debian-sources.yaml` beside the recipe (or --debian-sources)
// maps recipe package names to Debian source package names.
#include "builder/recipe/compile.h"
#include "builder/source/debian_archive.h"
#include "builder/source/debian_source.h"
#include "builder/source/fetch.h"
#include "builder/source/git_checkout.h"
#include "builder/recipe/pipeline_library.h"
#include "cli/command.h"
#include "common/fs.h"

#include <fmt/format.h>

#include <cstdio>
#include <memory>

namespace lupine::cli {
namespace {

struct FetchArgs {
  std::vector<std::string> recipes;
  std::string cache_dir;
  std::string source_dir;
  std::string guest_root;
  std::vector<std::string> pipeline_dirs;
  std::vector<std::string> build_options;
  std::string arch;
  bool offline = false;
  bool verbose = false;
  bool debian_fallback = true;
  std::string debian_sources;  // package name map; default: .debian-sources.yaml beside each recipe
};

// What one recipe's fetch steps fall back to when the upstream is unreachable.
struct Fallback {
  std::shared_ptr<builder::DebianSourceFetcher> fetcher;  // null: no fallback
  std::shared_ptr<builder::DebianArchive> archive;        // set with fetcher
  std::string source_package;
};

struct SourceStep {
  const builder::CompiledStep* step;
  std::string owner;  // package or "test of <package>"
};

// Enabled fetch / git-checkout steps, in order (their own children are the pipeline file's check).
void collect(const std::vector<builder::CompiledStep>& steps, const std::string& owner, std::vector<SourceStep>& out) {
  for (const auto& step : steps) {
    if (!step.enabled) continue;
    if (step.uses == "fetch" || step.uses == "git-checkout") {
      out.push_back({&step, owner});
      continue;
    }
    collect(step.pipeline, owner, out);
  }
}

std::vector<SourceStep> source_steps(const builder::BuildPlan& plan) {
  std::vector<SourceStep> out;
  collect(plan.package.pipeline, plan.package.name, out);
  for (const auto& sub : plan.subpackages)
    if (sub.enabled) collect(sub.pipeline, sub.name, out);
  if (plan.package.test) collect(plan.package.test->pipeline, "test of " + plan.package.name, out);
  for (const auto& sub : plan.subpackages)
    if (sub.enabled && sub.test) collect(sub.test->pipeline, "test of " + sub.name, out);
  return out;
}

// Fetches one source; returns false (after printing why) when it failed.
bool fetch_one(const SourceStep& source, const FetchArgs& args, const Fallback& fallback) {
  const builder::CompiledStep& step = *source.step;
  std::string what = fmt::format("{}: {}", step.where.str(), step.uses);
  auto log = [&](const std::string& line) {
    // That a source comes from somewhere other than its recipe's URL is always worth saying.
    if (args.verbose || line.starts_with("fetch: upstream unreachable") || line.starts_with("fetch: found in Debian"))
      fmt::print(stderr, "{}\n", line);
  };
  try {
    if (step.uses == "fetch") {
      builder::FetchRequest request = builder::fetch_request_from_inputs(step.inputs, step.working_directory, what);
      builder::FetchOptions options;
      options.cache_dir = args.cache_dir;
      options.offline = args.offline;
      options.guest_root = args.guest_root;
      options.log = log;
      if (fallback.fetcher)
        options.fallback = builder::debian_archive_fallback(
            fallback.archive, builder::debian_source_fallback(fallback.fetcher, fallback.source_package));
      auto how = [](const builder::CachedSource& cached) -> std::string {
        if (cached.cache_hit) return cached.origin.empty() ? "cached" : "cached; from " + cached.origin;
        return cached.origin.empty() ? "downloaded from upstream" : "downloaded from " + cached.origin;
      };
      if (!args.source_dir.empty()) {
        std::filesystem::create_directories(args.source_dir);
        auto result = builder::fetch_into_workspace(request, args.source_dir, options);
        fmt::print("{} {} {} ({})\n", source.owner, request.uri, "sha256:" + result.source.sha256_hex, how(result.source));
      } else {
        std::optional<lupine::TempDir> scratch;
        if (request.expected_none) scratch.emplace("lupine-fetch");
        auto result = builder::fetch_to_cache(request, options, scratch ? scratch->path() : std::filesystem::path());
        fmt::print("{} {} {} ({}{})\n", source.owner, request.uri, "sha256:" + result.sha256_hex, how(result),
                   request.expected_none ? ", expected-none: not cached" : "");
      }
    } else {
      builder::GitCheckoutRequest request =
          builder::git_checkout_request_from_inputs(step.inputs, step.working_directory, what);
      builder::GitOptions options;
      options.cache_dir = args.cache_dir;
      options.offline = args.offline;
      options.guest_root = args.guest_root;
      options.log = log;
      std::string ref = !request.tag.empty() ? "tag " + request.tag : !request.branch.empty() ? "branch " + request.branch : "HEAD";
      if (!args.source_dir.empty()) {
        std::filesystem::create_directories(args.source_dir);
        auto result = builder::git_checkout(request, args.source_dir, options);
        fmt::print("{} {} {} {} ({})\n", source.owner, request.repository, ref, result.head,
                   result.from_cache ? "cached" : "fetched");
        for (const auto& warning : result.warnings) fmt::print(stderr, "{}: warning: {}\n", what, warning);
      } else {
        auto result = builder::git_prefetch(request, options);
        fmt::print("{} {} {} {} ({})\n", source.owner, request.repository, ref,
                   result.commit.empty() ? "?" : result.commit, result.fetched ? "fetched" : "cached");
      }
    }
    return true;
  } catch (const Error& error) {
    fmt::print(stderr, "{}: error: {}\n", what, error.what());
    return false;
  }
}

void run(const FetchArgs& args) {
  std::vector<std::filesystem::path> dirs(args.pipeline_dirs.begin(), args.pipeline_dirs.end());
  builder::PipelineLibrary library(builder::PipelineLibrary::search_path_with_builtin(dirs));
  builder::CompileOptions options;
  options.arch = args.arch;
  options.build_options = args.build_options;
  size_t failed = 0, total = 0;
  std::shared_ptr<builder::DebianSourceFetcher> fetcher;
  std::shared_ptr<builder::DebianArchive> archive;
  if (args.debian_fallback && !args.offline) {
    fetcher = std::make_shared<builder::DebianSourceFetcher>();
    archive = std::make_shared<builder::DebianArchive>(builder::debian_archive_options(args.cache_dir));
  }
  for (const std::string& path : args.recipes) {
    Diagnostics diagnostics;
    auto plan = builder::compile_recipe_file(path, library, options, diagnostics);
    if (!diagnostics.empty()) fmt::print(stderr, "{}", diagnostics.str());
    if (diagnostics.has_errors() || !plan) {
      ++failed;
      continue;
    }
    Fallback fallback;
    if (fetcher) {
      fallback.fetcher = fetcher;
      fallback.archive = archive;
      try {
        fallback.source_package = builder::debian_source_package(path, plan->package.name, args.debian_sources);
      } catch (const Error& error) {
        fallback.source_package = plan->package.name;
        fmt::print(stderr, "warning: {}; the Debian source package is taken to be {}\n", error.what(),
                   fallback.source_package);
      }
    }
    for (const auto& source : source_steps(*plan)) {
      ++total;
      if (!fetch_one(source, args, fallback)) ++failed;
    }
  }
  if (failed) {
    fmt::print(stderr, "{} source(s) or recipe(s) failed\n", failed);
    throw Exit{1};
  }
  if (total == 0) fmt::print(stderr, "no fetch or git-checkout steps\n");
}

void setup(Command& parent) {
  auto args = std::make_shared<FetchArgs>();
  auto* command = parent.add_subcommand("fetch", "Fetch and verify recipes' sources into the source cache");
  command->add_option("RECIPE", args->recipes, "melange recipe(s) (YAML)")->required();
  command->add_option("--cache-dir", args->cache_dir, "Source cache (sha256:<hex> files, git/ mirrors)")->required();
  command->add_option("--source-dir", args->source_dir,
                      "Also lay the sources out in this directory as the build workspace gets them");
  command->add_option("--guest-root", args->guest_root,
                      "With --source-dir: where steps whose directory is outside /home/build put their sources");
  command->add_flag("--offline", args->offline, "Never download: check that the cache holds every source");
  command->add_option("--pipeline-dir", args->pipeline_dirs,
                      "Directory of `uses:` pipelines, searched before the built-in library (repeatable)");
  command->add_option("--arch", args->arch, "Architecture whose steps are fetched (default: the host's)");
  command->add_option("--build-option", args->build_options, "Enable the recipe's options.<NAME> (repeatable)");
  command->add_flag("--debian-fallback,!--no-debian-fallback", args->debian_fallback,
                    "When an upstream URL is unreachable, look for the file (matched by checksum) in Debian's "
                    "source package of the same name (default: on)");
  command->add_option("--debian-sources", args->debian_sources,
                      "YAML map of package names to Debian source package names "
                      "(default: .debian-sources.yaml beside each recipe, when present)");
  command->add_flag("-v,--verbose", args->verbose, "Report progress on stderr");
  command->callback([args] { run(*args); });
}

LUPINE_COMMAND(105, setup);

}  // namespace
}  // namespace lupine::cli
