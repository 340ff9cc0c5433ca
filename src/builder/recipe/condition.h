// `if:` conditions with melange's grammar (pkg/cond/parser.go, a recursive-descent parser):
//
//   expr       := atom (('&&' | '||') atom)*     -- equal precedence, evaluated left to right
//   atom       := '(' expr ')' | comparison
//   comparison := value ('==' | '!=') value
//   value      := '...' | "..." | ${{name}}      -- literals take \\ \' \" \n \t escapes; any other
//                                                   backslash pair is kept as written
//
// Whitespace separates tokens; trailing input is an error. Before evaluation melange replaces each
// `${{var}}` by its Go-quoted value (substitute_quoted), so `${{build.arch}} == 'x86_64'` compares two
// literals; a `${{var}}` still present when evaluating resolves through `lookup` (melange's default
// lookup yields "" for every name).
#pragma once

#include "builder/recipe/substitution.h"

#include <optional>
#include <string>
#include <string_view>

namespace lupine::builder {

struct ConditionResult {
  bool value = false;
  std::optional<std::string> error;  // set when the expression does not parse
};

ConditionResult evaluate_condition(std::string_view expression, const VariableLookup& lookup = nullptr);

// A hint for a condition that does not parse: melange substitutes package.*, vars.* and range.*
// when it reads the recipe, without quotes, so `${{vars.x}} == 'y'` must be written
// `'${{vars.x}}' == 'y'`. "" when `raw` has no such reference outside quotes.
std::string condition_hint(std::string_view raw);

}  // namespace lupine::builder
