#include "cli/command.h"

#include <unistd.h>

#include <algorithm>
#include <vector>

namespace lupine::cli {

namespace {
struct Registered {
  int order;
  CommandSetup setup;
  std::string_view name;  // empty: unnamed
};

std::vector<Registered>& registry() {
  static std::vector<Registered> commands;
  return commands;
}
}  // namespace

bool register_command(int order, CommandSetup setup, std::string_view name) {
  registry().push_back({order, std::move(setup), name});
  return true;
}

namespace {
std::vector<Registered>& sorted_registry() {
  auto& commands = registry();
  std::stable_sort(commands.begin(), commands.end(), [](const auto& a, const auto& b) { return a.order < b.order; });
  return commands;
}

// apk, melange and apko take one value per option occurrence, repeated for more (`-X A -X B`); a
// CLI11 option of a vector would otherwise take every word after it, positionals included
// (`install --repository R busybox` read `busybox` as a second repository).
void one_value_per_option(CLI::App& app) {
  for (CLI::Option* option : app.get_options([](CLI::Option*) { return true; }))
    if (option->nonpositional() && option->get_items_expected_max() > 1) option->allow_extra_args(false);
  for (CLI::App* command : app.get_subcommands([](CLI::App*) { return true; })) one_value_per_option(*command);
}
}  // namespace

void setup_all_commands(CLI::App& app) {
  for (auto& command : sorted_registry()) command.setup(app);
  one_value_per_option(app);
}

void setup_commands(CLI::App& app, int argc, const char* const* argv) {
  auto& commands = sorted_registry();
  const std::string_view wanted = argc >= 2 ? argv[1] : "";
  auto named = std::find_if(commands.begin(), commands.end(),
                            [wanted](const auto& c) { return !c.name.empty() && c.name == wanted; });
  if (named == commands.end()) return setup_all_commands(app);
  named->setup(app);
  // A setup that did not add the subcommand its name says gets the others too: parsing then still
  // sees every command.
  auto added = app.get_subcommands([&](CLI::App* sub) { return sub->get_name() == named->name; });
  if (added.empty())
    for (auto it = commands.begin(); it != commands.end(); ++it)
      if (it != named) it->setup(app);
  one_value_per_option(app);
}

bool stderr_is_terminal() { return ::isatty(2) == 1; }

}  // namespace lupine::cli
