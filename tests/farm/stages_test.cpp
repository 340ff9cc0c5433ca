// The stages file of `lupine farm stages`: what it says, and what it refuses with the line.
#include "farm/stages.h"

#include "apk/dependency.h"
#include "builder/recipe/compile.h"
#include "builder/recipe/pipeline_library.h"
#include "common/diagnostics.h"
#include "common/error.h"
#include "common/fs.h"
#include "farm/plan.h"
#include "farm/recipe_load.h"
#include "index/index_archive.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

namespace lupine::farm {
namespace {

using ::testing::HasSubstr;

std::string refusal(const std::string& text) {
  try {
    parse_stages(text, "stages.yaml", "/base");
  } catch (const Error& error) {
    return error.what();
  }
  return "accepted";
}

TEST(StagesFile, NamesRecipesRelativeToTheFileAndTheBootstrapFlag) {
  auto stages = parse_stages("stages:\n"
                             "  - name: stage1\n    bootstrap: true\n    recipes: [toolchain/gmp.yaml, toolchain]\n"
                             "  - name: stage2\n    recipes:\n      - ./\n      - ../other/x.yaml\n",
                             "stages.yaml", "/base/recipes");
  ASSERT_EQ(stages.size(), 2u);
  EXPECT_EQ(stages[0].name, "stage1");
  EXPECT_TRUE(stages[0].bootstrap);
  EXPECT_EQ(stages[0].recipes, (std::vector<std::filesystem::path>{"/base/recipes/toolchain/gmp.yaml",
                                                                   "/base/recipes/toolchain"}));
  EXPECT_FALSE(stages[1].bootstrap);
  EXPECT_EQ(stages[1].recipes, (std::vector<std::filesystem::path>{"/base/recipes/", "/base/other/x.yaml"}));
  // The stages are the rounds: cycles built once unless a stage says fixpoint.
  EXPECT_TRUE(stages[0].cycles_once);
  EXPECT_TRUE(stages[1].cycles_once);
  auto fixpoint = parse_stages("stages:\n  - name: s\n    cycles: fixpoint\n    recipes: [x]\n", "stages.yaml", "/b");
  EXPECT_FALSE(fixpoint[0].cycles_once);
  EXPECT_FALSE(stages[1].on_demand);
  EXPECT_EQ(stages[1].compare, "");
  auto third = parse_stages("stages:\n  - name: s2\n    recipes: [x]\n"
                            "  - name: s3\n    on-demand: true\n    compare: s2\n    recipes: [x]\n",
                            "stages.yaml", "/b");
  EXPECT_TRUE(third[1].on_demand);
  EXPECT_EQ(third[1].compare, "s2");
}

TEST(StagesFile, WhatIsWrongIsNamedWithItsLine) {
  EXPECT_THAT(refusal("stage: []\n"), HasSubstr("stages.yaml: expected `stages:`"));
  EXPECT_THAT(refusal("stages:\n  - name: a\n    recipes: [x]\n    bootsrap: true\n"),
              HasSubstr("stages.yaml:4: unknown key \"bootsrap\" in a stage (known: name, recipes, bootstrap, cycles, on-demand, compare)"));
  EXPECT_THAT(refusal("stages:\n  - name: a\n    recipes: [x]\n    cycles: twice\n"),
              HasSubstr("stages.yaml:4: cycles: expected once or fixpoint, not \"twice\""));
  EXPECT_THAT(refusal("stages:\n  - name: a\n    recipes: [x]\n    compare: b\n  - name: b\n    recipes: [x]\n"),
              HasSubstr("stages.yaml:4: compare: b is not a stage before this one"));
  EXPECT_THAT(refusal("stages:\n  - name: a\n    recipes: [x]\n    on-demand: maybe\n"),
              HasSubstr("stages.yaml:4: on-demand: expected true or false"));
  EXPECT_THAT(refusal("stages:\n  - name: a\n    recipes: [x]\n  - name: a\n    recipes: [y]\n"),
              HasSubstr("stages.yaml:4: a second stage named a"));
  EXPECT_THAT(refusal("stages:\n  - recipes: [x]\n"), HasSubstr("stages.yaml:2: a stage needs a name"));
  EXPECT_THAT(refusal("stages:\n  - name: a\n    recipes: []\n"),
              HasSubstr("stages.yaml:3: recipes: expected a list of recipe files and directories"));
  EXPECT_THAT(refusal("stages:\n  - name: a\n    bootstrap: yes please\n    recipes: [x]\n"),
              HasSubstr("stages.yaml:3: bootstrap: expected true or false"));
  EXPECT_THAT(refusal("stages:\n  - name: a\n   recipes: [x\n"), HasSubstr("stages.yaml:"));
  EXPECT_THAT(refusal("extra: 1\nstages:\n  - name: a\n    recipes: [x]\n"),
              HasSubstr("stages.yaml:1: unknown key \"extra\" (known: stages)"));
}

std::filesystem::path bundled_bootstrap() {
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "melange-recipes" / "stages" /
         "bootstrap.yaml";
}

// The bundled bootstrap (melange-recipes/stages/bootstrap.yaml): stage 1 from the bootstrap, stage 2
// from the stages alone, stage 3 on demand compared with stage 2, every recipe it names there.
TEST(StagesFile, TheBundledBootstrapNamesRecipesThatExist) {
  auto stages = load_stages(bundled_bootstrap());
  ASSERT_EQ(stages.size(), 3u);
  EXPECT_TRUE(stages[0].bootstrap);
  EXPECT_FALSE(stages[1].bootstrap);
  EXPECT_FALSE(stages[1].on_demand);
  EXPECT_TRUE(stages[2].on_demand);
  EXPECT_EQ(stages[2].compare, "stage2");
  for (const auto& stage : stages)
    for (const auto& recipe : stage.recipes) EXPECT_TRUE(std::filesystem::exists(recipe)) << recipe;
}

// Stage 2 takes nothing from stage 0 only if every input of its recipes is one of its recipes:
// the tree is closed (what `farm stages` checks before building a stage without the bootstrap).
TEST(StagesFile, EveryInputOfTheBundledStageTwoIsARecipe) {
  auto stages = load_stages(bundled_bootstrap());
  ASSERT_EQ(stages.size(), 3u);
  PlanOptions options;
  options.recipe_paths = stages[1].recipes;
  FarmPlan plan = make_plan(options);
  EXPECT_EQ(plan.count(NodeState::error), 0u);
  EXPECT_GE(plan.graph.nodes.size(), 30u);
  std::vector<std::string> external;
  for (const auto& input : plan.external) external.push_back(input.name);
  EXPECT_THAT(external, ::testing::IsEmpty());
}

index::IndexRecord indexed(std::string name, std::vector<std::string> depends, std::vector<std::string> provides) {
  index::IndexRecord r;
  r.identity = "Q1" + std::string(27, 'A') + "=";
  r.name = std::move(name);
  r.version = "1-r0";
  r.arch = "x86_64";
  r.depends = std::move(depends);
  r.provides = std::move(provides);
  return r;
}

// After each stage: what its packages (and the earlier stages') need that none of them has.
TEST(StagesFile, UnmetRuntimeDependenciesOfTheStagesAreNamed) {
  TempDir dir("lupine-stages-unmet");
  auto repo = [&](const std::string& name, std::vector<index::IndexRecord> records) {
    std::filesystem::create_directories(dir.path() / name / "x86_64");
    write_file_atomic(dir.path() / name / "x86_64" / "APKINDEX.tar.gz", index::make_index_member(records, name, 0));
    return dir.path() / name;
  };
  auto one = repo("stage1", {indexed("glibc", {}, {"so:libc.so.6=6"}),
                             indexed("glibc-utils", {"cmd:bash", "so:libc.so.6", "!busybox-ldd"}, {}),
                             indexed("perl-doc", {"man-db"}, {})});
  auto two = repo("stage2", {indexed("bash", {"so:libc.so.6"}, {"cmd:bash=5.2.37-r0"})});
  EXPECT_THAT(unmet_runtime_dependencies({one}, "x86_64"),
              ::testing::ElementsAre("cmd:bash (needed by glibc-utils)", "man-db (needed by perl-doc)"));
  EXPECT_THAT(unmet_runtime_dependencies({one, two}, "x86_64"), ::testing::ElementsAre("man-db (needed by perl-doc)"));
}

// What the packages declare they need at run time must be in the tree too: a stage-2 root
// installs it (glibc-dev depends on libxcrypt-dev; stage 1 had it from stage 0). Names the scanner
// adds (so:, cmd:, pc:) are known only after a build.
TEST(StagesFile, EveryDeclaredRuntimeDependencyOfTheBundledTreeIsARecipe) {
  auto stages = load_stages(bundled_bootstrap());
  PlanOptions options;
  options.recipe_paths = stages[1].recipes;
  FarmPlan plan = make_plan(options);
  std::set<std::string> made;
  for (const auto& node : plan.graph.nodes) {
    made.insert(node.outputs.packages.begin(), node.outputs.packages.end());
    made.insert(node.outputs.provides.begin(), node.outputs.provides.end());
  }
  builder::PipelineLibrary library(builder::PipelineLibrary::search_path_with_builtin({}));
  std::vector<std::string> missing;
  for (const auto& recipe : find_recipes(stages[1].recipes)) {
    Diagnostics diagnostics;
    auto compiled = builder::compile_recipe_file(recipe.string(), library, options.compile, diagnostics);
    ASSERT_TRUE(compiled) << recipe;
    std::vector<const builder::CompiledPackage*> packages = {&compiled->package};
    for (const auto& sub : compiled->subpackages)
      if (sub.enabled) packages.push_back(&sub);
    for (const auto* package : packages)
      for (const auto& atom : package->dependencies.runtime) {
        apk::Dependency dependency = apk::parse_dependency(atom);
        if (dependency.conflict || dependency.name.find(':') != std::string::npos) continue;
        if (!made.count(dependency.name)) missing.push_back(package->name + " needs " + dependency.name);
      }
  }
  EXPECT_THAT(missing, ::testing::IsEmpty());
}

}  // namespace
}  // namespace lupine::farm
