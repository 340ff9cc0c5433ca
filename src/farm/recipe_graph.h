// The recipe graph of a build farm: each recipe is a node with its outputs (the package, its
// enabled subpackages and every name they declare in `provides:`) and its inputs (the build
// environment's packages, which include enabled pipelines' `needs`, and the packages of its test
// environments). An input produced by another recipe is an edge to that recipe; an input no recipe
// produces is external (satisfied from a repository, or missing).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lupine::farm {

enum class InputKind { build, test };

struct RecipeInput {
  std::string atom;  // as written: "foo>=1.2", "so:libc.so.6"
  std::string name;  // the name it asks for: "foo", "so:libc.so.6"
  InputKind kind = InputKind::build;
};

struct RecipeOutputs {
  std::vector<std::string> packages;  // the package, then its enabled subpackages
  std::vector<std::string> provides;  // names from `provides:` ("name=ver" provides "name")
  int64_t provider_priority = 0;      // the main package's provider-priority (breaks ties)
  // Each package's declared runtime dependencies (package.dependencies.runtime), as names: a
  // root that installs the package installs them too (runtime_edges.h).
  std::map<std::string, std::vector<std::string>> runtime;
};

// Whether a recipe can be built for the arch: `ok`, or why not.
enum class NodeState { ok, error, skipped };

struct RecipeNode {
  std::string path;     // the recipe file
  std::string name;     // package name (the file's stem when it could not be read)
  std::string version;  // full version "1.2-r3", "" when unknown
  RecipeOutputs outputs;
  std::vector<RecipeInput> inputs;  // the recipe's own outputs left out, one per (name, kind)
  NodeState state = NodeState::ok;
  std::string reason;  // compile errors, or why the arch is skipped
  // How many packages of the external repositories depend on one of its packages (the bootstrap
  // standing on it; bootstrap_edges.h). Orders the members of a cycle (build_order.h).
  size_t bootstrap_dependents = 0;
};

// `from` needs `input`, which recipe `to` produces.
struct Edge {
  size_t from = 0;
  size_t to = 0;
  std::string input;
  InputKind kind = InputKind::build;
  // Set when the input is not one the recipe names but one a repository's package it names
  // depends on (bootstrap_edges.h): that package's name ("build-base").
  std::string through;
};

// Several recipes produce one name: who, and which one the graph uses.
struct Ambiguity {
  std::string name;
  std::vector<size_t> providers;  // sorted by node index
  size_t chosen = 0;
};

struct RecipeGraph {
  std::vector<RecipeNode> nodes;                   // sorted by name, then path
  std::vector<Edge> edges;                         // sorted by from, to, input; one per (from, to, input)
  std::map<std::string, size_t> provider;          // every produced name -> the recipe that is used for it
  std::map<std::string, std::vector<size_t>> external;  // input names no recipe produces -> who needs them
  std::vector<Ambiguity> ambiguities;

  // Edge indices leaving each node (what it depends on), in `edges` order.
  std::vector<std::vector<size_t>> out_edges;
};

// Whether one of `node`'s packages (the package or an enabled subpackage) is called `name`.
bool makes_package(const RecipeNode& node, const std::string& name);

// The name a dependency atom asks for or provides ("so:libz.so.1=1.3" -> "so:libz.so.1"); "" for
// a conflict ("!x": not an input).
std::string dependency_name(const std::string& atom);

// Sorts `graph.edges` (by from, to, input) and rebuilds `graph.out_edges` from them.
void index_edges(RecipeGraph& graph);

// Links `nodes` into a graph. Provider choice for a name several recipes produce: a recipe one of
// whose packages has exactly that name, then the highest provider-priority, then the highest
// version (apk ordering), then the first by name; every such case is listed in `ambiguities`
// unless exactly one recipe has a package of that name (the others merely `provides:` it).
RecipeGraph link_recipes(std::vector<RecipeNode> nodes);

}  // namespace lupine::farm
