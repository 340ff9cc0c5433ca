// lupine: recipes → signed APK packages → signed repository → OCI images.
#include "cli/command.h"
#include "common/error.h"
#include "common/process.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>

int main(int argc, char** argv) {
  CLI::App app{"lupine: build packages from melange recipes, publish signed APK repositories, "
               "assemble OCI images"};
  app.set_version_flag("--version", std::string("lupine ") + LUPINE_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);
  lupine::cli::setup_commands(app, argc, argv);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const lupine::cli::Exit& e) {
    return e.code;
  } catch (const lupine::Interrupted& e) {
    fmt::print(stderr, "lupine: {}\n", e.what());
    return 128 + e.signal();
  } catch (const lupine::Error& e) {
    fmt::print(stderr, "lupine: error: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "lupine: internal error: {}\n", e.what());
    return 70;
  }
  return 0;
}
