// Step compilation, after melange pkg/build/compile.go (compilePipeline, gatherDeps) and
// pipeline.go (MutateWith, validateWith):
//  - `uses: X` without a nested `pipeline` loads X.yaml and lays it over the step: its inputs,
//    needs and pipeline (and any other key it sets) apply; the step's own name is kept. With a
//    nested `pipeline`, `uses` is informational only and nothing is loaded.
//  - every `with` key must be a declared input; an empty or missing value takes the default; a
//    required input that ends up empty is an error; expected-sha256/-sha512/-commit must be 64/128/40
//    hex digits.
//  - ${{inputs.*}} resolve in the step's scope, which inherits the enclosing step's (so nested steps
//    see their parent's inputs). An input value may use the enclosing scope and its sibling inputs;
//    `foo: ${{inputs.foo}}` forwards the enclosing step's foo.
//  - runs, working-directory, needs.packages and environment values are substituted strictly; `if`
//    with Go-quoted values, then evaluated. A child without working-directory inherits its parent's;
//    environment is merged downwards.
//  - needs.packages of every step whose condition (and every enclosing one) holds are gathered.
// Beyond melange: environment values are substituted too (melange leaves a ${{…}} there for the
// shell to choke on), input chains resolve in any order (melange's depends on Go map order), and
// errors are collected instead of stopping at the first.
#include "builder/recipe/compile_steps.h"

#include "builder/recipe/condition.h"

#include <fmt/format.h>

#include <algorithm>

namespace lupine::builder::detail {

namespace {

constexpr int kMaxDepth = 32;

bool is_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

// melange validateWith: checksums and commits are checked by name, whatever the pipeline.
std::string checksum_problem(std::string_view input, std::string_view value) {
  size_t expected = input == "expected-sha256" ? 64 : input == "expected-sha512" ? 128 : input == "expected-commit" ? 40 : 0;
  if (expected == 0 || value.empty()) return "";
  if (value.size() == expected && is_hex(value)) return "";
  return fmt::format("input \"{}\" must be {} hexadecimal digits, found \"{}\" ({} characters)", input, expected, value,
                     value.size());
}

std::string join_names(const std::vector<Input>& inputs) {
  std::string out;
  for (const Input& input : inputs) {
    if (!out.empty()) out += ", ";
    out += input.name.value;
  }
  return out.empty() ? "none" : out;
}

// The declared inputs of one step, resolved lazily so they may refer to each other in any order.
class InputResolver {
 public:
  struct Pending {
    std::string raw;
    const Text* source = nullptr;  // where `raw` was written (a `with` value or the default)
    std::string value;
    bool resolving = false;
    bool resolved = false;
  };

  InputResolver(const VariableScope& parent, std::map<std::string, Pending, std::less<>>& pending)
      : parent_(parent), pending_(pending) {}

  const std::string& resolve(const std::string& name, std::vector<std::pair<const Text*, SubstitutionError>>& errors) {
    Pending& input = pending_.find(name)->second;
    if (input.resolved) return input.value;
    if (input.resolving) {
      errors.push_back({input.source, {fmt::format("input \"{}\" refers to itself through other inputs", name), "", 0}});
      return input.value;
    }
    input.resolving = true;
    std::vector<SubstitutionError> own_errors;
    VariableLookup lookup = [&](std::string_view variable) -> const std::string* {
      if (variable.starts_with("inputs.")) {
        std::string_view input_name = variable.substr(7);
        // `x: ${{inputs.x}}` forwards the enclosing step's x; a sibling input resolves first.
        if (input_name != name) {
          auto sibling = pending_.find(input_name);
          if (sibling != pending_.end()) return &resolve(sibling->first, errors);
        }
      }
      return parent_.find(variable);
    };
    input.value = substitute(input.raw, lookup, own_errors);
    for (auto& e : own_errors) errors.push_back({input.source, std::move(e)});
    input.resolving = false;
    input.resolved = true;
    return input.value;
  }

