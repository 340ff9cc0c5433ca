// `lupine image check`: will the image's programs run? Static analysis of its root filesystem
// (image_tree.h) and run config, each finding with the file and why:
//   errors   — an ELF's interpreter missing; a DT_NEEDED library found in none of its RPATH/RUNPATH,
//              LD_LIBRARY_PATH, /etc/ld.so.conf (with includes) and default directories; a symbol
//              version (GLIBC_2.34) needed from a library that does not define it; the entrypoint
//              (or cmd) missing, or not executable by the run-as user; its script's interpreter
//              missing; the run-as user or group missing from /etc/passwd, /etc/group, or its home;
//              libssl without a CA bundle; no /tmp, or one the user cannot write;
//   warnings — another script whose interpreter is missing; libcrypto without a CA bundle; an
//              ELF that cannot be read; no entrypoint nor cmd;
//   notes    — the attack surface: setuid and setgid files, world-writable files, shells and package
//              managers.
#pragma once

#include "image/image_tree.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace lupine::image {

// What the image config says about running it (OCI image config, `config`).
struct RunConfig {
  std::string user;  // "", "name", "uid", "name:group", "uid:gid"
  std::vector<std::string> entrypoint, cmd, env;
  std::string working_dir;
};

// From an image config (its `config` object: User, Entrypoint, Cmd, Env, WorkingDir).
RunConfig run_config_of(const nlohmann::json& image_config);

enum class Severity { error, warning, note };
const char* severity_name(Severity severity);  // "error", "warning", "note"

struct Finding {
  Severity severity = Severity::error;
  std::string check;    // "library", "symbol-version", "interpreter", "entrypoint", ...
  std::string file;     // "/usr/bin/x", or "" for the image as a whole
  std::string message;
};

// In a stable order: by severity, file, then check.
std::vector<Finding> check_image(const ImageTree& tree, const RunConfig& config);

// "error: /usr/bin/x: needs libfoo.so.1, … [library]"
std::string render_finding(const Finding& finding);

// An image read back (image_read.h: an OCI layout DIR[:TAG] or a docker archive, `go_arch`'s
// manifest) and checked with its own run config.
struct ImageCheckReport {
  std::string manifest_digest;
  size_t layers = 0, files = 0;
  std::vector<Finding> findings;
  size_t count(Severity severity) const;
};
ImageCheckReport check_image_reference(const std::string& reference, const std::string& go_arch);

}  // namespace lupine::image
