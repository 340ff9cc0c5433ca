#include "common/diagnostics.h"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

namespace lupine {

const std::string& Location::path() const {
  static const std::string unknown = "<unknown>";
  return file ? file->path : unknown;
}

std::string Location::str(bool with_column) const {
  if (!file) return "<unknown>";
  if (line <= 0) return file->path;
  if (!with_column || column <= 0) return fmt::format("{}:{}", file->path, line);
  return fmt::format("{}:{}:{}", file->path, line, column);
}

Location locate_after(const Location& from, std::string_view needle) {
  if (!from.file || needle.empty()) return from;
  const std::string& text = from.file->contents;
  size_t found = text.find(needle, std::min(from.offset, text.size()));
  if (found == std::string::npos) return from;
  Location at = from;
  at.offset = found;
  // Count lines from the known position rather than from the top: recipes reach 70 KB.
  int line = from.line;
  size_t line_start = from.offset - std::min<size_t>(from.offset, static_cast<size_t>(std::max(from.column - 1, 0)));
  for (size_t i = from.offset; i < found; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  at.line = line;
  at.column = static_cast<int>(found - line_start) + 1;
  return at;
}

namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::string_view best_candidate;
  size_t best = std::string::npos;
  for (std::string_view candidate : candidates) {
    size_t distance = edit_distance(word, candidate);
    if (distance < best) {
      best = distance;
      best_candidate = candidate;
    }
  }
  if (best_candidate.empty() || best > std::max<size_t>(2, word.size() / 4)) return "";
  return std::string(best_candidate);
}

std::string Diagnostic::str() const {
  return fmt::format("{}: {}: {}{}", where.str(), severity == Severity::error ? "error" : "warning", message,
                     rule.empty() ? "" : fmt::format(" [{}]", rule));
}

void Diagnostics::error(const Location& where, std::string message, std::string rule) {
  add({Severity::error, where, std::move(message), std::move(rule)});
}

void Diagnostics::warning(const Location& where, std::string message, std::string rule) {
  add({Severity::warning, where, std::move(message), std::move(rule)});
}

void Diagnostics::add(Diagnostic diagnostic) {
  if (diagnostic.severity == Severity::error) ++errors_;
  items_.push_back(std::move(diagnostic));
}

void Diagnostics::append(const Diagnostics& other) {
  for (const auto& item : other.items_) add(item);
}

std::vector<Diagnostic> Diagnostics::sorted() const {
  std::vector<Diagnostic> out = items_;
  auto key = [](const Diagnostic& d) {
    return std::tie(d.where.path(), d.where.line, d.where.column, d.message, d.rule);
  };
  std::stable_sort(out.begin(), out.end(), [&](const Diagnostic& a, const Diagnostic& b) { return key(a) < key(b); });
  out.erase(std::unique(out.begin(), out.end(),
                        [&](const Diagnostic& a, const Diagnostic& b) {
                          return key(a) == key(b) && a.severity == b.severity;
                        }),
            out.end());
  return out;
}

std::string Diagnostics::str() const {
  std::string out;
  for (const auto& item : sorted()) {
    out += item.str();
    out += '\n';
  }
  return out;
}

}  // namespace lupine
