// Linting a recipe without building it: everything loading and compiling reports (schema, YAML,
// substitution, pipelines and inputs, melange's validation) plus the checks that can be judged
// from the recipe itself:
//   checks               package.checks.disabled names a linter melange does not have (melange fails
//                        the build: "unknown linter")
//   dev, setuidgid, tempdir, varempty, worldwrite, infodir, usrmerge, libtool/la-files
//                        melange's default-required package linters, judged on what the recipe's own
//                        scripts visibly write into the package directories (lint_script.h); an
//                        error, or a warning when the package lists the linter in checks.disabled
//   target-architecture  `all` is deprecated; names apko does not know (warnings)
//   copyright            no license declared (warning: the SBOM and .PKGINFO get none)
//   update               updates disabled without an exclude-reason (warning; melange's Update says
//                        the reason is required)
//   pipeline             a step with nothing to do (no uses, runs or pipeline) (warning)
#pragma once

#include "builder/recipe/compile.h"
#include "common/diagnostics.h"

#include <string>
#include <string_view>
#include <vector>

namespace lupine::builder {

struct MelangeLinter {
  std::string_view name;
  enum class Default { require, warn, ignore } behaviour;
  std::string_view explain;
};

// melange's linters (pkg/linter/linter.go) with their default behaviour.
const std::vector<MelangeLinter>& melange_linters();

// The recipe-level rules on a compiled plan (whose `recipe` is the expanded recipe).
void lint_plan(const BuildPlan& plan, Diagnostics& diagnostics);

// Reads, compiles and lints the recipe at `path`. Without options.arch it compiles for the host's
// architecture, or the recipe's first target architecture when that excludes the host.
Diagnostics lint_recipe_file(const std::string& path, const PipelineLibrary& library, CompileOptions options);

}  // namespace lupine::builder
