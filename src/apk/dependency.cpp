#include "apk/dependency.h"

#include "common/error.h"

namespace lupine::apk {

namespace {

constexpr std::string_view operator_chars = "<>=~";
constexpr std::string_view list_separators = " \n";

// apk-tools' APK_CTYPE_DEPENDENCY_NAME (src/ctype.c): package-name characters plus : , / [ ]
bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("+._-:,/[]").find(c) != std::string_view::npos;
}

void check_chars(std::string_view text, std::string_view value, std::string_view what) {
  for (char c : value)
    if (!is_name_char(c)) fail("invalid dependency '{}': character '{}' is not allowed in a {}", text, c, what);
}

}  // namespace

Dependency parse_dependency(std::string_view text) {
  Dependency dependency;
  std::string_view rest = text;
  if (rest.starts_with('!')) {
    dependency.conflict = true;
    rest.remove_prefix(1);
  }

  // As apk_dep_parse: the name (with any @tag) runs up to the first operator character, the
  // operator is the run of operator characters after it, the version is everything else.
  size_t op_start = rest.find_first_of(operator_chars);
  std::string_view name_and_tag = rest.substr(0, op_start);
  if (op_start != std::string_view::npos) {
    std::string_view op_and_version = rest.substr(op_start);
    size_t op_end = op_and_version.find_first_not_of(operator_chars);
    if (op_end == std::string_view::npos)
      fail("invalid dependency '{}': expected a version after '{}'", text, op_and_version);
    dependency.op = *version_op_mask(op_and_version.substr(0, op_end));
    dependency.version = op_and_version.substr(op_end);
    // Masks containing both < and > (identities, and "any") carry no version to validate.
    dependency.broken = (dependency.op & CHECKSUM) != CHECKSUM && !version_valid(dependency.version);
  }

  size_t at = name_and_tag.find('@');
  dependency.name = name_and_tag.substr(0, at);
  if (dependency.name.empty()) fail("invalid dependency '{}': expected a package name", text);
  check_chars(text, dependency.name, "package name");
  if (at != std::string_view::npos) {
    dependency.tag = name_and_tag.substr(at + 1);
    if (dependency.tag.empty()) fail("invalid dependency '{}': expected a repository tag after '@'", text);
    check_chars(text, dependency.tag, "repository tag");
  }
  return dependency;
}

std::vector<Dependency> parse_dependency_list(std::string_view text) {
  std::vector<Dependency> dependencies;
  size_t position = 0;
  while ((position = text.find_first_not_of(list_separators, position)) != std::string_view::npos) {
    size_t end = text.find_first_of(list_separators, position);
    dependencies.push_back(parse_dependency(text.substr(position, end - position)));
    position = end;
  }
  return dependencies;
}

std::string Dependency::to_string() const {
  std::string text = conflict ? "!" : "";
  text += name;
  if (!tag.empty()) text += "@" + tag;
  if (op != ANY || !version.empty()) {
    // apk-tools spells ANY as nothing; "<>=" keeps an explicit any-version operator parseable.
    text += op == ANY ? "<>=" : version_op_string(op);
    text += version;
  }
  return text;
}

bool Dependency::matches(std::string_view package_name, std::string_view package_version,
                         std::string_view package_identity) const {
  if (package_name != name) return conflict;
  bool selected;
  if (is_identity()) {
    selected = package_identity == version;
  } else if (package_version.empty()) {
    selected = (op & ANY) != 0;  // apk-tools: a missing version compares as every result at once
  } else {
    selected = version_match(package_version, op, version);
  }
  return conflict ? !selected : selected;
}

std::string to_string(const std::vector<Dependency>& dependencies) {
  std::string text;
  for (const auto& dependency : dependencies) {
    if (!text.empty()) text += ' ';
    text += dependency.to_string();
  }
  return text;
}

}  // namespace lupine::apk
