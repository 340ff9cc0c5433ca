// Subcommand registry: each src/cli/<name>.cpp registers itself with LUPINE_COMMAND and adds its
// options and callback to the CLI11 app. Callbacks report failures by throwing lupine::Error
// (printed to stderr, exit 1) or lupine::cli::Exit for a specific exit code.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <string_view>

namespace lupine::cli {

struct Exit {
  int code;
};

using CommandSetup = std::function<void(CLI::App& parent)>;

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
