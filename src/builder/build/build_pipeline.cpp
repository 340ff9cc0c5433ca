#include "builder/build/build_pipeline.h"

#include "common/process.h"

#include <fmt/format.h>

namespace lupine::builder {
namespace {

using Clock = std::chrono::steady_clock;

std::string failure_text(const SandboxResult& result) {
  if (result.signal != 0) return fmt::format("was killed by signal {}", result.signal);
  return fmt::format("failed with exit code {}", result.exit_code);
}

std::string log_hint(const PipelineRun& run) {
  return run.log && !run.log->path().empty() ? fmt::format(" (log: {})", run.log->path().string()) : "";
}

[[noreturn]] void time_limit_reached(const PipelineRun& run, const std::string& name) {
  throw StepFailed(fmt::format("{}: step \"{}\" was stopped: the build's time limit ({}) was reached{}", run.package,
                               name, run.time_limit_text, log_hint(run)),
                   run.package, name, 128 + 9, true);
}

void fetch_source(const CompiledStep& step, PipelineRun& run, const std::string& what) {
  auto log = [&](const std::string& line) { run.log->detail("    " + line); };
  if (step.uses == "fetch") {
    FetchRequest request = fetch_request_from_inputs(step.inputs, step.working_directory, what);
    FetchOptions options = run.fetch;
    options.log = log;
    FetchResult result = fetch_into_workspace(request, run.sandbox.workspace, options);
    // Where the bytes came from, when not from the URL: the SBOM names the URL, the log says more.
    std::string how = result.source.cache_hit ? "cached" : "downloaded";
    if (!result.source.origin.empty()) how += (result.source.cache_hit ? "; from " : " from ") + result.source.origin;
    run.log->message(fmt::format("    {} sha256:{} ({})", request.uri, result.source.sha256_hex, how));
    if (run.sources) run.sources->push_back({request.uri, result.source.sha256_hex, request.expected_sha512, "", ""});
    return;
  }
  GitCheckoutRequest request = git_checkout_request_from_inputs(step.inputs, step.working_directory, what);
  GitOptions options = run.git;
  options.log = log;
  if (!options.source_date_epoch) options.source_date_epoch = run.sandbox.source_date_epoch;
  GitCheckoutResult result = git_checkout(request, run.sandbox.workspace, options);
  run.log->message(fmt::format("    {} {} ({})", request.repository, result.head, result.from_cache ? "cached" : "fetched"));
  for (const auto& warning : result.warnings) run.log->message("    warning: " + warning);
  if (run.sources) run.sources->push_back({request.repository, "", "", result.checked_out, request.tag});
}

void run_script(const CompiledStep& step, PipelineRun& run, const std::string& name) {
  SandboxSpec spec = run.sandbox;
  if (run.deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*run.deadline - Clock::now());
    if (left <= std::chrono::milliseconds(0)) time_limit_reached(run, name);
    spec.time_limit = left;
  }
  Environment env = run.environment ? effective_environment(*run.environment, step) : step.environment;
  SandboxResult result = run_step(
      spec, step.runs, step.workdir(), env,
      [&](OutputStream stream, std::string_view line) { run.log->output(stream, line); }, run.trace);
  if (result.timed_out) time_limit_reached(run, name);
  if (!result.success() && run.interactive) {
    run.log->message(fmt::format("{}: step \"{}\" {}: a shell in its sandbox at {} (no network; exit to end the "
                                 "build as failed)",
                                 run.package, name, failure_text(result), step.workdir()));
    SandboxSpec shell = spec;
    shell.time_limit = std::chrono::milliseconds(0);
    shell.cwd = step.workdir();
    for (const auto& [key, value] : env) shell.env[key] = value;
    int status = run_shell_in_sandbox(shell);
    run.log->message(fmt::format("{}: the shell exited with status {}", run.package, status));
  }
  if (!result.success())
    throw StepFailed(fmt::format("{}: {} {}{}", run.package,
                                 // An unnamed step is named by where it is written.
                                 name == "???" ? "the step at " + step.where.str() : "step \"" + name + "\"",
                                 failure_text(result), log_hint(run)),
                     run.package, name, result.status(), false);
}

void run_steps(const std::vector<CompiledStep>& steps, PipelineRun& run, const std::string& parent) {
  for (const CompiledStep& step : steps) {
    throw_if_interrupted();
    std::string own = step.display_name();
    bool named = own != "???";
    // Unnamed children (a `uses:` pipeline's script) are reported under their parent's name.
    std::string name = named ? own : (parent.empty() ? own : parent);
    if (!step.enabled) {
      if (named) run.log->detail(fmt::format("--> {}: {} skipped (if: {})", run.package, name, step.if_condition));
      continue;
    }
    bool done_before = run.unit < run.skip_units;  // only meaningful for a unit (a source or a script)
    if (step.uses == "fetch" || step.uses == "git-checkout") {
      if (done_before) {
        run.log->step(run.package, name + " (done in the kept workspace)");
      } else {
        run.log->step(run.package, name);
        fetch_source(step, run, fmt::format("{}: {}", step.where.str(), step.uses));
      }
      ++run.unit;
      continue;
    }
    if (!step.runs.empty()) {
      if (done_before) {
        if (named) run.log->step(run.package, name + " (done in the kept workspace)");
      } else {
        if (named) run.log->step(run.package, name);
        run_script(step, run, name);
      }
      ++run.unit;
    } else if (named) {
      run.log->step(run.package, name);
    }
    if (step.required_steps) {
      uint64_t enabled = 0;
      for (const auto& child : step.pipeline) enabled += child.enabled ? 1 : 0;
      if (enabled < *step.required_steps)
        throw StepFailed(fmt::format("{}: step \"{}\": {} of its steps ran, {} required (assertions.required-steps){}",
                                     run.package, name, enabled, *step.required_steps, log_hint(run)),
                         run.package, name, 1, false);
    }
    run_steps(step.pipeline, run, name);
  }
}

}  // namespace

void run_pipeline(const std::vector<CompiledStep>& steps, PipelineRun& run) {
  if (!run.log) throw Error("run_pipeline: no log");
  run_steps(steps, run, "");
}

}  // namespace lupine::builder
