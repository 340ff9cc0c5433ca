#include "cli/build_flags.h"

#include "builder/build/build_date.h"
#include "builder/build/build_inputs.h"
#include "builder/source/debian_archive.h"
#include "builder/source/debian_source.h"
#include "builder/recipe/pipeline_library.h"
#include "common/error.h"
#include "index/http_fetch.h"

#include <fmt/format.h>

#include <cstdio>
#include <unistd.h>

namespace lupine::cli {

std::chrono::seconds parse_timeout(const std::string& text) {
  if (text.empty()) fail("--timeout: empty");
  int64_t total = 0, number = 0;
  bool digits = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      number = number * 10 + (c - '0');
      digits = true;
      if (number > 100000000) fail("--timeout {}: too long", text);
      continue;
    }
    int64_t unit = c == 'd' ? 86400 : c == 'h' ? 3600 : c == 'm' ? 60 : c == 's' ? 1 : 0;
    if (!unit || !digits) fail("--timeout '{}': expected a duration like 2h, 90m, 1h30m, 45s, or seconds", text);
    total += number * unit;
    number = 0;
    digits = false;
  }
  total += number;  // trailing plain seconds
  return std::chrono::seconds(total);
}

void BuildFlags::add_to(Command& command, bool for_build) {
  command.add_option("RECIPE", recipe, "melange recipe (YAML)")->required();
  command.add_option("--arch", arch, "Architectures, comma-separated (default: this machine's)");
  command.add_option("-k,--keyring-append", keyring_append, "Trusted public key for the repositories (repeatable)");
  command.add_option("-r,--repository-append", repository_append,
                     "Repository for the build environment: directory, file:// or http(s):// (repeatable)");
  command.add_option("--out-dir", out_dir, "Where packages go (<out-dir>/<arch>/) and are looked up")->capture_default_str();
  command.add_option("--source-dir", source_dir,
                     "Directory whose files are copied into the workspace (default: <recipe dir>/<package name>/)");
  command.add_option("--cache-dir", cache_dir, "Cache of sources, build roots and indexes (default: ~/.cache/lupine)");
  command.add_option("--pipeline-dir", pipeline_dirs,
                     "Directory of `uses:` pipelines, searched before the built-in library (repeatable)");
  command.add_option("--build-option", build_options, "Enable the recipe's options.<NAME> (repeatable)");
  command.add_option("--env-file", env_files, "KEY=VALUE file merged into the build environment (repeatable)");
  command.add_option("--vars-file", vars_file, "YAML file of vars merged into the recipe's vars");
  command.add_option("--build-date", build_date,
                     "SOURCE_DATE_EPOCH: RFC 3339 date, seconds, or 'now' (default: SOURCE_DATE_EPOCH, "
                     "else the recipe's git commit time, else 0)");
  command.add_option("--timeout", timeout, "Time limit of the whole run (2h, 90m, 45s; 0 = none)")->capture_default_str();
  command.add_option("--runner", runner, "Sandbox runner: only bubblewrap (accepted for melange command lines)")
      ->check(one_of({"bubblewrap"}))
      ->capture_default_str();
  command.add_flag("--ignore-signatures", ignore_signatures, "Do not check repository and package signatures");
  command.add_flag("--offline", offline, "Never download sources: they must be in the cache");
  command.add_flag("--debug", debug, "Trace steps (set -x); keep the workspace of a failed run");
  command.add_flag("--debian-fallback,!--no-debian-fallback", debian_fallback,
                   "When an upstream source is unreachable, look for the same bytes (by checksum) in Debian's "
                   "source package (default: on)");
  command.add_option("--debian-sources", debian_sources,
                     "Map of package -> Debian source package (default: .debian-sources.yaml beside the recipe)");
  command.add_flag("-v,--verbose", verbose, "Show step output on stderr even when it is not a terminal");
  if (for_build) {
    command.add_option("--signing-key", signing_key, "RSA private key to sign packages and the index with");
    command.add_option("--workspace-dir", workspace_dir, "Directory bound at /home/build (default: a temporary one)");
    command.add_flag("--generate-index,!--no-generate-index", generate_index,
                     "Update <out-dir>/<arch>/APKINDEX.tar.gz (default: true)");
    command.add_option("--namespace", namespace_name, "Supplier / purl namespace of the SBOMs")->capture_default_str();
    command.add_option("--package-append", package_append, "Another package for the build environment (repeatable)");
    command.add_flag("--resume", resume,
                     "Go on from the step that failed last time, in the workspace that build kept, when the "
                     "build root, local files and earlier steps are unchanged (else build from the start)");
    command.add_flag("-i,--interactive", interactive,
                     "When a step fails, open a shell in its sandbox on this terminal; the build fails when it exits");
  } else {
    command.add_option("--test-package-append", package_append, "Another package for every test environment (repeatable)");
    command.add_option("--signing-key", signing_key, "Key the packages were signed with: its .pub is trusted");
  }
}

