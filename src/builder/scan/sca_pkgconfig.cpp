// pc: provides and depends from pkg-config files (melange generatePkgConfigDeps).
#include "builder/scan/sca_pkgconfig.h"

#include "builder/scan/sca_internal.h"
#include "common/error.h"
#include "common/fs.h"

#include <cctype>

namespace lupine::builder {
namespace {

std::string trim(std::string_view text) {
  size_t begin = 0, end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return std::string(text.substr(begin, end - begin));
}

// ${name} replaced by earlier variables; unknown ones are left as written.
std::string expand(std::string_view value, const std::map<std::string, std::string>& variables) {
  std::string result;
  size_t at = 0;
  while (at < value.size()) {
    size_t open = value.find("${", at);
    size_t close = open == std::string_view::npos ? open : value.find('}', open);
    if (close == std::string_view::npos) {
      result.append(value.substr(at));
      break;
    }
    result.append(value.substr(at, open - at));
    std::string name(value.substr(open + 2, close - open - 2));
    auto it = variables.find(name);
    result += it != variables.end() ? it->second : std::string(value.substr(open, close - open + 1));
    at = close + 1;
  }
  return result;
}

bool is_key_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }

bool is_operator_char(char c) { return c == '<' || c == '>' || c == '=' || c == '!'; }

}  // namespace

std::vector<std::string> pkgconfig_module_names(std::string_view value) {
  // Tokens: words and operators; a word right after an operator is a version, not a module.
  std::vector<std::string> names;
  bool expect_version = false;
  size_t at = 0;
  while (at < value.size()) {
    char c = value[at];
    if (std::isspace(static_cast<unsigned char>(c)) || c == ',') {
      ++at;
      continue;
    }
    size_t start = at;
    if (is_operator_char(c)) {
      while (at < value.size() && is_operator_char(value[at])) ++at;
      expect_version = true;
      continue;
    }
    while (at < value.size() && !std::isspace(static_cast<unsigned char>(value[at])) && value[at] != ',' &&
           !is_operator_char(value[at]))
      ++at;
    if (expect_version) {
      expect_version = false;
    } else {
      names.emplace_back(value.substr(start, at - start));
    }
  }
  return names;
}

PkgConfigFile parse_pkgconfig(std::string_view text) {
  PkgConfigFile file;
  size_t line_start = 0;
  int line_number = 0;
  while (line_start < text.size()) {
    size_t line_end = text.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = text.size();
    std::string_view line = text.substr(line_start, line_end - line_start);
    line_start = line_end + 1;
    ++line_number;
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    std::string trimmed = trim(line);
    if (trimmed.empty()) continue;

    size_t key_end = 0;
    while (key_end < trimmed.size() && is_key_char(trimmed[key_end])) ++key_end;
    size_t separator = key_end;
    while (separator < trimmed.size() && (trimmed[separator] == ' ' || trimmed[separator] == '\t')) ++separator;
    if (key_end == 0 || separator == trimmed.size() || (trimmed[separator] != '=' && trimmed[separator] != ':'))
      fail("line {}: neither `name=value` nor `Field: value`: {}", line_number, trimmed);
    std::string key = trimmed.substr(0, key_end);
    std::string value = expand(trim(std::string_view(trimmed).substr(separator + 1)), file.variables);
    if (trimmed[separator] == '=') {
      file.variables[key] = value;
      continue;
    }
    file.fields[key] = value;
    // Field names are case-insensitive in pkg-config.
    std::string upper;
    for (char c : key) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (upper == "REQUIRES") file.requires_public = pkgconfig_module_names(value);
    if (upper == "REQUIRES.PRIVATE") file.requires_private = pkgconfig_module_names(value);
    if (upper == "REQUIRES.INTERNAL") file.requires_internal = pkgconfig_module_names(value);
  }
  return file;
}

namespace sca_detail {

void pkgconfig_deps(const PackageTree& tree, const ScanOptions& options, Generated& out) {
  static const std::vector<std::string> pkgconfig_dirs{"usr/local/lib/pkgconfig", "usr/local/share/pkgconfig",
                                                       "usr/lib/pkgconfig", "usr/lib64/pkgconfig",
                                                       "usr/share/pkgconfig"};
  for (const auto& entry : tree.entries) {
    std::string_view name = base_name(entry.path);
    // Symlinked .pc files (ncurses aliases) are skipped, as melange does.
    if (!entry.is_regular() || name.size() <= 3 || name.substr(name.size() - 3) != ".pc") continue;
    std::string module(name.substr(0, name.size() - 3));
    PkgConfigFile file;
    try {
      file = parse_pkgconfig(read_file(tree.root / entry.path));
    } catch (const Error& error) {
      out.warnings.push_back(entry.path + ": not a pkg-config file: " + error.what());
      continue;
    }
    if (!in_directory(entry.path, pkgconfig_dirs) && !in_directory(entry.path, options.extra_pkgconfig_dirs)) {
      out.vendored.push_back(versioned("pc:" + module, options.package_version));
      continue;
    }
    out.provides.push_back(versioned("pc:" + module, options.package_version));
    for (const auto* list : {&file.requires_public, &file.requires_private, &file.requires_internal})
      for (const auto& required : *list) out.runtime.push_back("pc:" + required);
  }
}

}  // namespace sca_detail
}  // namespace lupine::builder
