// Reading apk-tools' solver specs and judging lupine's output against them (the runner that
// plays apk's applets is solver_spec_apk.cpp).
#include "index/solver_spec.h"

#include "common/error.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace lupine::index {

namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot read {}", path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  size_t pos = 0;
  while ((pos = text.find_first_not_of(" \t", pos)) != std::string_view::npos) {
    size_t end = text.find_first_of(" \t", pos);
    if (end == std::string_view::npos) end = text.size();
    words.emplace_back(text.substr(pos, end - pos));
    pos = end;
  }
  return words;
}

// The "(i/n) Verb name (version)" lines of an output, in order.
std::vector<std::string> action_lines(const std::string& output) {
  std::vector<std::string> actions;
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() < 5 || line[0] != '(') continue;
    size_t close = line.find(") ");
    if (close == std::string::npos) continue;
    std::string_view counter(line.data() + 1, close - 1);
    size_t slash = counter.find('/');
    if (slash == std::string_view::npos) continue;
    bool digits = true;
    for (size_t i = 0; i < counter.size(); ++i)
      if (i != slash && counter[i] != ' ' && (counter[i] < '0' || counter[i] > '9')) digits = false;
    if (digits) actions.push_back(line);
  }
  return actions;
}

bool has_error(const std::string& output) {
  return output.starts_with("ERROR: ") || output.find("\nERROR: ") != std::string::npos;
}

std::string first_difference(const std::string& expected, const std::string& actual) {
  std::istringstream e(expected), a(actual);
  std::string el, al;
  for (int line = 1;; ++line) {
    bool more_e = static_cast<bool>(std::getline(e, el));
    bool more_a = static_cast<bool>(std::getline(a, al));
    if (!more_e && !more_a) return "outputs differ only in line endings";
    if (!more_e) return fmt::format("line {}: unexpected '{}'", line, al);
    if (!more_a) return fmt::format("line {}: missing '{}'", line, el);
    if (el != al) return fmt::format("line {}: expected '{}', got '{}'", line, el, al);
  }
}

}  // namespace

// solver.sh reads the spec line by line: @ARGS lines add words, @WORLD replaces the world,
// @REPO/@INSTALLED/@CACHE name fixtures, everything after @EXPECT is the expected output and
// any other @-line makes the spec invalid. Like `read`, it drops a last line without '\n'.
SolverSpec parse_solver_spec(const std::filesystem::path& file) {
  SolverSpec spec;
  spec.path = file;
  spec.name = file.stem().string();
  std::filesystem::path dir = file.parent_path();
  std::string text = read_text(file);
  bool expecting = false, runnable = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t newline = text.find('\n', pos);
    if (newline == std::string::npos) break;
    std::string line = text.substr(pos, newline - pos);
    pos = newline + 1;
    auto rest = [&line] { return line.substr(line.find(' ') + 1); };
    if (line.starts_with("@ARGS ")) {
      for (std::string& word : split_words(rest())) spec.args.push_back(std::move(word));
      runnable = true;
    } else if (line.starts_with("@WORLD ")) {
      spec.world = split_words(rest());
    } else if (line.starts_with("@INSTALLED ")) {
      spec.installed = dir / rest();
    } else if (line.starts_with("@REPO @")) {
      std::string tagged = rest();
      size_t space = tagged.rfind(' ');
      spec.repositories.emplace_back(tagged.substr(0, space), dir / tagged.substr(space + 1));
    } else if (line.starts_with("@REPO ")) {
      spec.repositories.emplace_back("", dir / rest());
    } else if (line.starts_with("@CACHE ")) {
      spec.cache = dir / rest();
    } else if (line == "@EXPECT") {
      expecting = true;
    } else if (line.starts_with("@")) {
      spec.invalid = "invalid spec: " + line;
      break;
    } else if (expecting) {
      spec.expected += line + "\n";
    }
  }
  if (spec.invalid.empty() && !runnable) spec.invalid = "no @ARGS";
  return spec;
}

SpecVerdict judge_solver_spec(const SolverSpec& spec, const std::string& output) {
  SpecVerdict verdict;
  if (!spec.invalid.empty()) {
    verdict.reason = spec.invalid;
    return verdict;
  }
  verdict.byte_identical = output == spec.expected;
  std::vector<std::string> expected_actions = action_lines(spec.expected);
  std::vector<std::string> actual_actions = action_lines(output);
  bool expected_error = has_error(spec.expected), actual_error = has_error(output);
  verdict.pass = expected_actions == actual_actions && expected_error == actual_error;
  if (!verdict.pass) {
    if (expected_error != actual_error)
      verdict.reason = expected_error ? "expected an error, got none" : "unexpected error";
    else
      verdict.reason = "actions differ";
    verdict.reason += " (" + first_difference(spec.expected, output) + ")";
  } else if (!verdict.byte_identical) {
    verdict.reason = first_difference(spec.expected, output);
  }
  return verdict;
}

}  // namespace lupine::index
