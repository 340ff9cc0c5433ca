// Internal to the recipe reader: typed reads of YAML nodes into the model with yaml.v3's rules as
// melange applies them (KnownFields: an unknown key is an error; any scalar decodes into a string
// as its raw text; null leaves the zero value), reporting every problem and carrying on.
#pragma once

#include "builder/recipe/recipe.h"
#include "common/yaml.h"

#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace lupine::builder::detail {

struct Field {
  std::string_view key;
  std::function<void(const YamlNode&)> read;
};

class FieldReader {
 public:
  explicit FieldReader(Diagnostics& diagnostics) : diagnostics_(diagnostics) {}

  Diagnostics& diagnostics() { return diagnostics_; }

  // Reads each key of the mapping `node` with the field of that name; an unknown key is an error
  // naming `what`, suggesting the nearest known key. Null reads as an empty mapping. Returns false
  // (after reporting) when `node` is neither a mapping nor null.
  bool mapping(const YamlNode& node, std::string_view what, std::span<const Field> fields);
  bool mapping(const YamlNode& node, std::string_view what, std::initializer_list<Field> fields) {
    return mapping(node, what, std::span<const Field>(fields.begin(), fields.size()));
  }

  void text(const YamlNode& node, Text& out);
  void texts(const YamlNode& node, std::vector<Text>& out);
  void text_map(const YamlNode& node, TextMap& out);
  void flag(const YamlNode& node, Flag& out);
  void number(const YamlNode& node, Located<uint64_t>& out);
  void number(const YamlNode& node, Located<uint32_t>& out);
  void number(const YamlNode& node, Located<int64_t>& out);

  // A sequence of items read by `read_item` (null is an empty sequence).
  template <typename T, typename ReadItem>
  void list(const YamlNode& node, std::vector<T>& out, ReadItem read_item) {
    if (node.is_null()) return;
    if (!expect_sequence(node)) return;
    out.reserve(node.items.size());
    for (const YamlNode& item : node.items) {
      out.emplace_back();
      read_item(item, out.back());
    }
  }

  bool expect_sequence(const YamlNode& node);

 private:
  bool expect_scalar(const YamlNode& node, const char* expected);
  std::optional<uint64_t> parse_unsigned(const YamlNode& node, uint64_t max);

  Diagnostics& diagnostics_;
};

// Readers shared by the recipe and pipeline-file readers (recipe_reader*.cpp).
void read_step(FieldReader& reader, const YamlNode& node, Step& out, bool pipeline_file);
void read_steps(FieldReader& reader, const YamlNode& node, std::vector<Step>& out, bool pipeline_file);
void read_image_configuration(FieldReader& reader, const YamlNode& node, ImageConfiguration& out,
                              std::string_view what);
void read_update(FieldReader& reader, const YamlNode& node, Update& out);

}  // namespace lupine::builder::detail