std::vector<std::string> BuildFlags::arches() const {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= arch.size()) {
    size_t end = arch.find(',', start);
    if (end == std::string::npos) end = arch.size();
    std::string one = arch.substr(start, end - start);
    if (!one.empty()) out.push_back(one);
    start = end + 1;
  }
  if (out.empty()) out.push_back("");
  return out;
}

std::optional<builder::BuildPlan> BuildFlags::compile(const std::string& arch_name) const {
  std::vector<std::filesystem::path> dirs(pipeline_dirs.begin(), pipeline_dirs.end());
  builder::PipelineLibrary library(builder::PipelineLibrary::search_path_with_builtin(dirs));
  builder::CompileOptions compile_options;
  compile_options.arch = arch_name;
  compile_options.build_options = build_options;
  if (!vars_file.empty()) compile_options.vars = builder::read_vars_file(vars_file);
  for (const auto& file : env_files)
    for (const auto& [key, value] : builder::read_env_file(file)) compile_options.environment[key] = value;
  Diagnostics diagnostics;
  auto plan = builder::compile_recipe_file(recipe, library, compile_options, diagnostics);
  if (!diagnostics.empty()) fmt::print(stderr, "{}", diagnostics.str());
  if (diagnostics.has_errors() || !plan) return std::nullopt;
  return plan;
}

builder::BuildOptions BuildFlags::options(const LoadedSigner* signer, const builder::BuildPlan& plan) const {
  builder::BuildOptions options;
  options.recipe = recipe;
  options.out_dir = out_dir;
  options.source_dir = source_dir;
  options.workspace_dir = workspace_dir;
  options.cache_dir = cache_dir.empty() ? index::default_cache_dir() : std::filesystem::path(cache_dir);
  options.repositories = repository_append;
  for (const auto& key : keyring_append) options.keyring.emplace_back(key);
  if (!signing_key.empty()) {
    std::filesystem::path public_key = signing_key + ".pub";
    if (std::filesystem::exists(public_key)) options.keyring.push_back(public_key);
  }
  if (signer) options.signer = signer->signer;
  options.allow_untrusted = ignore_signatures;
  options.package_append = package_append;
  builder::BuildDate date = builder::resolve_build_date(build_date, recipe);
  options.source_date_epoch = date.epoch;
  options.source_date_origin = date.origin;
  options.time_limit = parse_timeout(timeout);
  options.generate_index = generate_index;
  options.debug = debug;
  options.resume = resume;
  options.interactive = interactive;
  options.echo_output = verbose || ::isatty(2) == 1;
  options.offline = offline;
  options.namespace_name = namespace_name;
  if (debian_fallback && !offline) {
    // One fetcher per run: it updates its private apt lists once.
    static auto fetcher = std::make_shared<builder::DebianSourceFetcher>();
    // The archive's Sources indexes first (any suite, by checksum), then apt by package name.
    static auto archive = std::make_shared<builder::DebianArchive>(builder::debian_archive_options(options.cache_dir));
    options.fetch.fallback = builder::debian_archive_fallback(
        archive, builder::debian_source_fallback(
                     fetcher, builder::debian_source_package(recipe, plan.package.name, debian_sources)));
  }
  return options;
}

}  // namespace lupine::cli
