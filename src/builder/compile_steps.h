// Internal to compile: compiling one list of pipeline steps (melange Compiled.compilePipeline and
// gatherDeps) against a variable scope.
#pragma once

#include "builder/compile.h"
#include "builder/substitution.h"

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
  std::string substitute_field(const Text& text, const VariableScope& scope, const Context& context,
                               std::string_view field, bool quoted = false);
  void report(const Location& where, const Context& context, std::string message);

  const PipelineLibrary& library_;
  Diagnostics& diagnostics_;
};

}  // namespace lupine::builder::detail
