// `lupine build`: one recipe, one architecture, as `melange build` does it (reference/melange.md §0):
//   1. the build root: the build environment's packages resolved and installed (build_root.h,
//      cached by the resolved set) and shown read-only at / in the sandbox;
//   2. the workspace (build_workspace.h): the source directory's files, melange-out/<pkg>;
//   3. the main pipeline, then each enabled subpackage's, in order, in that one workspace
//      (build_pipeline.h), every step in bubblewrap; sources fetched by lupine from the host;
//   4. the packages emitted (package_emit.h) into <out>/<arch>/<name>-<version>-r<epoch>.apk;
//   5. <out>/<arch>/APKINDEX.tar.gz updated with every .apk there (incremental, atomic, locked).
// Steps' names and output go to the log: <out>/<arch>/buildlogs/<name>-<version>-r<epoch>.log (the
// directory Wolfi's Makefile keeps build logs in).
//
// Differences from melange worth knowing: the guest root is read-only (melange's is a writable
// copy): steps can write only to the workspace (/home/build), /tmp and /var/cache/melange; and no
// step has network. A failing step leaves no package: emission starts after every step succeeded.
#pragma once

#include "apk/package_writer.h"
#include "builder/build/build_log.h"
#include "builder/build/build_pipeline.h"
#include "builder/build/build_root.h"
#include "builder/recipe/compile.h"
#include "builder/source/fetch.h"
#include "builder/build/package_emit.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace lupine::builder {

// What `lupine build` and `lupine test` share (melange's flags of the same names).
struct BuildOptions {
  std::filesystem::path recipe;                 // the recipe file (SBOM, default source dir)
  std::string recipe_name, recipe_sha256;       // the recipe as the SBOM names it; "": recipe's own
  std::filesystem::path out_dir = "packages";   // --out-dir: packages go to <out_dir>/<arch>/
  std::filesystem::path source_dir;             // --source-dir; "": <recipe dir>/<package>/ when present
  std::filesystem::path workspace_dir;          // --workspace-dir; "": a temporary directory
  std::filesystem::path cache_dir;              // --cache-dir: sources, roots/, indexes
  std::vector<std::string> repositories;        // --repository-append (before the recipe's own)
  std::vector<std::filesystem::path> keyring;   // --keyring-append (and the signing key's .pub)
  bool allow_untrusted = false;                 // --ignore-signatures
  std::vector<std::string> package_append;      // --package-append / --test-package-append: more root packages
  apk::PackageSigner signer;                    // --signing-key; unsigned when key is null
  int64_t source_date_epoch = 0;                // resolve_build_date()
  std::string source_date_origin;               // where it came from (logged)
  std::chrono::seconds time_limit{0};           // --timeout for the whole run; 0: none
  bool generate_index = true;                   // --generate-index
  bool debug = false;                           // --debug: set -x; keep a temporary workspace on failure
  bool echo_output = true;                      // step output on stderr as well as in the log
  bool offline = false;                         // sources must be in the cache
  // A failed build keeps its workspace in the cache for --resume (build_resume.h); `lupine build`
  // does, farm builds do not.
  bool keep_failed_workspace = false;
  bool resume = false;                          // --resume: from the step that failed, when it can
  bool interactive = false;                     // --interactive: a shell where a step fails
  // Base options of `uses: fetch` steps (e.g. a fallback for unreachable upstreams); cache_dir and
  // offline are set from the fields above.
  FetchOptions fetch;
  std::string namespace_name = "lupine";        // --namespace (SBOM supplier)
  std::filesystem::path bwrap;                  // default: LUPINE_BWRAP or bwrap on PATH
  // The build root, already resolved by the caller (a farm job resolves once for its up-to-date key
  // and its build); unset: resolved from the plan and these options.
  std::shared_ptr<const ResolvedBuildRoot> resolved_root;
};

struct BuildResult {
  bool skipped = false;                 // the arch is not in package.target-architecture
  std::vector<EmittedPackage> packages;
  std::filesystem::path log;
  BuildRoot root;
  std::vector<BuildSource> sources;
};

// Builds `plan` (compiled for one arch, without errors). Throws StepFailed (build_pipeline.h) when a
// step fails, Error for everything else (unresolvable environment, fetch, emission), Interrupted.
// Temporary roots and workspaces are removed on every path out; packages and the index are only
// ever replaced atomically.
BuildResult build_package(const BuildPlan& plan, const BuildOptions& options);

// The root request of an environment (the build's, or a test's with its own `packages`) under
// `options`: those packages and --package-append, the options' repositories and keyring before the
// environment's own, its accounts.
BuildRootRequest environment_root_request(const CompiledEnvironment& environment, std::vector<std::string> packages,
                                          const std::string& arch, const BuildOptions& options,
                                          const std::function<void(const std::string&)>& log);

// The build root request of `plan`: environment_root_request of its build environment.
BuildRootRequest build_root_request(const BuildPlan& plan, const BuildOptions& options,
                                    const std::function<void(const std::string&)>& log);

// <out>/<arch>/buildlogs/<name>-<version>-r<epoch><suffix>.log
std::filesystem::path build_log_path(const BuildOptions& options, const BuildPlan& plan, const std::string& suffix = "");

// Shared by build and test: the keyring files (options' and the environment's local ones; remote
// keys are reported through `log` and skipped) and the repository lines (options' first).
std::vector<std::filesystem::path> environment_keyring(const BuildOptions& options, const CompiledEnvironment& environment,
                                                       const std::function<void(const std::string&)>& log);
std::vector<std::string> environment_repositories(const BuildOptions& options, const CompiledEnvironment& environment);

// Shared by build and test: how the steps of a pipeline run — the sandbox over `root` (read-only)
// and `workspace`, the guest's `environment`, the time left of the whole run started at `started`,
// and the options' fetch and git settings.
PipelineRun pipeline_run(const BuildOptions& options, const std::filesystem::path& root,
                         const std::filesystem::path& workspace, const CompiledEnvironment& environment,
                         BuildLog& log, std::chrono::steady_clock::time_point started);

// "2h", "90m", "45s": a time limit as the user wrote it back.
std::string format_duration(std::chrono::seconds duration);

}  // namespace lupine::builder
