#include "farm/slurm_client.h"

#include "common/error.h"
#include "common/process.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

namespace lupine::farm {
namespace {

// Ids per squeue or scancel call: well below the limits on the length of a command line.
constexpr size_t ids_per_command = 1000;

std::string trimmed(std::string_view text) {
  size_t begin = 0, end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return std::string(text.substr(begin, end - begin));
}

std::string joined(const std::vector<std::string>& parts, std::string_view separator) {
  std::string result;
  for (const auto& part : parts) {
    if (!result.empty()) result += separator;
    result += part;
  }
  return result;
}

ProcessResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  ProcessOptions options;
  options.argv = argv;
  options.cleanup = true;  // see the header: never killed half-way by an interrupt
  options.timeout = timeout;
  return run_process(options);
}

[[noreturn]] void command_failed(const std::vector<std::string>& argv, const ProcessResult& result) {
  std::string err = trimmed(result.err);
  if (err.empty()) err = trimmed(result.out);
  fail("`{}` failed ({}){}{}", joined(argv, " "), result.describe(), err.empty() ? "" : ": ", err);
}

// Slurm says this when none of the ids asked about exists (any more).
bool unknown_job_error(const ProcessResult& result) {
  return result.err.find("Invalid job id specified") != std::string::npos;
}

// sbatch expands %j, %x, ... in --output; "%%" is a literal '%'.
std::string literal_output_pattern(const std::string& path) {
  std::string result;
  for (char c : path) {
    if (c == '%') result += '%';
    result += c;
  }
  return result;
}

std::string job_name_for_slurm(const std::string& name) {
  std::string result = name;
  for (char& c : result)
    if (std::isspace(static_cast<unsigned char>(c))) c = '_';
  return result.empty() ? "lupine" : result;
}

}  // namespace

bool SlurmJobStatus::live() const {
  static const std::set<std::string, std::less<>> ended = {
      "BOOT_FAIL", "CANCELLED", "COMPLETED",     "DEADLINE",     "FAILED", "NODE_FAIL",
      "OUT_OF_MEMORY", "PREEMPTED", "REVOKED", "SPECIAL_EXIT", "TIMEOUT"};
  return !ended.contains(state);
}

std::vector<std::string> sbatch_arguments(const SlurmSubmission& submission) {
  std::vector<std::string> argv = {
      "sbatch",
      "--parsable",
      "--export=ALL",
      "--job-name=" + job_name_for_slurm(submission.job_name),
      "--output=" + literal_output_pattern(submission.output.string()),
  };
  if (!submission.chdir.empty()) argv.push_back("--chdir=" + submission.chdir.string());
  if (!submission.after_ok.empty()) {
    argv.push_back("--dependency=afterok:" + joined(submission.after_ok, ":"));
    // The slurm.conf setting kill_invalid_depend was seen not to work on Slurm 22.05.
    argv.push_back("--kill-on-invalid-dep=yes");
  }
  if (!submission.partition.empty()) argv.push_back("--partition=" + submission.partition);
  if (submission.cpus_per_task > 0)
    argv.push_back(fmt::format("--cpus-per-task={}", submission.cpus_per_task));
  if (!submission.time_limit.empty()) argv.push_back("--time=" + submission.time_limit);
  return argv;
}

std::string SlurmClient::submit(const SlurmSubmission& submission) const {
  std::vector<std::string> argv = sbatch_arguments(submission);
  argv.push_back(submission.script.string());
  ProcessResult result = run_command(argv, timeout_);
  if (!result.success()) command_failed(argv, result);
  // --parsable prints "id" or "id;cluster".
  std::string id = trimmed(result.out.substr(0, result.out.find(';')));
  auto is_digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
  if (id.empty() || !std::all_of(id.begin(), id.end(), is_digit))
    fail("`{}` printed no job id: '{}'", joined(argv, " "), trimmed(result.out));
  return id;
}

std::map<std::string, SlurmJobStatus> SlurmClient::live(const std::vector<std::string>& ids) const {
  std::map<std::string, SlurmJobStatus> live_jobs;
  for (size_t start = 0; start < ids.size(); start += ids_per_command) {
    std::vector<std::string> chunk(ids.begin() + static_cast<ptrdiff_t>(start),
                                   ids.begin() + static_cast<ptrdiff_t>(std::min(ids.size(), start + ids_per_command)));
    std::vector<std::string> argv = {"squeue", "-h", "-o", "%i %T %r", "-j", joined(chunk, ",")};
    ProcessResult result = run_command(argv, timeout_);
    if (!result.success()) {
      if (unknown_job_error(result)) continue;  // none of them exists any more
      command_failed(argv, result);
    }
    std::istringstream lines(result.out);
    for (std::string line; std::getline(lines, line);) {
      std::istringstream fields(line);
      std::string id;
      SlurmJobStatus status;
      if (!(fields >> id >> status.state)) continue;
      std::getline(fields, status.reason);
      status.reason = trimmed(status.reason);
      // Without a state filter squeue lists only live jobs; an end state seen here (a job that
      // ended between two of Slurm's own updates) is left to scontrol.
      if (status.live()) live_jobs[id] = status;
    }
  }
  return live_jobs;
}

SlurmJobStatus parse_scontrol_job(const std::string& line) {
  SlurmJobStatus status;
  std::istringstream fields(line);
  bool seen_state = false, seen_reason = false, seen_exit = false;
  for (std::string field; fields >> field;) {
    auto equals = field.find('=');
    if (equals == std::string::npos) continue;
    std::string key = field.substr(0, equals), value = field.substr(equals + 1);
    if (key == "JobState" && !seen_state) {
      status.state = value;
      seen_state = true;
    } else if (key == "Reason" && !seen_reason) {
      status.reason = value;
      seen_reason = true;
    } else if (key == "ExitCode" && !seen_exit) {
      // code:signal
      auto colon = value.find(':');
      try {
        status.exit_code = std::stoi(value.substr(0, colon));
        if (colon != std::string::npos) status.exit_signal = std::stoi(value.substr(colon + 1));
      } catch (const std::exception&) {
        fail("cannot read scontrol's ExitCode={}", value);
      }
      seen_exit = true;
    }
  }
  if (!seen_state) fail("no JobState in scontrol's output: '{}'", trimmed(line));
  return status;
}

bool SlurmClient::show(const std::string& id, SlurmJobStatus& status) const {
  std::vector<std::string> argv = {"scontrol", "show", "job", "-o", id};
  ProcessResult result = run_command(argv, timeout_);
  if (!result.success()) {
    if (unknown_job_error(result)) return false;
    command_failed(argv, result);
  }
  status = parse_scontrol_job(result.out);
  return true;
}

std::map<std::string, SlurmJobStatus> SlurmClient::states(const std::vector<std::string>& ids) const {
  std::map<std::string, SlurmJobStatus> result = live(ids);
  for (const auto& id : ids) {
    if (result.contains(id)) continue;
    SlurmJobStatus status;
    if (show(id, status)) result[id] = status;
  }
  return result;
}

void SlurmClient::cancel(const std::vector<std::string>& ids) const {
  for (size_t start = 0; start < ids.size(); start += ids_per_command) {
    std::vector<std::string> argv = {"scancel"};
    argv.insert(argv.end(), ids.begin() + static_cast<ptrdiff_t>(start),
                ids.begin() + static_cast<ptrdiff_t>(std::min(ids.size(), start + ids_per_command)));
    ProcessResult result = run_command(argv, timeout_);
    // scancel is quiet about jobs that already ended; anything it does complain about is an error.
    if (!result.success()) command_failed(argv, result);
  }
}

}  // namespace lupine::farm
