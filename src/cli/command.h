// Subcommand registry: each src/cli/<name>.cpp registers itself with LUPINE_COMMAND and adds its
// options and callback to the command line. Callbacks report failures by throwing lupine::Error
// (printed to stderr, exit 1) or lupine::cli::Exit for a specific exit code.
//
// The command line is CLI11's, behind the small Command/Option interface below, with CLI11's names:
// CLI11 is header-only and every file that set up a CLI::App compiled all of its inline code again
// (8-13 s a file, a quarter of a cold build). Only command.cpp and main.cpp include it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace lupine::cli {

struct Exit {
  int code;
};

// A check of an option's value, with CLI11's messages.
struct Check {
  enum class Kind { existing_file, existing_directory, one_of };
  Kind kind;
  std::vector<std::string> values;  // one_of: the values accepted
};
inline const Check kExistingFile{Check::Kind::existing_file, {}};
inline const Check kExistingDirectory{Check::Kind::existing_directory, {}};
inline Check one_of(std::vector<std::string> values) { return {Check::Kind::one_of, std::move(values)}; }

// An option being set up (a CLI::Option).
class Option {
 public:
  explicit Option(CLI::Option* option) : option_(option) {}
  Option* required();
  Option* check(const Check& check);
  Option* capture_default_str();  // show the default value in --help
  Option* group(const std::string& name);  // "" hides it from --help
  Option* excludes(Option* other);

 private:
  CLI::Option* option_;
};

// A command being set up (a CLI::App): the program itself or a subcommand. Every option takes one
// value per occurrence and is repeated for more (apk's, melange's and apko's convention).
class Command {
 public:
  struct Wrappers;  // keeps every Command and Option handed out alive while the root lives
  explicit Command(CLI::App& root);
  Command(CLI::App* app, Wrappers* wrappers) : app_(app), wrappers_(wrappers) {}

  Command* add_subcommand(const std::string& name, const std::string& description);
  Command* get_subcommand(const std::string& name);  // one added before; an error when there is none
  // T: std::string, std::vector<std::string>, int, unsigned, long, unsigned long, double or
  // std::optional<long> (the instantiations in command.cpp).
  template <typename T>
  Option* add_option(const std::string& names, T& value, const std::string& description = "");
  // "--name,!--no-name" gives a negated form.
  Option* add_flag(const std::string& names, bool& value, const std::string& description = "");
  Command* callback(std::function<void()> run);
  Command* require_subcommand(int count);
  Command* group(const std::string& name);  // "" hides it from --help

  CLI::App& app() const { return *app_; }

 private:
  CLI::App* app_;
  Wrappers* wrappers_;
  std::shared_ptr<Wrappers> owned_;  // the root's
};

using CommandSetup = std::function<void(Command& parent)>;

// Returns true so it can initialise a static; `order` sorts the --help listing. `name`, when given,
// is the subcommand the setup adds: see setup_commands.
bool register_command(int order, CommandSetup setup, std::string_view name = {});
void setup_all_commands(CLI::App& app);

// Sets up what the command line `argv` needs: when argv[1] is the name of a command registered
// with one, only that command (CLI11 setup of all ~20 commands is ~0.5 ms, a tenth of a short
// `lupine index` run); otherwise — `--help`, `--version`, an unknown or unnamed command — all.
void setup_commands(CLI::App& app, int argc, const char* const* argv);

// True when stdout/stderr is a terminal: progress is shown only then.
bool stderr_is_terminal();

}  // namespace lupine::cli

#define LUPINE_CONCAT_INNER(a, b) a##b
#define LUPINE_CONCAT(a, b) LUPINE_CONCAT_INNER(a, b)
#define LUPINE_COMMAND(order, function) \
  static const bool LUPINE_CONCAT(lupine_registered_, __LINE__) = ::lupine::cli::register_command(order, function)
// For a setup that adds exactly the subcommand `name`.
#define LUPINE_NAMED_COMMAND(order, name, function)                 \
  static const bool LUPINE_CONCAT(lupine_registered_, __LINE__) = \
      ::lupine::cli::register_command(order, function, name)
