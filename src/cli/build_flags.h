// The flags `lupine build` and `lupine test` share (melange build/test's names and defaults where
// they make sense here), and turning them into a compiled plan and builder::BuildOptions.
#pragma once

#include "builder/build/build.h"
#include "builder/recipe/compile.h"
#include "cli/command.h"
#include "cli/signing.h"


#include <optional>
#include <string>
#include <vector>

namespace lupine::cli {

struct BuildFlags {
  std::string recipe;
  std::string arch;  // comma list; "" = this machine's
  std::string signing_key;
  std::vector<std::string> keyring_append;
  std::vector<std::string> repository_append;
  std::string out_dir = "./packages";
  std::string source_dir;
  std::string cache_dir;
  std::string workspace_dir;
  std::vector<std::string> pipeline_dirs;
  std::vector<std::string> build_options;
  std::vector<std::string> package_append;
  std::vector<std::string> env_files;
  std::string vars_file;
  std::string build_date;
  std::string timeout = "2h";
  std::string namespace_name = "lupine";
  std::string runner = "bubblewrap";
  bool generate_index = true;
  bool ignore_signatures = false;
  bool offline = false;
  bool debug = false;
  bool verbose = false;
  bool resume = false;       // build only
  bool interactive = false;  // build only
  bool debian_fallback = true;  // unreachable upstream sources are looked for in Debian's source packages
  std::string debian_sources;   // map of recipe package -> Debian source package

  // `for_build`: the flags only builds have (--signing-key, --generate-index, --workspace-dir, ...).
  void add_to(Command& command, bool for_build);

  std::vector<std::string> arches() const;
  // Compiles the recipe for `arch`, printing diagnostics as `lupine compile` does; nullopt on errors.
  std::optional<builder::BuildPlan> compile(const std::string& arch) const;
  // The builder's options for `plan`. `signer` must outlive them (it holds the key).
  builder::BuildOptions options(const LoadedSigner* signer, const builder::BuildPlan& plan) const;
};

// "2h", "90m", "1h30m", "45s", or plain seconds; "0" = no limit.
std::chrono::seconds parse_timeout(const std::string& text);

// `--resume` of `farm build` and `farm stages`, which pass it to every `farm job`.
inline constexpr const char* kFarmResumeHelp =
    "A failed build keeps its workspace in the cache; the next run's build of that recipe goes on from the failed "
    "step when its build root, local files and earlier steps are unchanged";

}  // namespace lupine::cli
