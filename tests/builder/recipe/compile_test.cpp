// Golden tests of compiled plans for the small recipes in data/ (pipelines from data/pipelines).
#include "builder/recipe/compile.h"

#include "builder/recipe/test_data.h"

#include <gtest/gtest.h>

namespace lupine::builder {
namespace {

using testing::compile_data;
using testing::compile_text;
using testing::findings;

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

const CompiledPackage* subpackage(const BuildPlan& plan, const std::string& name) {
  for (const auto& sub : plan.subpackages)
    if (sub.name == name) return &sub;
  return nullptr;
}

TEST(CompileSubstitution, EveryBuiltinVariable) {
  Diagnostics diagnostics;
  BuildPlan plan = compile_data("substitution.yaml", diagnostics);
  ASSERT_TRUE(diagnostics.empty()) << diagnostics.str();
  EXPECT_EQ(plan.full_version(), "5.0-r3");
  ASSERT_EQ(plan.package.pipeline.size(), 1u);
  EXPECT_EQ(lines(plan.package.pipeline[0].runs),
            (std::vector<std::string>{
                "echo subst 5.0 3 5.0-r3",
                "echo /home/build /home/build/melange-out /home/build/melange-out/subst /home/build/melange-out/subst",
                "echo subst x86_64 amd64",
                "echo x86_64-pc-linux-gnu x86_64-unknown-linux-gnu",
                "echo x86_64-pc-linux-gnu x86_64-pc-linux-musl x86_64-unknown-linux-gnu x86_64-unknown-linux-musl",
                "echo hello plain 5 5x plain",
                "echo /home/build/melange-out/subst /home/build/melange-out/subst-libs false",
                "echo substitution golden test",
                "echo \"${SHELL_VARIABLE} stays\"",
            }));
  EXPECT_EQ(plan.vars, (std::map<std::string, std::string>{
                           {"flavour", "plain"}, {"greeting", "hello plain"}, {"major", "5"}, {"major-x", "5x"}}));
  EXPECT_EQ(plan.package.dependencies.runtime, (std::vector<std::string>{"subst-libs=5.0-r3"}));
  EXPECT_EQ(plan.package.dependencies.provides, (std::vector<std::string>{"subst-compat=5"}));
  EXPECT_EQ(plan.environment.environment.at("SUBST_VERSION"), "5.0");
  EXPECT_EQ(plan.environment.environment.at("HOME"), "/home/build");
  EXPECT_EQ(plan.environment.environment.at("GOMODCACHE"), "/var/cache/melange/gomodcache");
}

TEST(CompileSubstitution, SubpackageContext) {
  Diagnostics diagnostics;
  BuildPlan plan = compile_data("substitution.yaml", diagnostics);
  const CompiledPackage* libs = subpackage(plan, "subst-libs");
  ASSERT_NE(libs, nullptr);
  EXPECT_EQ(libs->description, "libraries of subst");
  EXPECT_EQ(libs->pipeline[0].runs,
            "echo subst-libs subst-libs /home/build/melange-out/subst-libs /home/build/melange-out/subst-libs "
            "/home/build/melange-out/subst\n");
  // Tests: the main test runs in the main context, a subpackage's in its own; each installs the
  // package under test.
  ASSERT_TRUE(plan.package.test);
  EXPECT_EQ(plan.package.test->pipeline[0].runs, "echo testing subst /home/build/melange-out/subst");
  EXPECT_EQ(plan.package.test->environment.packages, (std::vector<std::string>{"subst"}));
  ASSERT_TRUE(libs->test);
  EXPECT_EQ(libs->test->pipeline[0].runs, "echo testing subst-libs");
  EXPECT_EQ(libs->test->environment.packages, (std::vector<std::string>{"subst-libs"}));
}

TEST(CompileSubstitution, BuildOptionsAndArchitectures) {
  Diagnostics diagnostics;
  CompileOptions options;
  options.arch = "arm64";  // a Go name is accepted too
  options.build_options = {"extra"};
  BuildPlan plan = compile_data("substitution.yaml", diagnostics, options);
  ASSERT_TRUE(diagnostics.empty()) << diagnostics.str();
  EXPECT_EQ(plan.arch.apk, "aarch64");
  auto script = lines(plan.package.pipeline[0].runs);
  EXPECT_EQ(script[2], "echo subst aarch64 arm64");
  EXPECT_EQ(script[3], "echo aarch64-unknown-linux-gnu aarch64-unknown-linux-gnu");
  EXPECT_EQ(script[5], "echo hello extra 5 5x extra");
  EXPECT_EQ(script[6], "echo /home/build/melange-out/subst /home/build/melange-out/subst-libs true");
}

TEST(CompileRanges, OneSubpackagePerItemSortedByKey) {
  Diagnostics diagnostics;
  BuildPlan plan = compile_data("ranges.yaml", diagnostics);
  ASSERT_TRUE(diagnostics.empty()) << diagnostics.str();
  std::vector<std::string> names;
  for (const auto& sub : plan.subpackages) names.push_back(sub.name);
  EXPECT_EQ(names, (std::vector<std::string>{"py3.10-thing", "py3.11-thing", "py3.12-thing", "py3-thing-doc"}));
  const CompiledPackage* py310 = subpackage(plan, "py3.10-thing");
  EXPECT_TRUE(py310->enabled);
  EXPECT_EQ(py310->description, "thing for python 3.10");
  EXPECT_EQ(py310->dependencies.runtime, (std::vector<std::string>{"python-3.10"}));
  EXPECT_EQ(py310->pipeline[0].runs, "echo 3.10 310 py3.10-thing /home/build/melange-out/py3.10-thing");
  // `if: '"${{range.value}}" != ""'` is false for the item with an empty value.
  const CompiledPackage* py311 = subpackage(plan, "py3.11-thing");
  EXPECT_FALSE(py311->enabled);
  EXPECT_EQ(py311->if_condition, "\"\" != \"\"");
}

TEST(CompileConditions, StepsAndSubpackages) {
  Diagnostics diagnostics;
  BuildPlan plan = compile_data("conditions.yaml", diagnostics);
  ASSERT_TRUE(diagnostics.empty()) << diagnostics.str();
  const auto& steps = plan.package.pipeline;
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_TRUE(steps[0].enabled);
  EXPECT_EQ(steps[0].if_condition, "\"x86_64\" == 'x86_64'");
  EXPECT_FALSE(steps[1].enabled);
  EXPECT_FALSE(steps[1].pipeline[0].enabled);  // a skipped step skips its children
  EXPECT_TRUE(steps[2].enabled);
  EXPECT_FALSE(steps[3].enabled);
  EXPECT_FALSE(steps[3].pipeline[1].pipeline[0].enabled);
  // needs of skipped steps are not installed (melange gatherDeps).
  EXPECT_EQ(plan.environment.packages, (std::vector<std::string>{"busybox"}));
  EXPECT_TRUE(subpackage(plan, "cond-x86")->enabled);
  EXPECT_FALSE(subpackage(plan, "cond-arm")->enabled);

  Diagnostics arm_diagnostics;
  CompileOptions arm;
  arm.arch = "aarch64";
  BuildPlan arm_plan = compile_data("conditions.yaml", arm_diagnostics, arm);
  EXPECT_FALSE(arm_plan.package.pipeline[0].enabled);
  EXPECT_TRUE(arm_plan.package.pipeline[1].enabled);
  EXPECT_EQ(arm_plan.environment.packages, (std::vector<std::string>{"busybox", "arm-shell"}));
  EXPECT_TRUE(subpackage(arm_plan, "cond-arm")->enabled);
}

TEST(CompileNested, InheritanceOfDirectoryEnvironmentAndInputs) {
  Diagnostics diagnostics;
  BuildPlan plan = compile_data("nested.yaml", diagnostics);
  ASSERT_TRUE(diagnostics.empty()) << diagnostics.str();
  const CompiledStep& outer = plan.package.pipeline[0];
  EXPECT_EQ(outer.required_steps, 2u);
  const CompiledStep& inherits = outer.pipeline[0];
  EXPECT_EQ(inherits.workdir(), "/home/build/src");
  EXPECT_EQ(inherits.environment, (std::map<std::string, std::string>{{"OUTER", "1"}, {"SHARED", "outer"}}));
  const CompiledStep& overrides = outer.pipeline[1];
  EXPECT_EQ(overrides.workdir(), "/abs");
  EXPECT_EQ(overrides.environment.at("SHARED"), "inner");
  // A `uses:` step nested in a recipe step: its own steps inherit the directory and environment.
  const CompiledStep& greet = outer.pipeline[2];
  EXPECT_EQ(greet.uses, "demo/greet");
  EXPECT_EQ(greet.inputs, (std::map<std::string, std::string>{{"greeting", "nest-hi"},
                                                               {"outdir", "/home/build/melange-out/nest/greetings"},
                                                               {"shell", "busybox"},
                                                               {"who", "nested"}}));
  // `with` lists only the inputs given a value other than the default (melange compile output).
  EXPECT_EQ(greet.with, (std::map<std::string, std::string>{{"greeting", "nest-hi"}, {"who", "nested"}}));
  ASSERT_EQ(greet.pipeline.size(), 2u);
  EXPECT_EQ(greet.pipeline[0].name, "write greeting");
  EXPECT_EQ(greet.pipeline[0].workdir(), "/home/build/src");
  EXPECT_EQ(greet.pipeline[0].environment.at("OUTER"), "1");
  EXPECT_EQ(greet.pipeline[0].runs,
            "mkdir -p \"/home/build/melange-out/nest/greetings\"\n"
            "echo \"nest-hi, nested\" > \"/home/build/melange-out/nest/greetings/nested\"\n");
  // demo/inner sees its own inputs and, through the scope chain, demo/greet's.
  const CompiledStep& inner = greet.pipeline[1];
  EXPECT_EQ(inner.uses, "demo/inner");
  EXPECT_EQ(inner.pipeline[0].runs, "echo \"nest-hi from nest (level 1, outer greeting nest-hi)\"");

  const CompiledStep& second = plan.package.pipeline[1];
  EXPECT_EQ(second.pipeline[0].workdir(), "/home/build/elsewhere");
  EXPECT_EQ(second.inputs.at("who"), "2.0.0");
  EXPECT_EQ(lines(second.pipeline[0].runs)[1], "echo \"hello, 2.0.0\" > \"/tmp/out/2.0.0\"");
  // Step environment as the sandbox sets it: build environment, PATH, then the step's own.
  auto env = effective_environment(plan.environment, inherits);
  EXPECT_EQ(env.at("PATH"), kStepPath);
  EXPECT_EQ(env.at("HOME"), "/home/build");
  EXPECT_EQ(env.at("OUTER"), "1");
}

TEST(CompileInputs, DefaultsRequiredUndefinedAndChecksums) {
  Diagnostics diagnostics;
  BuildPlan plan = compile_data("inputs.yaml", diagnostics);
  const auto& steps = plan.package.pipeline;
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_EQ(steps[0].inputs.at("greeting"), "hello");  // default
  EXPECT_EQ(steps[0].inputs.at("outdir"), "/home/build/melange-out/inputs/greetings");  // default with a variable
  EXPECT_EQ(steps[1].inputs.at("greeting"), "hello");  // an empty value takes the default, as in melange
  EXPECT_EQ(steps[1].inputs.at("shell"), "bash");
  EXPECT_EQ(plan.environment.packages, (std::vector<std::string>{"busybox", "bash"}));
  EXPECT_EQ(findings(diagnostics),
            (std::vector<std::string>{
                "20:24: input \"expected-sha256\" must be 64 hexadecimal digits, found \"abc\" (3 characters)",
                "22:11: required input \"who\" for pipeline \"demo/greet\" is missing",
                "25:7: undefined input \"tone\" to pipeline \"demo/greet\" (its inputs: who, greeting, shell, outdir)",
            }));
}

TEST(CompileInputs, InputsMayReferToEachOtherAndForward) {
  Diagnostics diagnostics;
  BuildPlan plan = compile_text(R"(package:
  name: fwd
  version: "1"
pipeline:
  - uses: demo/greet
    with:
      who: ${{inputs.greeting}}-person
      greeting: hey
)",
                                diagnostics);
  ASSERT_TRUE(diagnostics.empty()) << diagnostics.str();
  EXPECT_EQ(plan.package.pipeline[0].inputs.at("who"), "hey-person");
}

TEST(CompileErrors, BrokenRecipeReportsEveryErrorWithItsLine) {
  Diagnostics diagnostics;
  compile_data("broken.yaml", diagnostics);
  EXPECT_EQ(findings(diagnostics),
            (std::vector<std::string>{
                "5:3: unknown key \"descripton\" in package; did you mean \"description\"?",
                "15:11: required input \"who\" for pipeline \"demo/greet\" is missing",
                "21:7: undefined input \"colour\" to pipeline \"demo/greet\" (its inputs: who, greeting, shell, outdir)",
                "24:12: runs: variable vars.nope is not defined",
                "25:9: if: cannot evaluate \"${{build.arch}} = 'x86_64'\" (after substitution: \"x86_64\" = "
                "'x86_64'): expected '==' or '!=' at position 9, got \"= \"",
                "27:11: pipeline \"no/such-pipeline\" not found (searched: " +
                    (testing::data_dir() / "pipelines").string() + ")",
                "32:43: runs: variable subpkg.nmae is not defined; did you mean subpkg.name?",
            }));
}

TEST(CompileErrors, ErrorsInPipelineFilesNameTheUseSite) {
  Diagnostics diagnostics;
  compile_text(R"(package:
  name: e
  version: "1"
pipeline:
  - uses: demo/undefined-variable
)",
               diagnostics);
  ASSERT_EQ(diagnostics.error_count(), 1u) << diagnostics.str();
  const Diagnostic& error = diagnostics.items()[0];
  EXPECT_EQ(error.where.path(), (testing::data_dir() / "pipelines/demo/undefined-variable.yaml").string());
  EXPECT_EQ(error.where.line, 4);
  EXPECT_EQ(error.message,
            "runs: variable inputs.missing is not defined (in pipeline \"demo/undefined-variable\", used at "
            "test.yaml:5:11)");
}

