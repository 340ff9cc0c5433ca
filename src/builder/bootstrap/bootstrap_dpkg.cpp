#include "builder/bootstrap/bootstrap_dpkg.h"

#include "common/error.h"
#include "common/fs.h"
#include "common/words.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>

namespace lupine::builder {
namespace {

std::vector<std::string> read_lines(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Debian short license names and their SPDX spelling; others are kept as Debian writes them.
std::string spdx_of(std::string_view debian) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 18> names{{
      {"GPL-2", "GPL-2.0-only"},         {"GPL-2+", "GPL-2.0-or-later"},   {"GPL-3", "GPL-3.0-only"},
      {"GPL-3+", "GPL-3.0-or-later"},    {"LGPL-2", "LGPL-2.0-only"},      {"LGPL-2+", "LGPL-2.0-or-later"},
      {"LGPL-2.1", "LGPL-2.1-only"},     {"LGPL-2.1+", "LGPL-2.1-or-later"}, {"LGPL-3", "LGPL-3.0-only"},
      {"LGPL-3+", "LGPL-3.0-or-later"},  {"Expat", "MIT"},                 {"BSD-2-clause", "BSD-2-Clause"},
      {"BSD-3-clause", "BSD-3-Clause"},  {"BSD-4-clause", "BSD-4-Clause"}, {"Apache-2.0", "Apache-2.0"},
      {"MPL-2.0", "MPL-2.0"},            {"Zlib", "Zlib"},                 {"zlib", "Zlib"},
  }};
  for (const auto& [from, to] : names)
    if (debian == from) return std::string(to);
  return std::string(debian);
}

}  // namespace

std::map<std::string, DebianPackage, std::less<>> parse_dpkg_status(std::string_view text,
                                                                    std::string_view native_arch) {
  std::map<std::string, DebianPackage, std::less<>> packages;
  DebianPackage current;
  std::string status;
  auto finish = [&] {
    bool wanted_arch = current.architecture == native_arch || current.architecture == "all";
    if (!current.name.empty() && status == "install ok installed" && wanted_arch) packages[current.name] = current;
    current = {};
    status.clear();
  };
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (trim_line(line).empty()) {
      finish();
      if (end == text.size()) break;
      continue;
    }
    if (line.front() == ' ' || line.front() == '\t') continue;  // continuation of a multi-line field
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = line.substr(0, colon), value = trim_line(line.substr(colon + 1));
    if (key == "Package") current.name = value;
    else if (key == "Status") status = value;
    else if (key == "Version") current.version = value;
    else if (key == "Architecture") current.architecture = value;
    else if (key == "Homepage") current.homepage = value;
  }
  finish();
  return packages;
}

DpkgDatabase::DpkgDatabase(std::filesystem::path admin_dir, std::string native_arch,
                           std::filesystem::path alternatives_dir)
    : admin_dir_(std::move(admin_dir)), native_arch_(std::move(native_arch)),
      alternatives_dir_(std::move(alternatives_dir)) {
  installed_ = parse_dpkg_status(read_file(admin_dir_ / "status"), native_arch_);
}

const DebianPackage* DpkgDatabase::installed(std::string_view name) const {
  auto found = installed_.find(name);
  return found == installed_.end() ? nullptr : &found->second;
}

std::vector<std::string> DpkgDatabase::file_list(const DebianPackage& package) const {
  // Multi-Arch: same packages keep their list as <name>:<arch>.list.
  for (const std::string& file : {package.name + ".list", package.name + ":" + package.architecture + ".list"}) {
    std::filesystem::path list = admin_dir_ / "info" / file;
    std::error_code error;
    if (!std::filesystem::exists(list, error)) continue;
    std::vector<std::string> paths;
    for (auto& line : read_lines(list))
      if (!line.empty() && line != "/." && line.front() == '/') paths.push_back(std::move(line));
    return paths;
  }
  fail("dpkg has no file list for {} ({}/info/{}.list)", package.name, admin_dir_.string(), package.name);
}

std::vector<Alternative> DpkgDatabase::alternatives() const {
  std::vector<Alternative> result;
  std::error_code error;
  std::filesystem::directory_iterator it(admin_dir_ / "alternatives", error), end;
  if (error) return result;  // no alternatives at all
  auto choice = [&](const std::string& name) -> std::string {
    std::error_code link_error;
    auto target = std::filesystem::read_symlink(alternatives_dir_ / name, link_error);
    return link_error ? std::string() : target.string();
  };
  for (; it != end; it.increment(error)) {
    if (error) break;
    std::string name = it->path().filename().string();
    // alternatives/<name>: mode, master link, then (slave name, slave link) pairs up to a blank line.
    std::vector<std::string> lines = read_lines(it->path());
    if (lines.size() < 2) continue;
    if (std::string target = choice(name); !target.empty()) result.push_back({name, lines[1], target});
    for (size_t i = 2; i + 1 < lines.size() && !lines[i].empty(); i += 2)
      if (std::string target = choice(lines[i]); !target.empty()) result.push_back({lines[i], lines[i + 1], target});
  }
  std::sort(result.begin(), result.end(), [](const Alternative& a, const Alternative& b) { return a.link < b.link; });
  return result;
}

std::vector<std::string> DpkgDatabase::owners_of_base_name(std::string_view base_name) const {
  std::vector<std::string> owners;
  std::string suffix = "/" + std::string(base_name);
  for (const auto& [name, package] : installed_) {
    std::vector<std::string> paths;
    try {
      paths = file_list(package);
    } catch (const Error&) {
      continue;
    }
    for (const auto& path : paths)
      if (path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0) {
        owners.push_back(name);
        break;
      }
  }
  return owners;
}

std::optional<std::string> license_from_copyright(const std::filesystem::path& copyright) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(copyright, error)) return std::nullopt;
  std::vector<std::string> lines = read_lines(copyright);
  if (lines.empty() || lines.front().rfind("Format:", 0) != 0) return std::nullopt;
  bool in_all_files = false;
  for (const auto& line : lines) {
    std::string_view text = line;
    if (trim_line(text).empty()) {
      in_all_files = false;
      continue;
    }
    if (text.rfind("Files:", 0) == 0) in_all_files = trim_line(text.substr(6)) == "*";
    if (in_all_files && text.rfind("License:", 0) == 0) {
      std::string_view license = trim_line(text.substr(8));
      if (license.empty()) return std::nullopt;
      // "GPL-2+ or Artistic" → "GPL-2.0-or-later OR Artistic": each word that is a short name.
      std::istringstream words{std::string(license)};
      std::string result;
      for (std::string word; words >> word;) {
        if (!result.empty()) result += ' ';
        result += (word == "or" || word == "and") ? std::string(word == "or" ? "OR" : "AND") : spdx_of(word);
      }
      return result;
    }
  }
  return std::nullopt;
}

std::string debian_arch_of(std::string_view apk_arch) {
  if (apk_arch == "x86_64") return "amd64";
  if (apk_arch == "aarch64") return "arm64";
  fail("bootstrap does not know Debian's name of the architecture '{}' (known: x86_64, aarch64)", apk_arch);
}

std::string multiarch_triplet_of(std::string_view apk_arch) {
  if (apk_arch == "x86_64") return "x86_64-linux-gnu";
  if (apk_arch == "aarch64") return "aarch64-linux-gnu";
  fail("bootstrap does not know the multiarch triplet of the architecture '{}' (known: x86_64, aarch64)", apk_arch);
}

}  // namespace lupine::builder
