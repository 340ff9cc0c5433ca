#include "builder/recipe/recipe_fields.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <optional>
#include <string>

namespace lupine::builder::detail {

namespace {

std::string unknown_key_message(std::string_view key, std::string_view what, std::span<const Field> fields) {
  std::vector<std::string_view> names;
  std::string known;
  for (const Field& field : fields) {
    names.push_back(field.key);
    if (!known.empty()) known += ", ";
    known += field.key;
  }
  if (std::string nearest = closest_match(key, names); !nearest.empty())
    return fmt::format("unknown key \"{}\" in {}; did you mean \"{}\"?", key, what, nearest);
  return fmt::format("unknown key \"{}\" in {} (known keys: {})", key, what, known);
}

// YAML 1.1 booleans as yaml.v3 accepts them when decoding into a Go bool.
std::optional<bool> parse_bool(std::string_view text) {
  static constexpr std::string_view truths[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "y", "Y", "on", "On", "ON"};
  static constexpr std::string_view falsehoods[] = {"false", "False", "FALSE", "no", "No", "NO", "n", "N", "off", "Off", "OFF"};
  for (auto t : truths)
    if (text == t) return true;
  for (auto f : falsehoods)
    if (text == f) return false;
  return std::nullopt;
}

}  // namespace

bool FieldReader::mapping(const YamlNode& node, std::string_view what, std::span<const Field> fields) {
  if (node.is_null()) return true;
  if (!node.is_mapping()) {
    diagnostics_.error(node.where, fmt::format("{} must be a mapping, found {}", what, node.kind_name()));
    return false;
  }
  for (size_t i = 0; i < node.mapping_size(); ++i) {
    const YamlNode& key = node.key(i);
    if (!key.is_scalar()) {
      diagnostics_.error(key.where, fmt::format("keys in {} must be scalars, found {}", what, key.kind_name()));
      continue;
    }
    const Field* match = nullptr;
    for (const Field& field : fields) {
      if (field.key == key.value) {
        match = &field;
        break;
      }
    }
    if (!match) {
      diagnostics_.error(key.where, unknown_key_message(key.value, what, fields));
      continue;
    }
    match->read(node.val(i));
  }
  return true;
}

bool FieldReader::expect_scalar(const YamlNode& node, const char* expected) {
  if (node.is_scalar() || node.is_null()) return true;
  diagnostics_.error(node.where, fmt::format("expected {}, found {}", expected, node.kind_name()));
  return false;
}

bool FieldReader::expect_sequence(const YamlNode& node) {
  if (node.is_sequence()) return true;
  diagnostics_.error(node.where, fmt::format("expected a sequence, found {}", node.kind_name()));
  return false;
}

void FieldReader::text(const YamlNode& node, Text& out) {
  out.where = node.where;
  out.set = true;
  if (!expect_scalar(node, "a string")) return;
  out.value = node.value;
}

void FieldReader::texts(const YamlNode& node, std::vector<Text>& out) {
  list(node, out, [this](const YamlNode& item, Text& text_out) { text(item, text_out); });
}

void FieldReader::text_map(const YamlNode& node, TextMap& out) {
  out.where = node.where;
  out.set = true;
  if (node.is_null()) return;
  if (!node.is_mapping()) {
    diagnostics_.error(node.where, fmt::format("expected a mapping of strings, found {}", node.kind_name()));
    return;
  }
  out.entries.reserve(out.entries.size() + node.mapping_size());
  for (size_t i = 0; i < node.mapping_size(); ++i) {
    Text key, value;
    text(node.key(i), key);
    text(node.val(i), value);
    out.entries.emplace_back(std::move(key), std::move(value));
  }
}

void FieldReader::flag(const YamlNode& node, Flag& out) {
  out.where = node.where;
  out.set = true;
  if (node.is_null()) return;
  if (!expect_scalar(node, "a boolean")) return;
  auto parsed = node.plain ? parse_bool(node.value) : std::nullopt;
  if (!parsed) {
    diagnostics_.error(node.where, fmt::format("expected a boolean (true or false), found \"{}\"", node.value));
    return;
  }
  out.value = *parsed;
}

std::optional<uint64_t> FieldReader::parse_unsigned(const YamlNode& node, uint64_t max) {
  if (node.is_null()) return 0;
  if (!expect_scalar(node, "an integer")) return std::nullopt;
  std::string_view text = node.value;
  int base = 10;
  // Go's strconv.ParseInt(s, 0, 64), which yaml.v3 uses: 0x, 0o, 0b prefixes and a leading 0 for octal.
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'o' || text[1] == 'b')) {
    base = text[1] == 'x' ? 16 : text[1] == 'o' ? 8 : 2;
    text.remove_prefix(2);
  } else if (text.size() > 1 && text[0] == '0') {
    base = 8;
    text.remove_prefix(1);
  }
  if (text.size() > 1 && text[0] == '+') text.remove_prefix(1);
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  // A quoted "6" is a string to yaml.v3 and does not decode into an integer field.
  if (!node.plain || ec != std::errc() || end != text.data() + text.size() || value > max) {
    diagnostics_.error(node.where, fmt::format("expected a non-negative integer, found \"{}\"", node.value));
    return std::nullopt;
  }
  return value;
}

void FieldReader::number(const YamlNode& node, Located<uint64_t>& out) {
  out.where = node.where;
  out.set = true;
  if (auto value = parse_unsigned(node, std::numeric_limits<uint64_t>::max())) out.value = *value;
}

void FieldReader::number(const YamlNode& node, Located<uint32_t>& out) {
  out.where = node.where;
  out.set = true;
  if (auto value = parse_unsigned(node, std::numeric_limits<uint32_t>::max())) out.value = static_cast<uint32_t>(*value);
}

void FieldReader::number(const YamlNode& node, Located<int64_t>& out) {
  out.where = node.where;
  out.set = true;
  if (node.is_scalar() && node.plain && !node.value.empty() && node.value[0] == '-') {
    YamlNode positive = node;
    positive.value.erase(0, 1);
    if (auto value = parse_unsigned(positive, static_cast<uint64_t>(std::numeric_limits<int64_t>::max())))
      out.value = -static_cast<int64_t>(*value);
    return;
  }
  if (auto value = parse_unsigned(node, static_cast<uint64_t>(std::numeric_limits<int64_t>::max())))
    out.value = static_cast<int64_t>(*value);
}

}  // namespace lupine::builder::detail
