#include "cli/command.h"

#include <unistd.h>

#include <algorithm>
#include <vector>

namespace lupine::cli {

namespace {
std::vector<std::pair<int, CommandSetup>>& registry() {
  static std::vector<std::pair<int, CommandSetup>> commands;
  return commands;
}
}  // namespace

bool register_command(int order, CommandSetup setup) {
  registry().emplace_back(order, std::move(setup));
  return true;
}

void setup_all_commands(CLI::App& app) {
  auto& commands = registry();
  std::stable_sort(commands.begin(), commands.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [order, setup] : commands) setup(app);
}

bool stderr_is_terminal() { return ::isatty(2) == 1; }

}  // namespace lupine::cli
