// Is bubblewrap usable here? Checked once per bwrap binary before the first sandboxed step, so a
// missing package or disabled user namespaces give one clear message instead of a failed build.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace lupine::builder {

struct SandboxSupport {
  std::filesystem::path bwrap;  // absolute path of the binary
  std::string version;          // "bubblewrap 0.8.0"
};

// The bwrap binary: `requested` if given, else LUPINE_BWRAP, else `bwrap` on PATH; "" when none.
std::filesystem::path find_bwrap(const std::filesystem::path& requested = {});

// Checks (once per binary; the answer is cached) that bwrap exists, runs, and can create the
// namespaces lupine uses. Throws Error saying what to install or enable.
const SandboxSupport& require_sandbox(const std::filesystem::path& requested_bwrap = {});

// Why user namespaces cannot be used, from the sysctl values (nullopt: a file is absent), or
// nullopt when nothing forbids them. Root needs none of the unprivileged ones.
std::optional<std::string> user_namespace_problem(std::optional<long> max_user_namespaces,
                                                  std::optional<long> unprivileged_userns_clone,
                                                  bool running_as_root);

}  // namespace lupine::builder
