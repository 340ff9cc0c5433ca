// `lupine farm stages`: a distribution bootstrapped in stages, each a farm build of its own
// (farm_build.h) into <out>/<stage>/, recipe by recipe through the farm's up-to-date keys, so a run
// that was interrupted or ended goes on where it stopped and rebuilds nothing finished.
//
// The stages file (YAML), paths relative to it:
//   stages:
//     - name: stage1
//       bootstrap: true          # may take inputs from the bootstrap repositories (-r)
//       recipes: [toolchain/gmp.yaml, toolchain/]
//     - name: stage2             # no bootstrap: only what the stages made
//       recipes: [toolchain/, ./]
//       cycles: once             # the default; or fixpoint (farm_build.h)
//     - name: stage3
//       recipes: [toolchain/, ./]
//       on-demand: true          # run only when --stage names it
//       compare: stage2          # every package byte for byte against stage2's (stage_compare.h)
// A stage builds each member of a cycle once, in the cycle's sequence, each on what the earlier
// members made in the stage and the earlier stage's (or the bootstrap's) packages of the later
// ones: the stages are the rounds. Stage 1 is built by the bootstrap's compiler, stage 2 by stage
// 1's, stage 3 by stage 2's; `cycles: fixpoint` builds a stage's cycles as `farm build` does
// (twice, the second round on the foundation's packages).
// A stage resolves from its own packages, then the earlier stages' (latest first), then — a
// bootstrap stage only — the bootstrap repositories. A stage without the bootstrap is refused
// before anything is built when one of its recipes names an input that no stage's recipe makes,
// and after its builds every build root its packages record (buildlogs/*.buildroot.json) must
// hold only packages of the stages, by C: identity: "no stage-0 package in a stage-2 root",
// checked from the records.
#pragma once

#include "farm/farm_build.h"
#include "farm/stage_compare.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace lupine::farm {

struct Stage {
  std::string name;
  bool bootstrap = false;
  bool cycles_once = true;  // `cycles: once` (the default) or `fixpoint`
  bool on_demand = false;   // run only when named (StagesOptions::only)
  std::string compare;      // an earlier stage whose packages this one's must equal, or ""
  std::vector<std::filesystem::path> recipes;  // files and directories, absolute
};

// Throws Error naming the file and line of what is wrong.
std::vector<Stage> parse_stages(std::string_view text, const std::string& origin, const std::filesystem::path& base);
std::vector<Stage> load_stages(const std::filesystem::path& file);

// A package of a recorded build root that no stage's repository holds.
struct RecordViolation {
  std::string record;   // the buildroot.json file
  std::string package;  // name-version
  std::string identity;
};

// The C: identities of the packages a repository directory holds: <repo>/<arch>/APKINDEX.tar.gz
// and its cycles' first rounds, <repo>/round-1/<arch>/APKINDEX.tar.gz (farm_publish.h).
std::set<std::string> stage_identities(const std::filesystem::path& repo, const std::string& arch);

// The build-root records of the packages <repo>/<arch>/ indexes, each input checked against
// `allowed`. Returns the violations; `checked` counts the records read.
std::vector<RecordViolation> check_stage_records(const std::filesystem::path& repo, const std::string& arch,
                                                 const std::set<std::string>& allowed, size_t& checked);

// The runtime dependencies (D:) of the packages the stages up to and including `repos` publish
// that none of those packages meets (by name or provides), one line each: "cmd:bash (needed by
// glibc-utils)". A stage after them that installs such a package could only take it from the
// bootstrap: said after every stage, so that the gap is seen before the next one fails on it.
std::vector<std::string> unmet_runtime_dependencies(const std::vector<std::filesystem::path>& repos,
                                                    const std::string& arch);

struct StageResult {
  std::string name;
  FarmBuildResult build;
  size_t records_checked = 0;
  std::vector<RecordViolation> violations;  // stages without the bootstrap only
  std::vector<std::string> unmet_runtime;    // unmet_runtime_dependencies() after this stage
  std::string compared_with;                 // Stage::compare
  std::vector<PackageComparison> comparisons;
  bool ok() const {
    return build.ok() && violations.empty() &&
           std::all_of(comparisons.begin(), comparisons.end(),
                       [](const PackageComparison& c) { return c.outcome == PackageComparison::Outcome::identical; });
  }
};

struct StagesOptions {
  std::vector<Stage> stages;
  // Run only these stages (the earlier ones' packages are used as they are); when empty, every
  // stage but the on-demand ones.
  std::vector<std::string> only;
  // Every stage's farm build: out_dir is the stages' root (<out>/<stage>/ each); repositories are
  // the bootstrap's; plan.recipe_paths and refuse_missing_inputs are set per stage.
  FarmBuildOptions farm;
};

// Runs the stages in order, stopping after one that fails. `on_stage` is called as each starts
// (with its repositories), `observer` as farm_build's.
std::vector<StageResult> run_stages(const StagesOptions& options,
                                    const std::function<void(const Stage&, const std::vector<std::string>&)>& on_stage,
                                    const FarmObserver& observer);

}  // namespace lupine::farm
