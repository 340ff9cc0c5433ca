// Just enough of the pkg-config file format (.pc) for dependency scanning.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace lupine::builder {

struct PkgConfigFile {
  std::map<std::string, std::string> variables;  // `name=value`, expanded
  std::map<std::string, std::string> fields;     // `Key: value`, expanded; keys as written
  // Module names from Requires, Requires.private and Requires.internal (versions dropped).
  std::vector<std::string> requires_public, requires_private, requires_internal;
};

// Parses a .pc file: comments (#), variables, fields; ${var} expanded from earlier variables.
// Throws Error for a line that is neither (melange then skips the file).
PkgConfigFile parse_pkgconfig(std::string_view text);

// "glib-2.0 >= 2.50, zlib gtk+-3.0>3" → {"glib-2.0", "zlib", "gtk+-3.0"}.
std::vector<std::string> pkgconfig_module_names(std::string_view requires_value);

}  // namespace lupine::builder
