// Internal to compile: compiling one list of pipeline steps (melange Compiled.compilePipeline and
// gatherDeps) against a variable scope.
#pragma once

#include "builder/recipe/compile.h"
#include "builder/recipe/substitution.h"

#include <string>
#include <vector>

namespace lupine::builder::detail {

class StepCompiler {
 public:
  StepCompiler(const PipelineLibrary& library, Diagnostics& diagnostics) : library_(library), diagnostics_(diagnostics) {}

  // Compiles `steps` in `scope`; packages from the `needs` of enabled steps are appended to `needs`.
  std::vector<CompiledStep> compile(const std::vector<Step>& steps, const VariableScope& scope,
                                    std::vector<std::string>& needs);

 private:
  struct Context;
  CompiledStep compile_step(const Step& step, const Context& parent);
  // Loads the pipeline `step` uses (nullptr, reported, when it cannot) and enters it in `context`.
  std::shared_ptr<const PipelineDefinition> load(const Step& step, const Context& parent, Context& context);
  // Validates and resolves the declared inputs into `scope` (as inputs.*) and out.inputs / out.with.
  void resolve_inputs(const Step& step, const std::vector<Input>& inputs, const Context& parent,
                      const Context& context, VariableScope& scope, CompiledStep& out);
  // Substitutes (Go-quoted) and evaluates the step's `if`; true when there is none.
  bool condition_holds(const Text& if_condition, const VariableScope& scope, const Context& context,
                       CompiledStep& out);
  std::string substitute_field(const Text& text, const VariableScope& scope, const Context& context,
                               std::string_view field, bool quoted = false);
  void report(const Location& where, const Context& context, std::string message);

  const PipelineLibrary& library_;
  Diagnostics& diagnostics_;
};

}  // namespace lupine::builder::detail
