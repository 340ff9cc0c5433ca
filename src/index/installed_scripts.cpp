#include "index/installed_scripts.h"

#include "apk/dependency.h"
#include "apk/gzip.h"
#include "apk/tar.h"
#include "common/encoding.h"
#include "common/error.h"
#include "common/words.h"

#include <strings.h>

#include <algorithm>
#include <map>

namespace lupine::index {

const std::vector<std::string>& script_actions() {
  static const std::vector<std::string> actions = {"pre-install",  "post-install", "pre-deinstall",
                                                   "post-deinstall", "pre-upgrade", "post-upgrade",
                                                   "trigger"};
  return actions;
}

std::string normalise_identity(std::string_view digest) {
  if (digest.size() < 3 || digest[1] != '1') return {};
  if (digest[0] == 'Q') {
    auto raw = base64_decode(digest.substr(2));
    return raw && raw->size() == 20 ? std::string(digest) : std::string();
  }
  if (digest[0] == 'X') {
    auto raw = hex_decode(digest.substr(2));
    return raw && raw->size() == 20 ? "Q1" + base64_encode(*raw) : std::string();
  }
  return {};
}

namespace {

size_t action_rank(std::string_view action) {
  const auto& actions = script_actions();
  return static_cast<size_t>(std::find(actions.begin(), actions.end(), action) - actions.begin());
}

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  append_words(out, text);
  return out;
}

// Keeps the first identity-matched package for each identity.
std::map<std::string, InstalledDbPackage*> by_identity(std::vector<InstalledDbPackage>& packages) {
  std::map<std::string, InstalledDbPackage*> map;
  for (auto& package : packages) map.emplace(normalise_identity(package.record.identity), &package);
  return map;
}

}  // namespace

std::vector<ScriptEntry> parse_scripts_tar(std::string_view bytes, bool gzipped, const std::string& origin) {
  if (bytes.empty()) return {};
  std::string inflated;
  if (gzipped) {
    for (auto& member : apk::read_gzip_members(bytes, origin)) inflated += member.content;
    bytes = inflated;
  }
  std::vector<ScriptEntry> entries;
  for (const auto& item : apk::parse_tar(bytes, origin).items) {
    if (item.entry.type != apk::TarType::regular) continue;
    // `<name>-<version>.<identity>.<action>`: split at the last two dots (versions hold dots, the
    // identity never does).
    const std::string& name = item.entry.path;
    size_t action_dot = name.rfind('.');
    if (action_dot == std::string::npos || action_dot < 2) continue;
    size_t identity_dot = name.rfind('.', action_dot - 2);
    if (identity_dot == std::string::npos) continue;
    ScriptEntry entry;
    entry.action = name.substr(action_dot + 1);
    if (action_rank(entry.action) == script_actions().size()) continue;
    entry.identity = normalise_identity(std::string_view(name).substr(identity_dot + 1, action_dot - identity_dot - 1));
    if (entry.identity.empty()) continue;
    entry.package = name.substr(0, identity_dot);
    entry.contents = item.data;
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::string format_scripts_tar(const std::vector<InstalledDbPackage>& packages) {
  std::string tar;
  for (const auto& package : packages) {
    auto scripts = package.scripts;
    std::stable_sort(scripts.begin(), scripts.end(),
                     [](const auto& a, const auto& b) { return action_rank(a.first) < action_rank(b.first); });
    for (const auto& [action, contents] : scripts) {
      apk::TarEntry entry;
      entry.path = fmt::format("{}-{}.{}.{}", package.record.name, package.record.version,
                               package.record.identity, action);
      entry.type = apk::TarType::regular;
      entry.mode = 0755;
      entry.uname = "root";
      entry.gname = "root";
      entry.mtime = package.record.build_time;
      entry.size = contents.size();
      tar += apk::tar_header(entry);
      tar += contents;
      tar += apk::tar_padding(contents.size());
    }
  }
  tar += apk::tar_end_of_archive();
  return tar;
}

void attach_scripts(std::vector<InstalledDbPackage>& packages, const std::vector<ScriptEntry>& entries) {
  auto map = by_identity(packages);
  for (const auto& entry : entries) {
    auto found = map.find(entry.identity);
    if (found == map.end()) continue;
    auto& scripts = found->second->scripts;
    auto same = std::find_if(scripts.begin(), scripts.end(), [&](const auto& s) { return s.first == entry.action; });
    if (same != scripts.end()) same->second = entry.contents;
    else scripts.emplace_back(entry.action, entry.contents);
  }
}

std::vector<TriggerLine> parse_triggers(std::string_view text, const std::string& origin) {
  std::vector<TriggerLine> lines;
  size_t line_number = 0;
  while (!text.empty()) {
    size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    ++line_number;
    auto fields = words(line);
    if (fields.empty()) continue;
    TriggerLine parsed;
    parsed.identity = normalise_identity(fields.front());
    if (parsed.identity.empty())
      fail("{}:{}: expected '<Q1 identity> <glob>...', got '{}'", origin, line_number, line.substr(0, 60));
    parsed.globs.assign(fields.begin() + 1, fields.end());
    lines.push_back(std::move(parsed));
  }
  return lines;
}

std::string format_triggers(const std::vector<InstalledDbPackage>& packages) {
  std::string out;
  for (const auto& package : packages) {
    if (package.triggers.empty()) continue;
    out += package.record.identity;
    for (const auto& glob : package.triggers) out += " " + glob;
    out += '\n';
  }
  return out;
}

void attach_triggers(std::vector<InstalledDbPackage>& packages, const std::vector<TriggerLine>& lines) {
  auto map = by_identity(packages);
  for (const auto& line : lines) {
    auto found = map.find(line.identity);
    if (found == map.end()) continue;
    auto& triggers = found->second->triggers;
    triggers.insert(triggers.end(), line.globs.begin(), line.globs.end());
  }
}

std::vector<std::string> parse_world(std::string_view text, const std::string& origin) {
  std::vector<std::string> dependencies = words(text);
  for (const auto& dependency : dependencies) {
    try {
      apk::parse_dependency(dependency);
    } catch (const Error& e) {
      fail("{}: {}", origin, e.what());
    }
  }
  return dependencies;
}

std::string format_world(const std::vector<std::string>& dependencies) {
  std::vector<std::pair<std::string, std::string>> named;  // {name, text}
  for (const auto& text : dependencies) {
    std::string name = apk::parse_dependency(text).name;
    auto same = std::find_if(named.begin(), named.end(), [&](const auto& n) { return n.first == name; });
    if (same != named.end()) same->second = text;
    else named.emplace_back(std::move(name), text);
  }
  std::stable_sort(named.begin(), named.end(), [](const auto& a, const auto& b) {
    int by_case = ::strcasecmp(a.first.c_str(), b.first.c_str());
    return by_case != 0 ? by_case < 0 : a.first < b.first;
  });
  std::string out;
  for (const auto& [name, text] : named) out += text + "\n";
  if (out.empty()) out = "\n";
  return out;
}

}  // namespace lupine::index
