#include "builder/recipe/substitution.h"

#include "common/diagnostics.h"

#include <fmt/format.h>

namespace lupine::builder {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
         c == '_';
}

// One reference parsed at `start` (the `${{`). `end` is where scanning resumes: past the `}}` when
// well formed, otherwise where melange's scanner stops (past the name and whitespace).
struct Reference {
  std::string_view name;
  size_t end = 0;
  bool well_formed = false;
  bool empty_name = false;
};

Reference parse_reference(std::string_view text, size_t start) {
  Reference ref;
  size_t i = start + 3;
  while (i < text.size() && is_space(text[i])) ++i;
  size_t name_start = i;
  while (i < text.size() && is_name_char(text[i])) ++i;
  ref.name = text.substr(name_start, i - name_start);
  if (ref.name.empty()) {
    ref.empty_name = true;
    ref.end = i;
    return ref;
  }
  while (i < text.size() && is_space(text[i])) ++i;
  if (i + 2 > text.size() || text.compare(i, 2, "}}") != 0) {
    ref.end = i;
    return ref;
  }
  ref.end = i + 2;
  ref.well_formed = true;
  return ref;
}

// Copies `text`, handing each "${{" (parsed at `start`) to `resolve(out, ref, start)`, which
// appends what the reference stands for and returns where scanning continues.
template <typename Resolve>
std::string scan_references(std::string_view text, Resolve resolve) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t start = text.find("${{", i);
    if (start == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, start - i));
    i = resolve(out, parse_reference(text, start), start);
  }
  return out;
}

template <typename Emit>
std::string substitute_with(std::string_view text, const VariableLookup& lookup, std::vector<SubstitutionError>& errors,
                            Emit emit) {
  return scan_references(text, [&](std::string& out, const Reference& ref, size_t start) {
    if (ref.empty_name) {
      errors.push_back({fmt::format("empty variable name in \"${{{{\" at position {}", start), "", start});
    } else if (!ref.well_formed) {
      errors.push_back({fmt::format("unterminated variable reference \"{}\" (missing \"}}}}\")", ref.name),
                        std::string(ref.name), start});
    } else if (const std::string* value = lookup(ref.name)) {
      emit(out, *value);
    } else {
      errors.push_back({fmt::format("variable {} is not defined", ref.name), std::string(ref.name), start, true});
    }
    return ref.end;
  });
}

void append_hex_escape(std::string& out, char prefix, uint32_t value, int digits) {
  out += '\\';
  out += prefix;
  out += fmt::format("{:0{}x}", value, digits);
}

// Decodes one UTF-8 sequence at text[i]; returns the code point and its length, or length 0 when
// the bytes are not valid UTF-8 (Go's utf8.RuneError with width 1).
std::pair<uint32_t, size_t> decode_utf8(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return {c, 1};
  size_t length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
  if (length == 0 || c > 0xF4 || i + length > text.size()) return {0, 0};
  uint32_t cp = c & (0x7F >> length);
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return {0, 0};
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr uint32_t minimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < minimum[length] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {0, 0};
  return {cp, length};
}

}  // namespace

std::string substitute(std::string_view text, const VariableLookup& lookup, std::vector<SubstitutionError>& errors) {
  if (!has_variable_reference(text)) return std::string(text);
  return substitute_with(text, lookup, errors, [](std::string& out, const std::string& value) { out += value; });
}

std::string substitute_quoted(std::string_view text, const VariableLookup& lookup,
                              std::vector<SubstitutionError>& errors) {
  if (!has_variable_reference(text)) return std::string(text);
  return substitute_with(text, lookup, errors,
                         [](std::string& out, const std::string& value) { out += go_quote(value); });
}

std::string substitute_lenient(std::string_view text, const VariableLookup& lookup) {
  if (!has_variable_reference(text)) return std::string(text);
  return scan_references(text, [&](std::string& out, const Reference& ref, size_t start) {
    const std::string* value = ref.well_formed ? lookup(ref.name) : nullptr;
    if (value) {
      out += *value;
      return ref.end;
    }
    // Keep "${{" and rescan after it, so a well-formed reference following a broken one still counts.
    out.append("${{");
    return start + 3;
  });
}

std::vector<std::string> variable_references(std::string_view text) {
  std::vector<std::string> names;
  size_t i = 0;
  while ((i = text.find("${{", i)) != std::string_view::npos) {
    Reference ref = parse_reference(text, i);
    if (ref.well_formed) names.emplace_back(ref.name);
    i = ref.well_formed ? ref.end : i + 3;
  }
  return names;
}

std::string go_quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  size_t i = 0;
  while (i < text.size()) {
    auto [cp, length] = decode_utf8(text, i);
    if (length == 0) {
      append_hex_escape(out, 'x', static_cast<unsigned char>(text[i]), 2);
      ++i;
      continue;
    }
    if (cp == '"' || cp == '\\') {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (cp >= 0x20 && cp < 0x7F) {
      out += static_cast<char>(cp);
    } else if (cp < 0x80 || (cp >= 0x80 && cp < 0xA0) || cp == 0xAD) {
      switch (cp) {
        case '\a': out += "\\a"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\v': out += "\\v"; break;
        default:
          if (cp < 0x80) append_hex_escape(out, 'x', cp, 2);
          else append_hex_escape(out, 'u', cp, 4);
      }
    } else {
      // Printable beyond ASCII (Go's unicode.IsPrint; the rare unassigned or format code points
      // Go would escape are kept as they are).
      out.append(text.substr(i, length));
    }
    i += length;
  }
  out += '"';
  return out;
}

std::string describe(const SubstitutionError& error, const VariableScope& scope) {
  if (!error.undefined) return error.message;
  std::map<std::string, std::string> visible = scope.flatten();
  std::vector<std::string_view> names;
  names.reserve(visible.size());
  for (const auto& entry : visible) names.push_back(entry.first);
  std::string nearest = closest_match(error.name, names);
  return nearest.empty() ? error.message : fmt::format("{}; did you mean {}?", error.message, nearest);
}

const std::string* VariableScope::find(std::string_view name) const {
  for (const VariableScope* scope = this; scope; scope = scope->parent_) {
    auto found = scope->own_.find(name);
    if (found != scope->own_.end()) return &found->second;
  }
  return nullptr;
}

std::map<std::string, std::string> VariableScope::flatten() const {
  std::map<std::string, std::string> out;
  if (parent_) out = parent_->flatten();
  for (const auto& [name, value] : own_) out[name] = value;
  return out;
}

}  // namespace lupine::builder
