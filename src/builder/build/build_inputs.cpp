#include "builder/build/build_inputs.h"

#include "common/error.h"
#include "common/fs.h"
#include "common/words.h"

#include <yaml-cpp/yaml.h>

namespace lupine::builder {
namespace {

bool valid_name(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name)
    if (!(c == '_' || c == '.' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  return true;
}

std::string unquote_double(std::string_view body) {
  std::string out;
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\' || i + 1 == body.size()) {
      out += body[i];
      continue;
    }
    char next = body[++i];
    out += next == 'n' ? '\n' : next == 't' ? '\t' : next == 'r' ? '\r' : next;
  }
  return out;
}

}  // namespace

std::map<std::string, std::string> parse_env_file(std::string_view text, const std::string& origin) {
  std::map<std::string, std::string> out;
  size_t start = 0, number = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = trim_line(text.substr(start, end - start));
    start = end + 1;
    ++number;
    if (line.empty() || line.front() == '#') continue;
    if (line.rfind("export ", 0) == 0) line = trim_line(line.substr(7));
    size_t equals = line.find('=');
    if (equals == std::string_view::npos) fail("{}:{}: expected KEY=VALUE", origin, number);
    std::string_view name = trim_line(line.substr(0, equals));
    if (!valid_name(name)) fail("{}:{}: '{}' is not a variable name", origin, number, name);
    std::string_view value = trim_line(line.substr(equals + 1));
    std::string result;
    if (!value.empty() && (value.front() == '\'' || value.front() == '"')) {
      size_t close = value.rfind(value.front());
      if (close == 0) fail("{}:{}: unterminated quote", origin, number);
      std::string_view body = value.substr(1, close - 1);
      result = value.front() == '"' ? unquote_double(body) : std::string(body);
    } else {
      size_t comment = value.find(" #");
      result = std::string(trim_line(value.substr(0, comment)));
    }
    out[std::string(name)] = result;
  }
  return out;
}

std::map<std::string, std::string> read_env_file(const std::filesystem::path& path) {
  return parse_env_file(read_file(path), path.string());
}

std::map<std::string, std::string> read_vars_file(const std::filesystem::path& path) {
  std::string text = read_file(path);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    fail("{}: {}", path.string(), e.what());
  }
  std::map<std::string, std::string> out;
  if (root.IsNull()) return out;
  if (!root.IsMap()) fail("{}: expected a mapping of variable names to values", path.string());
  for (const auto& entry : root) {
    if (!entry.second.IsScalar() && !entry.second.IsNull())
      fail("{}: vars.{}: expected a scalar value", path.string(), entry.first.as<std::string>());
    out[entry.first.as<std::string>()] = entry.second.IsNull() ? "" : entry.second.as<std::string>();
  }
  return out;
}

}  // namespace lupine::builder
