// The files kept beside lib/apk/db/installed (reference/apk.md §5.3): scripts.tar (or
// scripts.tar.gz), triggers, and etc/apk/world.
#pragma once

#include "index/installed_db.h"

#include <string>
#include <string_view>
#include <vector>

namespace lupine::index {

// apk-tools' script types, in the order it writes them (package.c apk_script_types).
const std::vector<std::string>& script_actions();

struct ScriptEntry {
  std::string package;   // "<name>-<version>" as found in the entry name
  std::string identity;  // the package's C: identity, normalised to "Q1<base64>" (apk-tools 3 writes X1<hex>)
  std::string action;    // "post-install", ...
  std::string contents;
};

// Reads a scripts.tar: regular entries named `<name>-<version>.<identity>.<action>`; entries whose
// name does not split so, or whose action is unknown, are skipped as apk-tools does
// (apk_read_script_archive_entry). `gzipped`: the scripts.tar.gz form apk-tools 3 writes for new roots.
std::vector<ScriptEntry> parse_scripts_tar(std::string_view bytes, bool gzipped, const std::string& origin);

// One entry per script of each package (in the order given, scripts in apk_script_types order):
// `<name>-<version>.<Q1identity>.<action>`, mode 0755, root:root, mtime = the package's build time,
// then the end-of-archive blocks. The identity is written in the Q1 form apko and apk-tools 2 use;
// apk-tools 3 reads both.
std::string format_scripts_tar(const std::vector<InstalledDbPackage>& packages);

// Attaches the scripts of `entries` to the packages whose identity they name; others are dropped.
void attach_scripts(std::vector<InstalledDbPackage>& packages, const std::vector<ScriptEntry>& entries);

// triggers: one line per package with triggers, `<identity> <glob> <glob>...`.
struct TriggerLine {
  std::string identity;  // normalised to "Q1<base64>"
  std::vector<std::string> globs;
};
std::vector<TriggerLine> parse_triggers(std::string_view text, const std::string& origin);
std::string format_triggers(const std::vector<InstalledDbPackage>& packages);
void attach_triggers(std::vector<InstalledDbPackage>& packages, const std::vector<TriggerLine>& lines);

// etc/apk/world: dependencies separated by white space (one per line as written).
std::vector<std::string> parse_world(std::string_view text, const std::string& origin);
// Sorted by name as apk-tools (case-insensitive, then bytewise), one name per dependency (a later
// one with the same name wins, as apk_deps_add), one per line, ending with a newline ("\n" when empty).
std::string format_world(const std::vector<std::string>& dependencies);

// "Q1<base64>" for a digest written as "Q1<base64>" or "X1<hex>"; empty when neither.
std::string normalise_identity(std::string_view digest);

}  // namespace lupine::index
