#include "index/advisories.h"

#include "apk/version.h"
#include "common/error.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

namespace lupine::index {
namespace {

using nlohmann::json;

std::string text_of(const json& value, const std::string& where) {
  if (!value.is_string()) fail("{}: expected a string, found {}", where, value.dump());
  return value.get<std::string>();
}

void parse_secdb(const json& root, const std::string& origin, std::vector<Advisory>& out) {
  const json& packages = root["packages"];
  if (!packages.is_array()) fail("{}: `packages` is not a list", origin);
  for (size_t i = 0; i < packages.size(); ++i) {
    std::string where = fmt::format("{}: packages[{}]", origin, i);
    if (!packages[i].is_object() || !packages[i].contains("pkg") || !packages[i]["pkg"].is_object())
      fail("{}: expected {{\"pkg\": {{\"name\", \"secfixes\"}}}}", where);
    const json& pkg = packages[i]["pkg"];
    std::string name = text_of(pkg.value("name", json()), where + ".pkg.name");
    if (!pkg.contains("secfixes")) continue;
    if (!pkg["secfixes"].is_object()) fail("{}.pkg.secfixes: expected an object of version: [ids]", where);
    for (const auto& [fixed, ids] : pkg["secfixes"].items()) {
      if (fixed != "0" && !apk::version_valid(fixed)) fail("{}.pkg.secfixes: \"{}\" is not an apk version", where, fixed);
      if (!ids.is_array()) fail("{}.pkg.secfixes.{}: expected a list of advisory ids", where, fixed);
      for (const auto& id : ids) {
        Advisory advisory;
        // Alpine writes "CVE-2022-1234 CVE-2022-1235" in one string at times.
        std::string ids_text = text_of(id, where + ".pkg.secfixes." + fixed);
        for (size_t start = 0; start < ids_text.size();) {
          size_t end = ids_text.find(' ', start);
          if (end == std::string::npos) end = ids_text.size();
          if (end > start) {
            advisory.id = ids_text.substr(start, end - start);
            advisory.package = name;
            advisory.format = "secdb";
            advisory.ranges.clear();
            advisory.not_affected = fixed == "0";
            if (!advisory.not_affected) advisory.ranges.push_back({"", fixed, ""});
            out.push_back(advisory);
          }
          start = end + 1;
        }
      }
    }
  }
}

void parse_osv(const json& vulnerability, const std::string& where, std::vector<Advisory>& out) {
  if (!vulnerability.is_object() || !vulnerability.contains("id")) fail("{}: expected an OSV object with an id", where);
  std::string id = text_of(vulnerability["id"], where + ".id");
  const json affected = vulnerability.value("affected", json::array());
  if (!affected.is_array()) fail("{}.affected: expected a list", where);
  for (size_t i = 0; i < affected.size(); ++i) {
    std::string at = fmt::format("{}.affected[{}]", where, i);
    Advisory advisory;
    advisory.id = id;
    advisory.format = "osv";
    if (!affected[i].contains("package")) fail("{}: no package", at);
    advisory.package = text_of(affected[i]["package"].value("name", json()), at + ".package.name");
    for (const auto& version : affected[i].value("versions", json::array()))
      advisory.versions.push_back(text_of(version, at + ".versions"));
    for (const auto& range : affected[i].value("ranges", json::array())) {
      std::string type = range.value("type", "");
      if (type != "ECOSYSTEM") continue;  // SEMVER and GIT ranges are not apk versions
      // Events in order: each introduced opens a range that the next fixed or last_affected closes.
      for (const auto& event : range.value("events", json::array())) {
        if (event.contains("introduced")) advisory.ranges.push_back({text_of(event["introduced"], at + " introduced"), "", ""});
        else if (event.contains("fixed") && !advisory.ranges.empty())
          advisory.ranges.back().fixed = text_of(event["fixed"], at + " fixed");
        else if (event.contains("last_affected") && !advisory.ranges.empty())
          advisory.ranges.back().last_affected = text_of(event["last_affected"], at + " last_affected");
      }
    }
    out.push_back(std::move(advisory));
  }
}

bool in_range(const AdvisoryRange& range, const std::string& version) {
  if (!range.introduced.empty() && range.introduced != "0" && apk::version_compare(version, range.introduced) == apk::LESS)
    return false;
  if (!range.fixed.empty()) return apk::version_compare(version, range.fixed) == apk::LESS;
  if (!range.last_affected.empty()) return apk::version_compare(version, range.last_affected) != apk::GREATER;
  return true;
}

}  // namespace

std::vector<Advisory> parse_advisories(std::string_view text, const std::string& origin) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::exception& error) {
    fail("{}: not JSON: {}", origin, error.what());
  }
  std::vector<Advisory> out;
  if (root.is_object() && root.contains("packages")) parse_secdb(root, origin, out);
  else if (root.is_object()) parse_osv(root, origin, out);
  else if (root.is_array())
    for (size_t i = 0; i < root.size(); ++i) parse_osv(root[i], fmt::format("{}[{}]", origin, i), out);
  else fail("{}: expected a security.json (secdb) object or OSV JSON", origin);
  return out;
}

std::vector<AdvisoryMatch> match_advisories(const std::vector<Advisory>& advisories, const std::string& name,
                                            const std::string& origin, const std::string& version) {
  auto about = [&](const Advisory& a) { return a.package == name || (!origin.empty() && a.package == origin); };
  std::set<std::string> never;  // secdb "0": not affected, whatever else says so
  for (const auto& advisory : advisories)
    if (advisory.not_affected && about(advisory)) never.insert(advisory.id);
  std::vector<AdvisoryMatch> out;
  std::set<std::string> seen;
  for (const auto& advisory : advisories) {
    if (advisory.not_affected || !about(advisory) || never.count(advisory.id)) continue;
    bool affected = std::find(advisory.versions.begin(), advisory.versions.end(), version) != advisory.versions.end();
    std::string fixed;
    for (const auto& range : advisory.ranges)
      if (in_range(range, version)) {
        affected = true;
        fixed = range.fixed;
      }
    if (affected && seen.insert(advisory.id).second) out.push_back({advisory.id, fixed, advisory.format});
  }
  return out;
}

}  // namespace lupine::index
