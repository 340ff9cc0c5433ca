#include "builder/recipe/recipe_reader.h"

#include "builder/recipe/test_data.h"

#include <gtest/gtest.h>

namespace lupine::builder {
namespace {

using testing::data_file;
using testing::findings;
using testing::source;

TEST(RecipeReader, KeepsRawScalarText) {
  Diagnostics diagnostics;
  Recipe recipe = read_recipe(source(R"(package:
  name: glpk
  version: 5.0
  epoch: 6 # go/wolfi-rsc/glpk
  description: 'quoted: yes'
data:
  - name: py-versions
    items:
      3.10: "310"
      3.1: '31'
vars:
  flag: true
  octal: 0755
  nothing:
)"),
                                 diagnostics);
  EXPECT_TRUE(diagnostics.empty()) << diagnostics.str();
  EXPECT_EQ(recipe.package.version.value, "5.0");
  EXPECT_EQ(recipe.package.epoch.value, 6u);
  EXPECT_EQ(recipe.package.description.value, "quoted: yes");
  ASSERT_EQ(recipe.data.size(), 1u);
  EXPECT_EQ(recipe.data[0].items.entries[0].first.value, "3.10");
  EXPECT_EQ(recipe.data[0].items.entries[1].first.value, "3.1");
  EXPECT_EQ(recipe.vars.find("flag")->value, "true");
  EXPECT_EQ(recipe.vars.find("octal")->value, "0755");
  EXPECT_EQ(recipe.vars.find("nothing")->value, "");
}

TEST(RecipeReader, RecordsLineAndColumnOfEveryValue) {
  Diagnostics diagnostics;
  Recipe recipe = read_recipe(source("package:\n  name: a\n  version: \"1\"\npipeline:\n  - runs: |\n      echo hi\n"
                                     "    working-directory: src\n"),
                              diagnostics);
  EXPECT_TRUE(diagnostics.empty()) << diagnostics.str();
  EXPECT_EQ(recipe.package.name.where.str(), "test.yaml:2:9");
  EXPECT_EQ(recipe.package.version.where.str(), "test.yaml:3:12");
  ASSERT_EQ(recipe.pipeline.size(), 1u);
  EXPECT_EQ(recipe.pipeline[0].where.str(), "test.yaml:5:5");
  EXPECT_EQ(recipe.pipeline[0].runs.where.str(), "test.yaml:5:11");
  EXPECT_EQ(locate_line(recipe.pipeline[0].runs, 0).str(), "test.yaml:6:7");
  EXPECT_EQ(recipe.pipeline[0].working_directory.value, "src");
}

TEST(RecipeReader, EveryMelangeKeyParses) {
  Diagnostics diagnostics;
  Recipe recipe = read_recipe_file(data_file("all-keys.yaml").string(), diagnostics);
  EXPECT_TRUE(diagnostics.empty()) << diagnostics.str();
  const Package& p = recipe.package;
  EXPECT_EQ(p.version.value, "1.11");
  EXPECT_EQ(p.epoch.value, 2u);
  EXPECT_EQ(p.annotations.find("org.example/owner")->value, "team");
  EXPECT_EQ(p.target_architecture.size(), 2u);
  ASSERT_EQ(p.copyright.size(), 1u);
  EXPECT_EQ(p.copyright[0].license_path.value, "LICENSE");
  EXPECT_EQ(p.copyright[0].detection_override.value, "Apache-2.0");
  EXPECT_EQ(p.dependencies.provider_priority.value, "10");
  EXPECT_TRUE(p.options.no_commands.value);
  EXPECT_TRUE(p.options.no_versioned_shlib_deps.value);  // YAML 1.1 `yes`
  EXPECT_EQ(p.scriptlets.trigger.paths[0].value, "/usr/lib/foo");
  EXPECT_EQ(p.scriptlets.post_upgrade.value, "echo post-upgrade");
  EXPECT_EQ(p.cpe.target_hw.value, "h");
  ASSERT_EQ(p.setcap.size(), 1u);
  EXPECT_EQ(p.setcap[0].add.entries[0].first.value, "cap_net_bind_service");
  EXPECT_EQ(p.timeout.value, "1h30m");
  EXPECT_EQ(p.resources.memory.value, "8Gi");
  EXPECT_EQ(p.test_resources.cpu.value, "1");

  const ImageConfiguration& env = recipe.environment;
  EXPECT_EQ(env.contents.runtime_repositories[0].value, "https://runtime.example.com");
  EXPECT_EQ(env.contents.baseimage.apkindex.value, "/index");
  EXPECT_EQ(env.entrypoint.services.find("web")->value, "/usr/bin/web");
  EXPECT_EQ(env.accounts.run_as.value, "65532");
  EXPECT_EQ(env.accounts.users[0].homedir.value, "/home/nonroot");
  EXPECT_EQ(env.accounts.groups[0].members[0].value, "nonroot");
  EXPECT_EQ(env.paths[0].permissions.value, 0755u);  // a leading 0 is octal, as Go's ParseInt(s, 0, 64)
  EXPECT_TRUE(env.paths[0].recursive.value);
  EXPECT_EQ(env.layering.budget.value, 10u);
  EXPECT_EQ(env.certificates.providers[0].value, "system");
  EXPECT_EQ(recipe.capabilities.drop[0].value, "CAP_SYS_ADMIN");

  ASSERT_EQ(recipe.pipeline.size(), 2u);
  const Step& step = recipe.pipeline[0];
  EXPECT_EQ(step.label.value, "l");
  EXPECT_EQ(step.required_steps.value, 1u);
  EXPECT_EQ(step.environment.find("A")->value, "b");
  EXPECT_EQ(step.pipeline[0].needs[0].value, "nested-tool");

  ASSERT_EQ(recipe.subpackages.size(), 1u);
  const Subpackage& sub = recipe.subpackages[0];
  EXPECT_EQ(sub.range.value, "flavours");
  EXPECT_EQ(sub.setcap[0].reason.value, "raw sockets");
  EXPECT_EQ(sub.test->environment.contents.packages[0].value, "sub-test-tool");

  ASSERT_EQ(recipe.options.size(), 1u);
  EXPECT_EQ(recipe.options[0].add_packages[0].value, "extra-tool");
  EXPECT_EQ(recipe.options[0].remove_packages[0].value, "busybox");

  const Update& u = recipe.update;
  EXPECT_EQ(u.release_monitor.identifier.value, 1234);
  EXPECT_TRUE(u.github.use_tag.value);
  EXPECT_EQ(u.oci.identifier.value, "cgr.dev/example");
  EXPECT_EQ(u.version_data.sources[0].commit_source.value, "a");
  EXPECT_EQ(u.version_transform[0].replace.value, ".");
  EXPECT_EQ(u.schedule.period.value, "weekly");
  EXPECT_EQ(recipe.test->pipeline.size(), 1u);
}

TEST(RecipeReader, UnknownKeysAreErrorsWithSuggestions) {
  Diagnostics diagnostics;
  read_recipe(source(R"(package:
  name: a
  version: "1"
  descripton: typo
pipline:
  - runs: echo
pipeline:
  - runs: echo
    working_directory: src
    bogus: 1
)"),
              diagnostics);
  EXPECT_EQ(findings(diagnostics),
            (std::vector<std::string>{
                "4:3: unknown key \"descripton\" in package; did you mean \"description\"?",
                "5:1: unknown key \"pipline\" in the recipe; did you mean \"pipeline\"?",
                "9:5: unknown key \"working_directory\" in pipeline step; did you mean \"working-directory\"?",
                "10:5: unknown key \"bogus\" in pipeline step (known keys: if, name, uses, with, runs, pipeline, "
                "inputs, needs, label, assertions, working-directory, environment)",
            }));
}

TEST(RecipeReader, TypeErrors) {
  Diagnostics diagnostics;
  read_recipe(source(R"(package:
  name: [a, b]
  version: "1"
  epoch: "6"
  options:
    no-provides: "true"
  target-architecture: x86_64
pipeline:
  runs: echo
)"),
              diagnostics);
  EXPECT_EQ(findings(diagnostics), (std::vector<std::string>{
                                       "2:9: expected a string, found a sequence",
                                       "4:10: expected a non-negative integer, found \"6\"",
                                       "6:18: expected a boolean (true or false), found \"true\"",
                                       "7:24: expected a sequence, found a scalar",
                                       "9:3: expected a sequence, found a mapping",
                                   }));
}

TEST(RecipeReader, DuplicateKeysAndSyntaxErrors) {
  Diagnostics duplicate;
  read_recipe(source("package:\n  name: a\n  name: b\n  version: '1'\n"), duplicate);
  EXPECT_EQ(findings(duplicate), (std::vector<std::string>{"3:3: mapping key \"name\" already defined at line 2"}));

  Diagnostics syntax;
  read_recipe(source("package:\n  name: a\n   version: [1\n"), syntax);
  ASSERT_EQ(syntax.error_count(), 1u);
  EXPECT_NE(syntax.items()[0].message.find("YAML syntax error"), std::string::npos);
  EXPECT_GT(syntax.items()[0].where.line, 0);
}

TEST(RecipeReader, AnchorsAndAliases) {
  Diagnostics diagnostics;
  Recipe recipe = read_recipe(source(R"(package:
  name: a
  version: "1"
environment:
  contents:
    packages: &base
      - busybox
test:
  environment:
    contents:
      packages: *base
pipeline:
  - &step
    name: first
    runs: echo
  - <<: *step
    name: second
)"),
                              diagnostics);
  EXPECT_TRUE(diagnostics.empty()) << diagnostics.str();
  ASSERT_EQ(recipe.test->environment.contents.packages.size(), 1u);
  EXPECT_EQ(recipe.test->environment.contents.packages[0].value, "busybox");
  ASSERT_EQ(recipe.pipeline.size(), 2u);
  EXPECT_EQ(recipe.pipeline[1].name.value, "second");  // the mapping's own key wins over the merged one
  EXPECT_EQ(recipe.pipeline[1].runs.value, "echo");
}

TEST(RecipeReader, PipelineFilesAcceptDescriptions) {
  Diagnostics diagnostics;
  Step step = read_pipeline_file(source(R"(name: x
description: documented
needs:
  packages: [a]
inputs:
  one:
    description: first
    default: 1
  two:
    required: true
pipeline:
  - description: a step
    runs: echo
  - unknown: 1
)",
                                        "x.yaml"),
                                 diagnostics);
  EXPECT_EQ(step.description.value, "documented");
  ASSERT_EQ(step.inputs.size(), 2u);
  EXPECT_EQ(step.inputs[0].default_value.value, "1");
  EXPECT_TRUE(step.inputs[1].required.value);
  EXPECT_EQ(step.pipeline[0].description.value, "a step");
  ASSERT_EQ(diagnostics.error_count(), 1u);
  EXPECT_NE(diagnostics.items()[0].message.find("unknown key \"unknown\""), std::string::npos);
}

}  // namespace
}  // namespace lupine::builder
