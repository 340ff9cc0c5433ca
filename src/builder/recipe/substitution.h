// `${{ name }}` substitution with melange's grammar (pkg/cond/subst.go): the marker `${{`, optional
// whitespace, a name of [A-Za-z0-9._-], optional whitespace, `}}`. One pass, left to right:
// substituted values are not scanned again. There is no escape; shell `${VAR}` is untouched.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace lupine::builder {

// Looks a variable up by name ("package.name", "inputs.foo"); nullptr when undefined.
using VariableLookup = std::function<const std::string*(std::string_view name)>;

struct SubstitutionError {
  std::string message;  // "variable inputs.foo is not defined", "unterminated variable reference ..."
  std::string name;     // the variable, "" for a malformed reference
  size_t position = 0;  // byte offset of the `${{` in the input text
  bool undefined = false;  // a well-formed reference to a name that is not defined
};

// Strict (compile time): every reference must resolve; every failure is appended to `errors` and
// the reference is dropped from the output (as melange does before failing).
std::string substitute(std::string_view text, const VariableLookup& lookup, std::vector<SubstitutionError>& errors);

// Lenient (melange's parse-time strings.Replacer): unknown names and malformed references stay as
// written. Also tolerates whitespace inside the braces, which the Replacer did not.
std::string substitute_lenient(std::string_view text, const VariableLookup& lookup);

// Like `substitute`, but each value is written Go-quoted (strconv.Quote): how melange prepares an
// `if:` expression (util.MutateAndQuoteStringFromMap) so values compare as string literals.
std::string substitute_quoted(std::string_view text, const VariableLookup& lookup,
                              std::vector<SubstitutionError>& errors);

// Go's strconv.Quote: double quotes, with \a \b \f \n \r \t \v \\ \" escapes, other control bytes
// and invalid UTF-8 as \xNN, non-printable code points as \uNNNN, printable UTF-8 kept.
std::string go_quote(std::string_view text);

// True when `text` holds a `${{` marker.
inline bool has_variable_reference(std::string_view text) { return text.find("${{") != std::string_view::npos; }

// Names referenced in `text` (well-formed references only), in order.
std::vector<std::string> variable_references(std::string_view text);

class VariableScope;

// The error's message, plus "; did you mean X?" when an undefined name is a likely typo of one
// visible in `scope`.
std::string describe(const SubstitutionError& error, const VariableScope& scope);

// A set of variables with a parent scope: lookups fall through to the parent when the name is not
// defined here. Parents must outlive their children.
class VariableScope {
 public:
  explicit VariableScope(const VariableScope* parent = nullptr) : parent_(parent) {}

  void set(std::string name, std::string value) { own_[std::move(name)] = std::move(value); }
  const std::string* find(std::string_view name) const;
  bool defines_here(std::string_view name) const { return own_.find(name) != own_.end(); }
  const VariableScope* parent() const { return parent_; }
  const std::map<std::string, std::string, std::less<>>& own() const { return own_; }
  // Every variable visible from this scope, children overriding parents.
  std::map<std::string, std::string> flatten() const;
  VariableLookup lookup() const {
    return [this](std::string_view name) { return find(name); };
  }

 private:
  const VariableScope* parent_;
  std::map<std::string, std::string, std::less<>> own_;
};

}  // namespace lupine::builder
