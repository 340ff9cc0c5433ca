// The files `lupine build`/`lupine test` read besides the recipe (melange's flags):
//   --env-file FILE   dotenv lines `[export] KEY=VALUE` ('...' literal, "..." with \n \t \\ \"
//                     escapes, ` #` comments after unquoted values), merged into the build
//                     environment (the recipe's own values win);
//   --vars-file FILE  a YAML mapping of names to scalars, merged into the recipe's `vars`.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace lupine::builder {

// Parses dotenv text; errors name `origin` and the line.
std::map<std::string, std::string> parse_env_file(std::string_view text, const std::string& origin);
std::map<std::string, std::string> read_env_file(const std::filesystem::path& path);

// Reads a YAML mapping of scalars; errors name the file.
std::map<std::string, std::string> read_vars_file(const std::filesystem::path& path);

}  // namespace lupine::builder
