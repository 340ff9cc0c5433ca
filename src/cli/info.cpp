// lupine info [--json] FILE.apk: metadata, signatures, scripts, other control files (.melange.yaml)
// and file list of a package.
#include "apk/package.h"
#include "cli/command.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace lupine::cli {
namespace {

// Control-member files other than .PKGINFO and the scriptlets: melange's .melange.yaml.
std::vector<std::string> control_file_names(const apk::Package& package) {
  std::vector<std::string> names;
  for (const auto& item : package.control_entries())
    if (item.entry.path != ".PKGINFO" && !apk::is_script_name(item.entry.path)) names.push_back(item.entry.path);
  return names;
}

const char* type_name(apk::TarType type) {
  switch (type) {
    case apk::TarType::regular: return "file";
    case apk::TarType::hardlink: return "hardlink";
    case apk::TarType::symlink: return "symlink";
    case apk::TarType::chardev: return "chardev";
    case apk::TarType::blockdev: return "blockdev";
    case apk::TarType::directory: return "directory";
    case apk::TarType::fifo: return "fifo";
  }
  return "?";
}

char type_letter(apk::TarType type) {
  switch (type) {
    case apk::TarType::directory: return 'd';
    case apk::TarType::symlink: return 'l';
    case apk::TarType::hardlink: return 'h';
    case apk::TarType::chardev: return 'c';
    case apk::TarType::blockdev: return 'b';
    case apk::TarType::fifo: return 'p';
    default: return '-';
  }
}

nlohmann::json info_json(const apk::Package& package) {
  const apk::PkgInfo& info = package.info();
  nlohmann::json out;
  out["file"] = package.origin();
  out["identity"] = package.identity();
  out["pkgname"] = info.pkgname;
  out["pkgver"] = info.pkgver;
  out["pkgdesc"] = info.pkgdesc;
  out["url"] = info.url;
  out["arch"] = info.arch;
  out["license"] = info.license;
  out["origin"] = info.origin;
  out["commit"] = info.commit;
  out["maintainer"] = info.maintainer;
  out["packager"] = info.packager;
  out["size"] = info.size;
  out["builddate"] = info.builddate ? nlohmann::json(*info.builddate) : nlohmann::json();
  out["depends"] = info.depends;
  out["provides"] = info.provides;
  out["replaces"] = info.replaces;
  out["install_if"] = info.install_if;
  out["triggers"] = info.triggers;
  out["provider_priority"] = info.provider_priority ? nlohmann::json(*info.provider_priority) : nlohmann::json();
  out["replaces_priority"] = info.replaces_priority ? nlohmann::json(*info.replaces_priority) : nlohmann::json();
  out["datahash"] = info.datahash;
  nlohmann::json unknown = nlohmann::json::object();
  for (const auto& [key, value] : info.unknown) unknown[key] = value;
  out["other"] = unknown;
  out["signatures"] = nlohmann::json::array();
  for (const auto& signature : package.signatures())
    out["signatures"].push_back({{"algorithm", signature.algorithm}, {"key", signature.key_name}});
  out["scripts"] = nlohmann::json::array();
  for (const auto& [name, contents] : package.scripts()) out["scripts"].push_back(name);
  out["control_files"] = nlohmann::json::array();
  for (const auto& name : control_file_names(package)) out["control_files"].push_back(name);
  out["files"] = nlohmann::json::array();
  for (const auto& item : package.data_entries()) {
    const auto& entry = item.entry;
    nlohmann::json file = {{"path", entry.path}, {"type", type_name(entry.type)}, {"mode", fmt::format("{:04o}", entry.mode)},
                           {"uid", entry.uid},   {"gid", entry.gid}};
    if (entry.type == apk::TarType::regular) file["size"] = entry.size;
    if (!entry.link_target.empty()) file["target"] = entry.link_target;
    if (!entry.checksum_sha1.empty()) file["sha1"] = entry.checksum_sha1;
    out["files"].push_back(file);
  }
  return out;
}

void print_text(const apk::Package& package) {
  const apk::PkgInfo& info = package.info();
  auto field = [](std::string_view key, std::string_view value) {
    if (!value.empty()) fmt::print("{:<18} {}\n", std::string(key) + ":", value);
  };
  auto list = [&field](std::string_view key, const std::vector<std::string>& values) {
    std::string joined;
    for (const auto& value : values) joined.append(joined.empty() ? "" : " ").append(value);
    field(key, joined);
  };
  field("name", info.pkgname);
  field("version", info.pkgver);
  field("description", info.pkgdesc);
  field("arch", info.arch);
  field("url", info.url);
  field("license", info.license);
  field("origin", info.origin);
  field("commit", info.commit);
  field("maintainer", info.maintainer);
  field("packager", info.packager);
  if (info.builddate) field("builddate", std::to_string(*info.builddate));
  field("installed size", std::to_string(info.size));
  list("depends", info.depends);
  list("provides", info.provides);
  list("replaces", info.replaces);
  list("install_if", info.install_if);
  list("triggers", info.triggers);
  if (info.provider_priority) field("provider_priority", std::to_string(*info.provider_priority));
  if (info.replaces_priority) field("replaces_priority", std::to_string(*info.replaces_priority));
  for (const auto& [key, value] : info.unknown) field(key, value);
  field("datahash", info.datahash);
  field("identity", package.identity());
  for (const auto& signature : package.signatures())
    field("signature", signature.algorithm + " " + signature.key_name);
  if (package.signatures().empty()) field("signature", "none");
  for (const auto& [name, contents] : package.scripts()) field("script", name);
  for (const auto& name : control_file_names(package)) field("control file", name);
  fmt::print("files:\n");
  for (const auto& item : package.data_entries()) {
    const auto& entry = item.entry;
    std::string target = entry.link_target.empty() ? "" : " -> " + entry.link_target;
    fmt::print("  {}{:04o} {:>5}:{:<5} {:>10} {}{}\n", type_letter(entry.type), entry.mode, entry.uid, entry.gid,
               entry.size, entry.path, target);
  }
}

void setup(Command& app) {
  auto file = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto* command = app.add_subcommand("info", "Show a package's metadata and files");
  command->add_option("file", *file, "Package")->required();
  command->add_flag("--json", *json, "Print as JSON");
  command->callback([file, json] {
    apk::Package package = apk::Package::read(*file);
    if (*json)
      fmt::print("{}\n", info_json(package).dump(2));
    else
      print_text(package);
  });
}

LUPINE_COMMAND(50, setup);

}  // namespace
}  // namespace lupine::cli
