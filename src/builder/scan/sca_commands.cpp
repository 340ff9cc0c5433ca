// cmd: provides from executables, cmd: depends from "#!" lines (melange generateCmdProviders,
// generateShbangDeps).
#include "builder/scan/sca_internal.h"

#include <fcntl.h>
#include <unistd.h>

#include <map>
#include <sstream>

namespace lupine::builder::sca_detail {
namespace {

const std::vector<std::string> command_dirs{"bin", "sbin", "usr/bin", "usr/sbin"};
const std::vector<std::string> script_dir_prefixes{"usr/bin/", "usr/local/bin/", "usr/local/sbin/"};

// The first (up to) 80 bytes of a file: melange looks no further for the "#!" line.
std::string head_of(const std::filesystem::path& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  char buffer[80];
  ssize_t got = read(fd, buffer, sizeof buffer);
  close(fd);
  return got > 0 ? std::string(buffer, static_cast<size_t>(got)) : std::string();
}

struct Shebang {
  std::string interpreter;  // "" when the file has none worth a dependency
  std::string problem;      // why it could not be understood
};

Shebang parse_shebang(const std::string& head, const std::set<std::string>& ignored) {
  if (head.size() < 2 || head.compare(0, 2, "#!") != 0) return {};
  std::string line = head.substr(2, head.find('\n') == std::string::npos ? std::string::npos : head.find('\n') - 2);
  std::istringstream words(line);
  std::vector<std::string> tokens;
  for (std::string word; words >> word;) tokens.push_back(word);
  if (tokens.empty()) return {};
  std::string program = tokens[0];
  if (program == "/usr/bin/env") {
    if (tokens.size() == 1) return {"", "a shebang of only '/usr/bin/env'"};
    if (tokens.size() == 2) {
      program = tokens[1];
    } else if (tokens[1] == "-S" && tokens[2].front() != '-') {
      program = tokens[2];
    } else {
      return {"", "a shebang of '/usr/bin/env' with several arguments: " + line};
    }
  }
  std::string name(base_name(program));
  if (ignored.count(name)) return {};
  return {name, ""};
}

}  // namespace

void command_providers(const PackageTree& tree, const ScanOptions& options, Generated& out) {
  for (const auto& entry : tree.entries) {
    if (!entry.is_regular() || (entry.mode & 0555) != 0555) continue;
    if (!in_directory(entry.path, command_dirs)) continue;
    out.provides.push_back(versioned("cmd:" + std::string(base_name(entry.path)), options.package_version));
  }
}

void shebang_deps(const PackageTree& tree, const ScanOptions& options, Generated& out) {
  // Keyed by interpreter name: one dependency however many scripts use it.
  std::map<std::string, std::string> interpreters;
  for (const auto& entry : tree.entries) {
    if (entry.is_symlink() || entry.is_directory()) continue;
    bool in_script_dir = false;
    for (const auto& prefix : script_dir_prefixes) in_script_dir |= entry.path.rfind(prefix, 0) == 0;
    if (!in_script_dir) continue;
    Shebang shebang = parse_shebang(head_of(tree.root / entry.path), options.ignored_interpreters);
    if (!shebang.problem.empty()) out.warnings.push_back(entry.path + ": " + shebang.problem);
    if (!shebang.interpreter.empty()) interpreters.emplace(shebang.interpreter, entry.path);
  }
  for (const auto& [interpreter, path] : interpreters) out.runtime.push_back("cmd:" + interpreter);
}

}  // namespace lupine::builder::sca_detail
