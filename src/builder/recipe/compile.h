// Compiling a recipe into its fully resolved build plan for one architecture (melange
// pkg/build/compile.go, what `melange compile` prints): every `uses:` loaded from the pipeline
// library and validated against its `inputs`, every `${{…}}` substituted strictly (an undefined
// variable is an error naming it and where), `if:` conditions evaluated, `needs` gathered into the
// build environment. The plan is what the sandbox builder runs: for the package and each
// subpackage, in order, each enabled step's script, environment and working directory.
#pragma once

#include "apk/arch.h"
#include "common/diagnostics.h"
#include "builder/recipe/pipeline_library.h"
#include "builder/recipe/recipe.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lupine::builder {

// Paths inside the build guest (melange pkg/build: WorkDir, melange-out).
inline constexpr const char* kWorkspaceDir = "/home/build";
inline constexpr const char* kOutputDir = "/home/build/melange-out";
// PATH of every step (melange runPipeline's envOverride).
inline constexpr const char* kStepPath = "/usr/local/sbin:/usr/local/bin:/usr/bin:/usr/sbin:/sbin:/bin";

struct CompileOptions {
  std::string arch;                        // apk or Go name; "" = the host's
  std::vector<std::string> build_options;  // --build-option: enable options.<name>
  std::string libc_flavor = "gnu";         // flavor of ${{host.triplet.*}} (melange --override-host-triplet-libc-substitution-flavor)
  // --vars-file: merged into the recipe's `vars`, replacing values of the same name (melange).
  std::map<std::string, std::string> vars;
  // --env-file: merged into environment.environment; the recipe's own values win (melange).
  std::map<std::string, std::string> environment;
};

struct CompiledStep {
  std::string name;          // as written, "" when unnamed
  std::string uses;          // the pipeline this step was loaded from, "" for a `runs:` step
  std::string if_condition;  // after substitution with Go-quoted values (as melange records it); "" = none
  bool enabled = true;       // its condition and every enclosing step's hold: false = skipped
  std::string runs;          // the script (/bin/sh -c), fully substituted; "" for a pure container step
  std::string working_directory;  // substituted and inherited; relative to /home/build, "" = /home/build
  std::map<std::string, std::string> environment;  // step variables, merged down from enclosing steps
  std::map<std::string, std::string> with;    // inputs whose value differs from the default (melange's view)
  std::map<std::string, std::string> inputs;  // every declared input with its resolved value
  std::vector<std::string> needs;             // needs.packages (already added to the environment when enabled)
  std::optional<uint64_t> required_steps;     // assertions.required-steps: enabled children that must run
  std::string label;
  std::vector<CompiledStep> pipeline;         // nested steps, run after this step's own script
  Location where;                             // the step in the recipe (for a `uses:` child: in its pipeline file)

  // name, else uses, else "???" (melange's identity()).
  std::string display_name() const;
  // The absolute directory the script runs in (melange joins a relative one to /home/build).
  std::string workdir() const;
};

struct CompiledAccounts {
  std::string run_as;
  struct User {
    std::string username;
    uint32_t uid = 0;
    std::optional<uint32_t> gid;
    std::string shell, homedir;
  };
  struct Group {
    std::string groupname;
    uint32_t gid = 0;
    std::vector<std::string> members;
  };
  std::vector<User> users;
  std::vector<Group> groups;
};

struct CompiledEnvironment {
  std::vector<std::string> packages;      // apk constraints to install, in order, without duplicates
  std::vector<std::string> repositories;  // contents.repositories (+ build_repositories for builds)
  std::vector<std::string> keyring;
  std::map<std::string, std::string> environment;  // variables of every step (before step overrides)
  CompiledAccounts accounts;
};

struct CompiledTest {
  CompiledEnvironment environment;  // packages: the test's, the package under test and `needs`, sorted
  std::vector<CompiledStep> pipeline;
};

struct CompiledDependencies {
  std::vector<std::string> runtime, provides, replaces;
  std::string provider_priority, replaces_priority;
};

struct CompiledScriptlets {
  std::string trigger_script;
  std::vector<std::string> trigger_paths;
  std::string pre_install, post_install, pre_deinstall, post_deinstall, pre_upgrade, post_upgrade;
};

struct CompiledSetCap {
  std::string path;
  std::map<std::string, std::string> add;
  std::string reason;
};

// The main package or one subpackage: what to run for it and what to put in its .PKGINFO.
struct CompiledPackage {
  std::string name;
  bool enabled = true;       // a subpackage whose `if:` is false is not built
  std::string if_condition;  // substituted, Go-quoted values
  std::string description, url, commit;
  std::map<std::string, std::string> annotations;
  CompiledDependencies dependencies;
  bool no_provides = false, no_depends = false, no_commands = false, no_versioned_shlib_deps = false;
  CompiledScriptlets scriptlets;
  std::vector<std::string> checks_disabled;
  std::vector<CompiledSetCap> setcap;
  std::vector<CompiledStep> pipeline;
  std::optional<CompiledTest> test;

  std::string destdir() const { return std::string(kOutputDir) + "/" + name; }  // melange-out/<name>
};

struct BuildPlan {
  apk::Arch arch;
  bool arch_supported = true;  // false: package.target-architecture excludes it (melange skips the build)
  std::string version;
  uint64_t epoch = 0;
  std::string full_version() const { return version + "-r" + std::to_string(epoch); }

  CompiledPackage package;
  std::vector<CompiledPackage> subpackages;  // in recipe order, ranges expanded; check `enabled`
  CompiledEnvironment environment;           // the build guest
  std::vector<std::string> capabilities_add, capabilities_drop;
  std::map<std::string, std::string> vars;   // after var-transforms and build options
  std::vector<std::string> build_options;    // the enabled options

  // The recipe after parse-time substitution and range expansion (licenses, CPE, resources, update...).
  Recipe recipe;
};

// Compiles `recipe` (as read by read_recipe). Problems are added to `diagnostics`; the plan is
// still returned, with failing steps left unsubstituted, so every error of a recipe shows at once.
BuildPlan compile_recipe(const Recipe& recipe, const PipelineLibrary& library, const CompileOptions& options,
                         Diagnostics& diagnostics);

// Reads and compiles the recipe at `path`; an unreadable file is reported as a diagnostic. The plan
// is empty (nullopt) only when the file could not be read.
std::optional<BuildPlan> compile_recipe_file(const std::string& path, const PipelineLibrary& library,
                                             const CompileOptions& options, Diagnostics& diagnostics);

// Every variable the environment of `step` gets at run time: the build environment's, then PATH,
// then the step's own (melange: the guest's environment, overridden by runPipeline's envOverride).
std::map<std::string, std::string> effective_environment(const CompiledEnvironment& environment,
                                                         const CompiledStep& step);

}  // namespace lupine::builder
