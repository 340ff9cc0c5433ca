#include "cli/command.h"

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <optional>
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
}  // namespace

// The wrappers handed out during a setup; CLI11 owns the apps and options themselves.
struct Command::Wrappers {
  std::deque<Command> commands;
  std::deque<Option> options;
};

Command::Command(CLI::App& root) : app_(&root), owned_(std::make_shared<Wrappers>()) { wrappers_ = owned_.get(); }

Option* Option::required() {
  option_->required();
  return this;
}

Option* Option::check(const Check& check) {
  switch (check.kind) {
    case Check::Kind::existing_file:
      option_->check(CLI::ExistingFile);
      break;
    case Check::Kind::existing_directory:
      option_->check(CLI::ExistingDirectory);
      break;
    case Check::Kind::one_of:
      option_->check(CLI::IsMember(check.values));
      break;
  }
  return this;
}

Option* Option::capture_default_str() {
  option_->capture_default_str();
  return this;
}

Option* Option::group(const std::string& name) {
  option_->group(name);
  return this;
}

Option* Option::excludes(Option* other) {
  option_->excludes(other->option_);
  return this;
}

Command* Command::add_subcommand(const std::string& name, const std::string& description) {
  return &wrappers_->commands.emplace_back(app_->add_subcommand(name, description), wrappers_);
}

Command* Command::get_subcommand(const std::string& name) {
  return &wrappers_->commands.emplace_back(app_->get_subcommand(name), wrappers_);
}

template <typename T>
Option* Command::add_option(const std::string& names, T& value, const std::string& description) {
  CLI::Option* option = app_->add_option(names, value, description);
  // apk, melange and apko take one value per option occurrence, repeated for more (`-X A -X B`);
  // CLI11's option of a vector would otherwise take every word after it, positionals included
  // (`install --repository R busybox` read busybox as a second repository).
  if (option->nonpositional() && option->get_items_expected_max() > 1) option->allow_extra_args(false);
  return &wrappers_->options.emplace_back(option);
}

template Option* Command::add_option(const std::string&, std::string&, const std::string&);
template Option* Command::add_option(const std::string&, std::vector<std::string>&, const std::string&);
template Option* Command::add_option(const std::string&, int&, const std::string&);
template Option* Command::add_option(const std::string&, unsigned&, const std::string&);
template Option* Command::add_option(const std::string&, long&, const std::string&);
template Option* Command::add_option(const std::string&, unsigned long&, const std::string&);
template Option* Command::add_option(const std::string&, double&, const std::string&);
template Option* Command::add_option(const std::string&, std::optional<long>&, const std::string&);

Option* Command::add_flag(const std::string& names, bool& value, const std::string& description) {
  return &wrappers_->options.emplace_back(app_->add_flag(names, value, description));
}

Command* Command::callback(std::function<void()> run) {
  app_->callback(std::move(run));
  return this;
}

Command* Command::require_subcommand(int count) {
  app_->require_subcommand(count);
  return this;
}

Command* Command::group(const std::string& name) {
  app_->group(name);
  return this;
}

void setup_all_commands(CLI::App& app) {
  Command root(app);
  for (auto& command : sorted_registry()) command.setup(root);
}

void setup_commands(CLI::App& app, int argc, const char* const* argv) {
  auto& commands = sorted_registry();
  const std::string_view wanted = argc >= 2 ? argv[1] : "";
  auto named = std::find_if(commands.begin(), commands.end(),
                            [wanted](const auto& c) { return !c.name.empty() && c.name == wanted; });
  if (named == commands.end()) return setup_all_commands(app);
  Command root(app);
  named->setup(root);
  // A setup that did not add the subcommand its name says gets the others too: parsing then still
  // sees every command.
  auto added = app.get_subcommands([&](CLI::App* sub) { return sub->get_name() == named->name; });
  if (!added.empty()) return;
  for (auto it = commands.begin(); it != commands.end(); ++it)
    if (it != named) it->setup(root);
}

bool stderr_is_terminal() { return ::isatty(2) == 1; }

}  // namespace lupine::cli
