// Diagnostics for recipes and pipeline files: every finding carries file:line:column, and loading or
// compiling a recipe collects them all instead of stopping at the first, so one run shows every
// problem of a broken recipe (melange stops at the first error).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lupine {

// A YAML file kept in memory for the life of the model read from it: locations point into it, and
// errors found late (an undefined variable deep in a block scalar) are placed by searching it.
struct SourceFile {
  std::string path;
  std::string contents;
};

// A position in a source file; line and column are 1-based (0 = unknown), offset is in bytes.
struct Location {
  std::shared_ptr<const SourceFile> file;
  int line = 0;
  int column = 0;
  size_t offset = 0;

  bool known() const { return file != nullptr; }
  const std::string& path() const;
  // "file:line:column" (or "file:line" with with_column=false; "<unknown>" without a file).
  std::string str(bool with_column = true) const;
};

// The location of the first occurrence of `needle` at or after `from` in its file, or `from` itself
// when it is not found. Used to point at a variable reference inside a multi-line scalar.
Location locate_after(const Location& from, std::string_view needle);

// The candidate nearest to `word` by edit distance when it is close enough to be a likely typo
// (for "did you mean" hints), else "".
std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates);

enum class Severity { error, warning };

struct Diagnostic {
  Severity severity = Severity::error;
  Location where;
  std::string message;
  std::string rule;  // lint rule name, "" for schema/compile errors

  // "file:line:column: error: message" (the form compilers use, understood by editors).
  std::string str() const;
};

class Diagnostics {
 public:
  void error(const Location& where, std::string message, std::string rule = {});
  void warning(const Location& where, std::string message, std::string rule = {});
  void add(Diagnostic diagnostic);
  void append(const Diagnostics& other);

  bool has_errors() const { return errors_ > 0; }
  size_t error_count() const { return errors_; }
  size_t warning_count() const { return items_.size() - errors_; }
  bool empty() const { return items_.empty(); }
  const std::vector<Diagnostic>& items() const { return items_; }

  // Sorted by file, line, column; identical findings (the same pipeline file error reached from
  // several steps) appear once.
  std::vector<Diagnostic> sorted() const;
  // One line per finding, sorted, each ending in '\n'.
  std::string str() const;

 private:
  std::vector<Diagnostic> items_;
  size_t errors_ = 0;
};

}  // namespace lupine
