#include "image/lock.h"

#include "common/error.h"

#include <nlohmann/json.hpp>

namespace lupine::image {
namespace {

using json = nlohmann::ordered_json;

json repositories_json(const std::vector<LockedRepository>& repositories) {
  json out = json::array();
  for (const auto& r : repositories) out.push_back({{"name", r.name}, {"url", r.url}, {"architecture", r.architecture}});
  return out;
}

std::string text(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return {};
  if (!it->is_string()) throw Error(std::string("'") + key + "' must be a string");
  return it->get<std::string>();
}

std::vector<LockedRepository> repositories_from(const json& contents, const char* key) {
  std::vector<LockedRepository> out;
  if (!contents.contains(key) || contents[key].is_null()) return out;
  for (const auto& item : contents[key])
    out.push_back({text(item, "name"), text(item, "url"), text(item, "architecture")});
  return out;
}

std::optional<LockedRange> range_from(const json& package, const char* key) {
  if (!package.contains(key) || package[key].is_null()) return std::nullopt;
  return LockedRange{text(package[key], "range"), text(package[key], "checksum")};
}

}  // namespace

std::vector<LockedPackage> Lock::packages_for(std::string_view arch) const {
  std::vector<LockedPackage> out;
  for (const auto& package : packages)
    if (package.architecture == arch) out.push_back(package);
  return out;
}

std::string lock_to_json(const Lock& lock) {
  json keyring = json::array();
  for (const auto& key : lock.keyring) keyring.push_back({{"name", key.name}, {"url", key.url}, {"content", key.content}});
  json packages = json::array();
  for (const auto& p : lock.packages) {
    json package{{"name", p.name}, {"url", p.url}, {"version", p.version}, {"architecture", p.architecture}};
    auto range = [&](const char* key, const std::optional<LockedRange>& value) {
      if (value) package[key] = {{"range", value->range}, {"checksum", value->checksum}};
    };
    range("signature", p.signature);
    range("control", p.control);
    range("data", p.data);
    package["checksum"] = p.checksum;
    packages.push_back(package);
  }
  json out;
  out["version"] = lock.version;
  out["config"] = {{"name", lock.config_name}, {"checksum", lock.config_checksum}};
  out["contents"] = {{"keyring", keyring},
                     {"build_repositories", repositories_json(lock.build_repositories)},
                     {"runtime_repositories", repositories_json(lock.runtime_repositories)},
                     {"repositories", repositories_json(lock.repositories)},
                     {"packages", packages}};
  return out.dump(2) + "\n";
}

Lock lock_from_json(std::string_view input, const std::string& origin) {
  json parsed = json::parse(input, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) fail("{}: not a JSON lock file", origin);
  try {
    Lock lock;
    lock.version = text(parsed, "version");
    if (lock.version != "v1") fail("unsupported lock file version '{}' (lupine reads v1)", lock.version);
    if (parsed.contains("config") && parsed["config"].is_object()) {
      lock.config_name = text(parsed["config"], "name");
      lock.config_checksum = text(parsed["config"], "checksum");
    }
    const json contents = parsed.value("contents", json::object());
    if (contents.contains("keyring") && !contents["keyring"].is_null())
      for (const auto& key : contents["keyring"])
        lock.keyring.push_back({text(key, "name"), text(key, "url"), text(key, "content")});
    lock.build_repositories = repositories_from(contents, "build_repositories");
    lock.runtime_repositories = repositories_from(contents, "runtime_repositories");
    lock.repositories = repositories_from(contents, "repositories");
    if (contents.contains("packages") && !contents["packages"].is_null())
      for (const auto& item : contents["packages"]) {
        LockedPackage p;
        p.name = text(item, "name");
        p.url = text(item, "url");
        p.version = text(item, "version");
        p.architecture = text(item, "architecture");
        p.signature = range_from(item, "signature");
        p.control = range_from(item, "control");
        p.data = range_from(item, "data");
        p.checksum = text(item, "checksum");
        if (p.name.empty() || p.version.empty() || p.architecture.empty() || p.checksum.empty())
          fail("a package needs name, version, architecture and checksum");
        lock.packages.push_back(std::move(p));
      }
    return lock;
  } catch (const Error& e) {
    fail("{}: {}", origin, e.what());
  } catch (const json::exception& e) {
    fail("{}: malformed lock file: {}", origin, e.what());
  }
}

}  // namespace lupine::image
