// A small YAML document tree for recipes and pipeline files, built from yaml-cpp's parser events.
// Scalars keep their text exactly as yaml-cpp returns it (after unquoting and block folding), never
// converted to numbers: `version: 5.0` stays "5.0", as melange's yaml.v3 decoding into Go strings does.
// Every node has its 1-based line/column. Built directly from events rather than by walking
// YAML::Node, which costs about as much again as the parse itself over Wolfi's 1,700 recipes.
#pragma once

#include "common/diagnostics.h"

#include <memory>
#include <string>
#include <vector>

namespace lupine {

struct YamlNode {
  enum class Kind { null, scalar, sequence, mapping };
  Kind kind = Kind::null;
  Location where;
  std::string value;     // scalar text ("" for null)
  bool plain = false;    // an untagged plain scalar (not quoted, not a block scalar)
  std::vector<YamlNode> items;  // sequence items; for a mapping: key, value, key, value, ...

  bool is_null() const { return kind == Kind::null; }
  bool is_scalar() const { return kind == Kind::scalar; }
  bool is_sequence() const { return kind == Kind::sequence; }
  bool is_mapping() const { return kind == Kind::mapping; }
  size_t mapping_size() const { return items.size() / 2; }
  const YamlNode& key(size_t i) const { return items[2 * i]; }
  const YamlNode& val(size_t i) const { return items[2 * i + 1]; }
  // The value for a scalar key, or nullptr.
  const YamlNode* find(std::string_view key) const;
  // "a mapping", "a sequence", "a scalar", "null": for "expected X, found Y" messages.
  const char* kind_name() const;
};

// Parses the first document of `file`. A syntax error is reported (with yaml-cpp's position) and a
// null root returned. Anchors and aliases are supported (an alias is a copy of its anchor's node), and
// merge keys (`<<: *base`) as yaml.v3 applies them.
YamlNode parse_yaml(const std::shared_ptr<const SourceFile>& file, Diagnostics& diagnostics);

// Reads `path` into a SourceFile; throws lupine::Error when it cannot be read.
std::shared_ptr<const SourceFile> read_source_file(const std::string& path);

}  // namespace lupine