TEST(CompileErrors, ValidationFollowsMelange) {
  Diagnostics diagnostics;
  compile_text(R"(package:
  name: -bad
  version: not a version
  dependencies:
    provider-priority: high
  setcap:
    - path: /usr/bin/x
      add:
        cap_chown: "+ep"
  cpe:
    vendor: example
pipeline:
  - runs: echo
    with:
      a: b
  - uses: demo/greet
    runs: echo
    with:
      who: x
subpackages:
  - name: -bad
  - name: dup
  - name: dup
  - range: missing
    name: r
)",
               diagnostics);
  EXPECT_EQ(findings(diagnostics),
            (std::vector<std::string>{
                "2:9: package name \"-bad\" must match ^[a-zA-Z\\d][a-zA-Z\\d+_.-]*$",
                "3:12: package version \"not a version\" is not a valid APK version",
                "5:24: priority must be an integer, found \"high\"",
                "7:7: setcap for \"/usr/bin/x\" needs a `reason`",
                "9:9: invalid capability \"cap_chown\" for path \"/usr/bin/x\" (allowed: cap_net_bind_service, "
                "cap_net_admin, cap_net_raw, cap_ipc_lock, cap_sys_admin)",
                "11:5: CPE vendor and product must each be set if the other is set",
                "13:11: a step cannot have both `with` and `runs`",
                "15:7: a step with `with` must also have `uses` (with gives the inputs of a `uses` pipeline)",
                "17:11: a step cannot have both `uses` (\"demo/greet\") and `runs`",
                "17:11: a step cannot have both `with` and `runs`",
                "21:11: subpackage \"-bad\" has the same name as the main package",
                "21:11: subpackage name \"-bad\" must match ^[a-zA-Z\\d][a-zA-Z\\d+_.-]*$",
                "23:11: duplicate subpackage name \"dup\" (also at line 22)",
                "24:12: subpackage \"r\" uses undefined range \"missing\" (no data entry of that name)",
            }));
}

TEST(CompileArch, TargetArchitecture) {
  Diagnostics diagnostics;
  std::string recipe = "package:\n  name: a\n  version: '1'\n  target-architecture: [aarch64]\n";
  BuildPlan x86 = compile_text(recipe, diagnostics);
  EXPECT_FALSE(x86.arch_supported);
  CompileOptions arm;
  arm.arch = "aarch64";
  EXPECT_TRUE(compile_text(recipe, diagnostics, arm).arch_supported);
  CompileOptions unknown;
  unknown.arch = "pdp11";
  compile_text(recipe, diagnostics, unknown);
  EXPECT_EQ(findings(diagnostics), (std::vector<std::string>{"2:3: unknown architecture \"pdp11\""}));
}

}  // namespace
}  // namespace lupine::builder