 private:
  const VariableScope& parent_;
  std::map<std::string, Pending, std::less<>>& pending_;
};

}  // namespace

struct StepCompiler::Context {
  const VariableScope* scope = nullptr;
  std::string working_directory;
  std::map<std::string, std::string> environment;
  bool enabled = true;
  int depth = 0;
  std::vector<std::string>* needs = nullptr;
  std::string uses_chain;  // "" in the recipe; "go/build" inside that pipeline file, "a > b" deeper
  Location use_site;       // the recipe step that led into pipeline files
};

void StepCompiler::report(const Location& where, const Context& context, std::string message) {
  if (!context.uses_chain.empty() && context.use_site.known() && where.file != context.use_site.file)
    message += fmt::format(" (in pipeline \"{}\", used at {})", context.uses_chain, context.use_site.str());
  diagnostics_.error(where, std::move(message));
}

std::string StepCompiler::substitute_field(const Text& text, const VariableScope& scope, const Context& context,
                                           std::string_view field, bool quoted) {
  if (!has_variable_reference(text.value)) return text.value;
  std::vector<SubstitutionError> errors;
  auto lookup = scope.lookup();
  std::string result =
      quoted ? substitute_quoted(text.value, lookup, errors) : substitute(text.value, lookup, errors);
  for (const auto& e : errors)
    report(locate_reference(text, e.name), context, fmt::format("{}: {}", field, describe(e, scope)));
  return result;
}

std::vector<CompiledStep> StepCompiler::compile(const std::vector<Step>& steps, const VariableScope& scope,
                                                std::vector<std::string>& needs) {
  Context context;
  context.scope = &scope;
  context.needs = &needs;
  std::vector<CompiledStep> out;
  out.reserve(steps.size());
  for (const Step& step : steps) out.push_back(compile_step(step, context));
  return out;
}

std::shared_ptr<const PipelineDefinition> StepCompiler::load(const Step& step, const Context& parent,
                                                             Context& context) {
  if (std::string reason = PipelineLibrary::invalid_name_reason(step.uses.value); !reason.empty()) {
    report(step.uses.where, parent, fmt::format("invalid pipeline name \"{}\": {}", step.uses.value, reason));
    return nullptr;
  }
  auto definition = library_.find(step.uses.value);
  if (!definition) {
    std::string searched;
    for (const auto& dir : library_.search_path()) searched += (searched.empty() ? "" : ", ") + dir.string();
    std::vector<std::string> names = library_.available();
    std::string hint = closest_match(step.uses.value, std::vector<std::string_view>(names.begin(), names.end()));
    report(step.uses.where, parent,
           fmt::format("pipeline \"{}\" not found (searched: {}){}", step.uses.value,
                       searched.empty() ? "no pipeline directories" : searched,
                       hint.empty() ? "" : fmt::format("; did you mean \"{}\"?", hint)));
    return nullptr;
  }
  diagnostics_.append(definition->diagnostics);
  context.uses_chain = parent.uses_chain.empty() ? step.uses.value : parent.uses_chain + " > " + step.uses.value;
  if (parent.uses_chain.empty()) context.use_site = step.uses.where;
  return definition;
}

void StepCompiler::resolve_inputs(const Step& step, const std::vector<Input>& inputs, const Context& parent,
                                  const Context& context, VariableScope& scope, CompiledStep& out) {
  std::map<std::string, InputResolver::Pending, std::less<>> pending;
  for (const Input& input : inputs) {
    InputResolver::Pending& p = pending[input.name.value];
    const Text* given = step.with.find(input.name.value);
    bool has_value = given && !given->value.empty();  // melange: an empty value takes the default
    p.source = has_value ? given : &input.default_value;
    p.raw = p.source->value;
    if (input.required.value && p.raw.empty())
      report(step.uses.set ? step.uses.where : step.where, parent,
             fmt::format("required input \"{}\" for pipeline \"{}\" is missing", input.name.value,
                         step.uses.value.empty() ? out.display_name() : step.uses.value));
  }
  if (pending.empty()) return;

  InputResolver resolver(*parent.scope, pending);
  std::vector<std::pair<const Text*, SubstitutionError>> errors;
  for (const Input& input : inputs) {
    const std::string& value = resolver.resolve(input.name.value, errors);
    out.inputs[input.name.value] = value;
    if (std::string problem = checksum_problem(input.name.value, value); !problem.empty()) {
      const Text* source = pending.find(input.name.value)->second.source;
      report(source->where.known() ? source->where : step.where, parent, problem);
    }
    // melange compile output keeps only the `with` values that differ from the default.
    if (step.with.find(input.name.value) && value != input.default_value.value) out.with[input.name.value] = value;
  }
  for (const auto& [source, e] : errors) {
    Location where = source && source->where.known() ? locate_reference(*source, e.name) : step.where;
    // An input written in the recipe is reported there, one from a pipeline file's default there.
    report(where, source && source->where.file == step.where.file ? parent : context,
           fmt::format("input: {}", describe(e, *parent.scope)));
  }
  for (const auto& [name, value] : out.inputs) scope.set("inputs." + name, value);
}

bool StepCompiler::condition_holds(const Text& if_condition, const VariableScope& scope, const Context& context,
                                   CompiledStep& out) {
  out.if_condition = substitute_field(if_condition, scope, context, "if", true);
  if (out.if_condition.empty()) return true;
  ConditionResult result = evaluate_condition(out.if_condition);
  if (result.error)
    report(if_condition.where, context,
           fmt::format("if: cannot evaluate \"{}\" (after substitution: {}): {}", if_condition.value, out.if_condition,
                       *result.error) +
               condition_hint(source_rest_of_line(if_condition.where)));
  return result.value;
}

CompiledStep StepCompiler::compile_step(const Step& step, const Context& parent) {
  CompiledStep out;
  out.where = step.where;
  out.name = step.name.value;
  out.uses = step.uses.value;
  out.label = step.label.value;

  Context context;
  context.depth = parent.depth + 1;
  context.needs = parent.needs;
  context.uses_chain = parent.uses_chain;
  context.use_site = parent.use_site;
  if (context.depth > kMaxDepth) {
    report(step.where, parent, fmt::format("pipelines nest more than {} deep (does \"{}\" use itself?)", kMaxDepth,
                                           step.uses.value));
    out.enabled = false;
    return out;
  }

  // `uses:` without nested steps loads the pipeline file; its keys take the place of the step's
  // (melange decodes the file onto the step). With nested steps `uses` is informational only.
  bool loads = !step.uses.value.empty() && step.pipeline.empty();
  std::shared_ptr<const PipelineDefinition> definition = loads ? load(step, parent, context) : nullptr;
  const Step* file = definition ? &definition->step : nullptr;
  auto pick = [&](const Text& own, const Text Step::*field) -> const Text& {
    return file && (file->*field).set ? file->*field : own;
  };
  const Text& runs = pick(step.runs, &Step::runs);
  const Text& if_condition = pick(step.if_condition, &Step::if_condition);
  const Text& working_directory = pick(step.working_directory, &Step::working_directory);
  const std::vector<Step>& children = file ? file->pipeline : step.pipeline;
  const std::vector<Input>& inputs = file ? file->inputs : step.inputs;
  const std::vector<Text>& needs = file && file->has_needs ? file->needs : step.needs;
  const Located<uint64_t>& required_steps = file && file->required_steps.set ? file->required_steps : step.required_steps;
  if (required_steps.set) out.required_steps = required_steps.value;

  if (definition) {
    for (const auto& [key, value] : step.with.entries) {
      if (!definition->find_input(key.value))
        report(key.where, parent,
               fmt::format("undefined input \"{}\" to pipeline \"{}\" (its inputs: {})", key.value, step.uses.value,
                           join_names(inputs)));
    }
  }
  VariableScope scope(parent.scope);
  resolve_inputs(step, inputs, parent, context, scope, out);
  // A compiled recipe's `uses:` with its steps laid out (.melange.yaml, compiled_yaml.h): its
  // `with` records the pipeline's inputs. Kept, and taken as the inputs, so that the sources a
  // `fetch` names are known (lupine fetches them before the build).
  if (!loads && !step.uses.value.empty()) {
    for (const auto& [key, value] : step.with.entries) {
      std::string resolved = substitute_field(value, scope, context, "with");
      out.with[key.value] = resolved;
      out.inputs.emplace(key.value, resolved);
    }
  }

  // The step's own fields, in its scope.
  out.runs = substitute_field(runs, scope, context, "runs");
  out.working_directory = working_directory.value.empty()
                              ? parent.working_directory
                              : substitute_field(working_directory, scope, context, "working-directory");
  bool condition = condition_holds(if_condition, scope, context, out);
  out.enabled = parent.enabled && condition && !(loads && !definition);
  out.environment = parent.environment;
  for (const TextMap* environment : {&step.environment, file ? &file->environment : nullptr}) {
    if (!environment) continue;
    for (const auto& [key, value] : environment->entries)
      out.environment[key.value] = substitute_field(value, scope, context, "environment");
  }
  for (const Text& need : needs) out.needs.push_back(substitute_field(need, scope, context, "needs"));
  if (out.enabled) parent.needs->insert(parent.needs->end(), out.needs.begin(), out.needs.end());

  // Nested steps see this step's scope, directory and environment.
  context.scope = &scope;
  context.working_directory = out.working_directory;
  context.environment = out.environment;
  context.enabled = out.enabled;
  out.pipeline.reserve(children.size());
  for (const Step& child : children) out.pipeline.push_back(compile_step(child, context));
  return out;
}

}  // namespace lupine::builder::detail
