#include "farm/farm_build.h"

#include "common/error.h"
#include "common/file_lock.h"
#include "common/process.h"
#include "common/source_date.h"
#include "farm/farm_job.h"
#include "farm/farm_publish.h"
#include "farm/unmet_inputs.h"
#include "index/index_builder.h"
#include "index/package_add.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>

namespace lupine::farm {
namespace fs = std::filesystem;

fs::path farm_staging_dir(const fs::path& out_dir) { return out_dir / ".farm"; }

fs::path farm_job_log(const fs::path& out_dir, const std::string& arch, const std::string& name) {
  return out_dir / arch / "farm-logs" / (name + ".log");
}

const char* recipe_result_name(RecipeResult result) {
  switch (result) {
    case RecipeResult::built: return "built";
    case RecipeResult::up_to_date: return "up-to-date";
    case RecipeResult::failed: return "failed";
    case RecipeResult::blocked: return "blocked";
    case RecipeResult::cancelled: return "cancelled";
    case RecipeResult::skipped: return "skipped";
  }
  return "unknown";
}

size_t FarmBuildResult::count(RecipeResult result) const {
  return std::count_if(recipes.begin(), recipes.end(), [&](const RecipeSummary& r) { return r.result == result; });
}

bool FarmBuildResult::ok() const {
  return !interrupted && count(RecipeResult::failed) == 0 && count(RecipeResult::blocked) == 0 &&
         count(RecipeResult::cancelled) == 0;
}

namespace {

// An empty signed index, so that builds can name the staging repository before anything is in it.
void start_staging(const fs::path& staging, const std::string& arch, const apk::PackageSigner& signer) {
  fs::remove_all(staging);
  fs::create_directories(staging / arch);
  fs::create_directories(staging / "results");
  index::IndexBuildOptions options;
  options.output = staging / arch / "APKINDEX.tar.gz";
  options.arch = arch;
  options.signer = signer;
  index::build_index({}, options);
}

fs::path absolute_of(const fs::path& path) { return path.empty() ? path : fs::absolute(path).lexically_normal(); }

// Messages name build logs where they will be once published.
std::string published_paths(std::string text, const fs::path& staging, const fs::path& out_dir) {
  const std::string from = staging.string() + "/", to = out_dir.string() + "/";
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

RecipeSummary summary_of(const RecipeNode& node) {
  RecipeSummary summary;
  summary.name = node.name;
  summary.version = node.version;
  summary.path = node.path;
  return summary;
}

struct Staged {
  FarmJob job;
  size_t node = 0;
  size_t summary = 0;  // shared by a cycle member's two rounds
  int round = 1;
  fs::path result_file;
};

std::vector<std::string> job_argv(const FarmBuildOptions& options, const RecipeNode& node, const fs::path& staging,
                                  const fs::path& result_file, bool published_index) {
  const std::string& arch = options.plan.compile.arch;
  std::vector<std::string> argv = {options.lupine.string(), "farm", "job", absolute_of(node.path).string(),
                                   "--arch", arch, "--out-dir", staging.string(),
                                   "--published", options.out_dir.string(), "--result", result_file.string(),
                                   "--signing-key", absolute_of(options.signing_key).string(),
                                   "--cache-dir", options.cache_dir.string(), "--verbose",
                                   "--repository-append", staging.string()};
  if (published_index) argv.insert(argv.end(), {"--repository-append", options.out_dir.string()});
  for (const auto& repository : options.repositories)
    argv.insert(argv.end(), {"--repository-append", absolute_repository(repository)});
  for (const auto& key : options.keyring) argv.insert(argv.end(), {"--keyring-append", absolute_of(key).string()});
  for (const auto& dir : options.plan.pipeline_dirs)
    argv.insert(argv.end(), {"--pipeline-dir", absolute_of(dir).string()});
  for (const auto& option : options.plan.compile.build_options) argv.insert(argv.end(), {"--build-option", option});
  argv.insert(argv.end(), options.job_flags.begin(), options.job_flags.end());
  return argv;
}

}  // namespace

std::string absolute_repository(const std::string& line) {
  if (line.empty() || line[0] == '@' || line.find("://") != std::string::npos) return line;
  return absolute_of(line).string();
}

FarmBuildResult build_farm(const FarmBuildOptions& options_in, const FarmObserver& observer) {
  auto started = std::chrono::steady_clock::now();
  if (!options_in.executor) fail("farm build: no executor");
  if (options_in.signing_key.empty()) fail("farm build needs --signing-key: builds resolve from the signed staging index");
  FarmBuildOptions options = options_in;
  options.out_dir = absolute_of(options.out_dir);
  options.cache_dir = absolute_of(options.cache_dir);
  const std::string& arch = options.plan.compile.arch;

  // The external repositories, read once here for the bootstrap edges (bootstrap_edges.h): the
  // jobs read them again, with the staging and published repositories before them.
  std::optional<index::RepositorySet> external;
  // Also with none when unmet inputs are refused: then nothing is there, rather than unchecked.
  if (!options.repositories.empty() || !options.refuse_missing_inputs.empty()) {
    apk::Keyring keyring;
    for (const auto& key : options.keyring) keyring.add(key);
    index::FetchOptions fetch;
    fetch.cache_dir = options.cache_dir;
    std::vector<std::string> lines;
    for (const auto& repository : options.repositories) lines.push_back(absolute_repository(repository));
    external.emplace(lines, arch, keyring, false, fetch);
    options.plan.repositories = &*external;
  }
  FarmPlan plan = make_plan(options.plan);
  if (!options.refuse_missing_inputs.empty()) {
    std::vector<std::string> unmet = unmet_inputs(plan, options.plan.repositories);
    if (!unmet.empty()) fail("{}:\n  {}", options.refuse_missing_inputs, fmt::join(unmet, "\n  "));
  }
  // One farm build per out dir: two would publish over each other's staging repository.
  fs::create_directories(options.out_dir);
  FileLock lock(options.out_dir / ".farm.lock", FileLock::Mode::try_once);
  if (!lock.held())
    fail("another `lupine farm build` is using {} (it holds {})", options.out_dir.string(),
         (options.out_dir / ".farm.lock").string());
  fs::path staging = farm_staging_dir(options.out_dir);
  start_staging(staging, arch, options.signer);
  bool published_index = fs::exists(options.out_dir / arch / "APKINDEX.tar.gz");

  FarmBuildResult result;
  std::vector<Staged> staged;
  // A recipe's job, and for a cycle's members but the foundation the second round's job too
  // (build_order.h, Cycle::sequence): the first round builds them on what the repositories hold of
  // the members after them (a bootstrap, or the last run's packages), the foundation then on the
  // first round's packages, and the second round rebuilds them on the foundation's. Their
  // dependents wait for the second round, so that what they are built on, and record, is what
  // gets published. With the farm's keys (build_key.h) the next run finds the whole cycle up to
  // date: one run reaches the fixpoint.
  std::map<size_t, size_t> level_of, place_in_cycle, first_job, final_job;
  std::map<size_t, const Cycle*> cycle_of;
  for (size_t level = 0; level < plan.order.levels.size(); ++level)
    for (size_t node : plan.order.levels[level]) level_of[node] = level;
  for (const Cycle& cycle : plan.order.cycles)
    for (size_t i = 0; i < cycle.sequence.size(); ++i) {
      place_in_cycle[cycle.sequence[i]] = i;
      cycle_of[cycle.sequence[i]] = &cycle;
    }
  auto second_round = [&](size_t node) {
    auto cycle = cycle_of.find(node);
    return !options.cycles_once && cycle != cycle_of.end() && cycle->second->sequence.back() != node;
  };
  // The recipes a recipe reaches through the graph's edges, itself left out.
  auto reachable = [&](size_t start) {
    std::set<size_t> seen;
    std::vector<size_t> pending = {start};
    while (!pending.empty()) {
      size_t node = pending.back();
      pending.pop_back();
      for (size_t edge : plan.graph.out_edges[node]) {
        size_t to = plan.graph.edges[edge].to;
        if (to != start && seen.insert(to).second) pending.push_back(to);
      }
    }
    return seen;
  };
  auto add_job = [&](size_t node_index, int round, std::set<size_t> after) {
    const RecipeNode& node = plan.graph.nodes[node_index];
    Staged entry;
    entry.node = node_index;
    entry.round = round;
    // A first round that a second follows keeps its own log and result; the last round's are
    // <name>.log and <name>.json, as a recipe's single job's.
    std::string suffix = round == 1 && second_round(node_index) ? ".round-1" : "";
    entry.result_file = staging / "results" / (node.name + suffix + ".json");
    entry.job.name = round == 2 ? node.name + " (round 2)" : node.name;
    entry.job.log = farm_job_log(options.out_dir, arch, node.name + suffix);
    entry.job.argv = job_argv(options, node, staging, entry.result_file, published_index);
    if (round == 2) entry.job.argv.insert(entry.job.argv.end(), {"--keep-superseded", (staging / kRoundOne).string()});
    if (auto cycle = cycle_of.find(node_index); options.cycles_once && cycle != cycle_of.end()) {
      const std::vector<size_t>& sequence = cycle->second->sequence;
      for (size_t i = place_in_cycle.at(node_index) + 1; i < sequence.size(); ++i)
        entry.job.argv.insert(entry.job.argv.end(), {"--leave-out-origin", plan.graph.nodes[sequence[i]].name});
    }
    entry.job.after.assign(after.begin(), after.end());
    if (round == 1) {
      entry.summary = result.recipes.size();
      RecipeSummary summary = summary_of(node);
      summary.log = entry.job.log;  // then that of the last round that ran
      result.recipes.push_back(std::move(summary));
      first_job[node_index] = staged.size();
    } else {
      entry.summary = staged[first_job.at(node_index)].summary;
    }
    final_job[node_index] = staged.size();
    staged.push_back(std::move(entry));
  };
  for (size_t level = 0; level < plan.order.levels.size(); ++level) {
    // The level's recipes, a cycle's members in its sequence (where the first of them is): jobs
    // come after every job they wait for (executor.h).
    std::vector<size_t> in_order;
    std::set<const Cycle*> placed;
    for (size_t node_index : plan.order.levels[level]) {
      auto cycle = cycle_of.find(node_index);
      if (cycle == cycle_of.end()) in_order.push_back(node_index);
      else if (placed.insert(cycle->second).second)
        in_order.insert(in_order.end(), cycle->second->sequence.begin(), cycle->second->sequence.end());
    }
    for (size_t node_index : in_order) {
      // Inputs produced by recipes in earlier levels (their last round). Recipes of one cycle
      // share a level: each waits for those before it in the cycle's sequence.
      std::set<size_t> after;
      if (options.cycles_once) {
        // Built once, a build root must be the same on every run: so a recipe waits for every
        // recipe it reaches through its inputs' inputs (sed's build-base brings gcc), not only for
        // those it names — in its own cycle, for the earlier members (the later ones are left out).
        for (size_t reached : reachable(node_index)) {
          if (!final_job.count(reached)) continue;  // not built this run (or a later member)
          auto mine = cycle_of.find(node_index), theirs = cycle_of.find(reached);
          if (mine != cycle_of.end() && theirs != cycle_of.end() && mine->second == theirs->second &&
              place_in_cycle.at(reached) > place_in_cycle.at(node_index))
            continue;
          after.insert(final_job.at(reached));
        }
        add_job(node_index, 1, std::move(after));
        continue;
      }
      for (size_t edge : plan.graph.out_edges[node_index]) {
        size_t to = plan.graph.edges[edge].to;
        auto to_level = level_of.find(to);
        if (to_level == level_of.end()) continue;
        if (to_level->second < level) after.insert(final_job.at(to));
        else if (to_level->second == level && place_in_cycle.count(to) && place_in_cycle.count(node_index) &&
                 place_in_cycle.at(to) < place_in_cycle.at(node_index))
          after.insert(first_job.at(to));
      }
      add_job(node_index, 1, std::move(after));
    }
    // The second rounds of this level's cycles, in sequence order: each after its own first round
    // and the foundation's, and after the second round of the earlier members it has an edge to.
    for (const Cycle& cycle : plan.order.cycles) {
      if (cycle.level != level || options.cycles_once) continue;
      for (size_t i = 0; i + 1 < cycle.sequence.size(); ++i) {
        size_t node_index = cycle.sequence[i];
        std::set<size_t> after = {first_job.at(node_index), first_job.at(cycle.sequence.back())};
        for (size_t edge : plan.graph.out_edges[node_index]) {
          size_t to = plan.graph.edges[edge].to;
          if (level_of.count(to) && final_job.count(to)) after.insert(final_job.at(to));
        }
        add_job(node_index, 2, std::move(after));
      }
    }
  }
  // Recipes that cannot be built this run: they never get a job.
  for (size_t node_index : plan.order.unavailable) {
    const RecipeNode& node = plan.graph.nodes[node_index];
    RecipeSummary summary = summary_of(node);
    summary.result = node.state == NodeState::skipped ? RecipeResult::skipped : RecipeResult::failed;
    summary.detail = node.reason;
    result.recipes.push_back(std::move(summary));
  }
  for (const auto& [node_index, edge_index] : plan.order.blocked) {
    const RecipeNode& node = plan.graph.nodes[node_index];
    const Edge& edge = plan.graph.edges[edge_index];
    RecipeSummary summary = summary_of(node);
    summary.result = RecipeResult::blocked;
    summary.detail = fmt::format("needs {} from {}, which cannot be built", edge.input, plan.graph.nodes[edge.to].name);
    result.recipes.push_back(std::move(summary));
  }

  // Priorities: the longest chain of expected seconds from each job to the end of the graph, with
  // the last recorded build time of each recipe (1 s when it was never built).
  std::vector<std::vector<size_t>> dependents(staged.size());
  for (size_t i = 0; i < staged.size(); ++i)
    for (size_t p : staged[i].job.after) dependents[p].push_back(i);
  for (size_t i = staged.size(); i-- > 0;) {
    auto record = read_build_record(build_record_path(options.out_dir, arch, plan.graph.nodes[staged[i].node].name));
    double weight = record && record->seconds > 0 ? record->seconds : 1.0;
    double longest = 0;
    for (size_t d : dependents[i]) longest = std::max(longest, staged[d].job.priority);
    staged[i].job.priority = weight + longest;
  }

  std::vector<FarmJob> jobs;
  for (const auto& entry : staged) jobs.push_back(entry.job);
  std::map<std::string, BuildRecord> built;  // by recipe: a second round's replaces the first's
  auto on_change = [&](size_t job, const JobReport& report) {
    RecipeSummary& summary = result.recipes[staged[job].summary];
    const bool second = staged[job].round == 2;
    if (report.state == JobState::running || report.state == JobState::queued) {
      if (observer) observer(summary, report, jobs.size());
      return;
    }
    // A second round blocked by its own first round's failure leaves that failure the summary.
    if (second && report.state == JobState::blocked && summary.result == RecipeResult::failed) return;
    double earlier = second ? summary.seconds : 0;  // the first round's time counts too
    if (report.started != std::chrono::steady_clock::time_point{}) {
      summary.seconds = earlier + std::chrono::duration<double>(report.ended - report.started).count();
      summary.log = staged[job].job.log;
    } else if (!second)
      summary.log.clear();  // never ran: a log there is an earlier run's
    switch (report.state) {
      case JobState::succeeded: {
        auto outcome = read_job_outcome(staged[job].result_file);
        if (outcome && outcome->seconds > 0) summary.seconds = earlier + outcome->seconds;
        if (!outcome || outcome->result == JobResult::failed) {
          summary.result = RecipeResult::failed;
          summary.detail = outcome ? outcome->error : "the job ended without writing its result";
          break;
        }
        summary.result = outcome->result == JobResult::built ? RecipeResult::built : RecipeResult::up_to_date;
        summary.packages = outcome->record.packages;
        // Up to date in the second round: what is published is what this round would build.
        if (outcome->result == JobResult::built) built[outcome->record.name] = outcome->record;
        else built.erase(outcome->record.name);
        break;
      }
      case JobState::failed: {
        summary.result = RecipeResult::failed;
        auto outcome = read_job_outcome(staged[job].result_file);
        if (outcome && outcome->seconds > 0) summary.seconds = earlier + outcome->seconds;
        summary.detail = outcome && !outcome->error.empty() ? outcome->error : report.detail;
        summary.detail = published_paths(summary.detail, staging, options.out_dir);
        break;
      }
      case JobState::blocked:
        summary.result = RecipeResult::blocked;
        summary.detail = fmt::format("{} failed", report.detail);
        break;
      default:
        summary.result = RecipeResult::cancelled;
        summary.detail = report.detail;
        break;
    }
    if (observer) observer(summary, report, jobs.size());
  };
  options.executor->run(jobs, on_change);
  result.interrupted = interrupt_requested();

  // What was built is published even after an interrupt: each build is complete on its own.
  PublishOptions publish;
  publish.out_dir = options.out_dir;
  publish.staging_dir = staging;
  publish.arch = arch;
  publish.signer = options.signer;
  publish.mtime = source_date_epoch_or_zero();
  publish.index_expires_in = options.index_expires_in;
  std::vector<BuildRecord> to_publish;
  for (auto& [name, record] : built) to_publish.push_back(std::move(record));
  PublishResult published = publish_staged(publish, to_publish);
  result.published = published.packages;
  result.index_updated = published.index_updated;
  fs::remove_all(staging);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace lupine::farm
