// One pipeline step in the sandbox, with melange's exact shell preamble.
#include "builder/build/sandbox.h"

#include <fmt/format.h>

namespace lupine::builder {

std::string shell_quote(std::string_view text) {
  constexpr std::string_view safe =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./-_";
  if (!text.empty() && text.find_first_not_of(safe) == std::string_view::npos) return std::string(text);
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  quoted += '\'';
  return quoted;
}

std::string step_script(std::string_view script, std::string_view workdir, bool trace) {
  std::string directory;
  if (workdir.empty()) {
    directory = sandbox_workspace;
  } else if (workdir.front() == '/') {
    directory = workdir;
  } else {
    directory = std::string(sandbox_workspace) + "/" + std::string(workdir);
  }
  std::string quoted = shell_quote(directory);
  // busybox ash, dash (>= 0.5.11) and bash all know pipefail.
  return fmt::format("set -e{}o pipefail\n[ -d {} ] || mkdir -p {}\ncd {}\n{}\nexit 0", trace ? "x" : "",
                     quoted, quoted, quoted, script);
}

SandboxResult run_step(const SandboxSpec& spec, std::string_view script, std::string_view workdir,
                       const Environment& env, const OutputCallback& on_output, bool trace) {
  SandboxSpec step = spec;
  for (const auto& [key, value] : env) step.env[key] = value;
  return run_in_sandbox(step, {"/bin/sh", "-c", step_script(script, workdir, trace)}, on_output);
}

}  // namespace lupine::builder
