// apk-tools' texts for a solution: the commit lines (src/commit.c print_change), the final
// "OK:" line and the "unable to select packages" report with its 50-column wrapping
// (src/print.c apk_print_indented).
#include "index/solver.h"

#include "apk/version.h"
#include "index/solver_text.h"

#include <fmt/format.h>

namespace lupine::index {

using solver_detail::IndentedWriter;

namespace {

int decimal_digits(size_t number) {
  int digits = 1;
  while (number >= 10) {
    ++digits;
    number /= 10;
  }
  return digits;
}

}  // namespace

const char* change_verb(const Change& change) {
  switch (change.kind) {
    case ChangeKind::install: return "Installing";
    case ChangeKind::purge: return "Purging";
    case ChangeKind::upgrade: return "Upgrading";
    case ChangeKind::downgrade: return "Downgrading";
    case ChangeKind::replace: return "Replacing";
    case ChangeKind::reinstall: return change.fetchable ? "Reinstalling" : "[APK unavailable, skipped] Reinstalling";
    case ChangeKind::pinning_update: return "Updating pinning";
    case ChangeKind::unchanged: return "";
  }
  return "";
}

std::string render_changes(const Solution& solution) {
  size_t total = solution.action_count();
  int width = decimal_digits(total);
  std::string out;
  size_t done = 0;
  for (const Change& change : solution.changes) {
    if (!change.does_something()) continue;
    const IndexRecord& shown = change.new_package ? *change.new_package : *change.old_package;
    out += fmt::format("({:>{}}/{}) {} {}{} ", ++done, width, total, change_verb(change), shown.name, change.new_tag);
    bool two_versions = change.old_package && change.new_package &&
                        (change.kind == ChangeKind::upgrade || change.kind == ChangeKind::downgrade ||
                         change.kind == ChangeKind::replace);
    if (two_versions)
      out += fmt::format("({} -> {})\n", change.old_package->version, change.new_package->version);
    else
      out += fmt::format("({})\n", change.new_package ? change.new_package->version : change.old_package->version);
  }
  return out;
}

std::string render_problems(const Solution& solution, size_t width) {
  if (solution.ok()) return "";
  std::string out = "ERROR: unable to select packages:\n";
  IndentedWriter writer(out, width);
  for (const SolverProblem& problem : solution.problems) {
    out += fmt::format("  {}:\n", problem.subject);
    for (const SolverProblem::Detail& detail : problem.details) {
      writer.group("    " + detail.label);
      for (const std::string& item : detail.items) writer.item(item);
      writer.end();
    }
  }
  if (solution.problems.empty()) out += "Huh? Error reporter did not find the broken constraints.\n";
  return out;
}

std::string format_human_size(uint64_t bytes) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  float scaled = static_cast<float>(bytes);
  uint64_t whole = bytes;
  size_t unit = 0;
  for (; unit + 1 < std::size(units) && scaled >= 10000; ++unit) {
    scaled /= 1024;
    whole /= 1024;
  }
  if (unit < 2) return fmt::format("{} {}", whole, units[unit]);
  return fmt::format("{:.1f} {}", scaled, units[unit]);
}

std::string render_summary(const Solution& solution, unsigned commit_errors) {
  std::string status = "OK:";
  if (commit_errors) status = fmt::format("{} error{};", commit_errors, commit_errors > 1 ? "s" : "");
  return fmt::format("{} {} in {} packages\n", status, format_human_size(solution.installed_bytes_after()),
                     solution.installed_packages_after());
}

}  // namespace lupine::index
