// Judging archive paths before anything is written: APK entries must be relative paths that stay
// inside the target (apk-tools' apk_db_install_file refuses the same: "ignoring malicious file").
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lupine {

// Why `path` may not be used as an archive entry name, or nullopt when it is safe: empty, absolute,
// a `..` component, or a control character.
std::optional<std::string> unsafe_path_reason(std::string_view path);

// The parent of a '/'-separated relative path ("" for a top-level name).
std::string_view parent_path(std::string_view path);

}  // namespace lupine
