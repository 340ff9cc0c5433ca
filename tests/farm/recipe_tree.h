// Small recipe trees written to a temporary directory, planned for x86_64.
#pragma once

#include "common/fs.h"
#include "farm/plan.h"

#include <string>
#include <vector>

namespace lupine::farm::testing {

// A recipe to write: RecipeSpec("a").build({"b"}).subpackage("a-dev", {"so:liba.so.1"}).
struct RecipeSpec {
  explicit RecipeSpec(std::string name) : name_(std::move(name)) {}
  // environment.contents.packages
  RecipeSpec& build(std::vector<std::string> packages) { return set(build_, std::move(packages)); }
  // the main package's provides
  RecipeSpec& provides(std::vector<std::string> names) { return set(provides_, std::move(names)); }
  RecipeSpec& subpackage(std::string name, std::vector<std::string> provides) {
    subpackages_.emplace_back(std::move(name), std::move(provides));
    return *this;
  }
  // test.environment.contents.packages
  RecipeSpec& test(std::vector<std::string> packages) { return set(test_, std::move(packages)); }
  // pipeline steps `uses:` (from the tree's pipelines/)
  RecipeSpec& uses(std::vector<std::string> pipelines) { return set(uses_, std::move(pipelines)); }
  // YAML appended under `package:` (e.g. target-architecture)
  RecipeSpec& extra(std::string yaml) {
    extra_ = std::move(yaml);
    return *this;
  }

  std::string name_;
  std::vector<std::string> build_, provides_, test_, uses_;
  std::vector<std::pair<std::string, std::vector<std::string>>> subpackages_;
  std::string extra_;

 private:
  RecipeSpec& set(std::vector<std::string>& field, std::vector<std::string> value) {
    field = std::move(value);
    return *this;
  }
};

class RecipeTree {
 public:
  RecipeTree() = default;
  // Writes recipes/<name>.yaml.
  void add(const RecipeSpec& spec);
  // Writes pipelines/<name>.yaml needing `needs`.
  void add_pipeline(const std::string& name, const std::vector<std::string>& needs);
  // Writes recipes/<name>.yaml verbatim.
  void add_raw(const std::string& name, const std::string& yaml);

  std::filesystem::path recipes() const { return dir_.path() / "recipes"; }
  FarmPlan plan(const index::RepositorySet* repositories = nullptr) const;

 private:
  TempDir dir_{"lupine-farm-test"};
};

// The names at each level.
std::vector<std::vector<std::string>> level_names(const FarmPlan& plan);
// The index of the node called `name` (fails the test when absent).
size_t node_index(const FarmPlan& plan, const std::string& name);

}  // namespace lupine::farm::testing
