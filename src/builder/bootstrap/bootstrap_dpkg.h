// What `lupine bootstrap` reads of the host's Debian package database (/var/lib/dpkg): installed
// packages and versions (status), their file lists (info/<pkg>[:<arch>].list), the current choice
// of each alternative (alternatives/<name> + /etc/alternatives), and licenses from
// /usr/share/doc/<pkg>/copyright. Read directly: no dpkg-query process per package.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lupine::builder {

struct DebianPackage {
  std::string name;
  std::string version;
  std::string architecture;  // "amd64", "all"
  std::string homepage;
};

// A link dpkg's alternatives system made: `link` (e.g. /usr/bin/cc) → `target`, the host's current
// choice (e.g. /usr/bin/gcc). Both absolute host paths as dpkg spells them.
struct Alternative {
  std::string name;
  std::string link;
  std::string target;
};

class DpkgDatabase {
 public:
  // `admin_dir`: /var/lib/dpkg. `native_arch`: Debian's name of the host arch ("amd64").
  // `alternatives_dir`: where the current choices are (/etc/alternatives).
  DpkgDatabase(std::filesystem::path admin_dir, std::string native_arch,
               std::filesystem::path alternatives_dir = "/etc/alternatives");

  // The installed package (state "install ok installed") of the native arch or "all"; nullptr otherwise.
  const DebianPackage* installed(std::string_view name) const;

  // The paths of the package's file list, as dpkg records them (absolute, directories included).
  std::vector<std::string> file_list(const DebianPackage& package) const;

  // Every alternative whose current choice is set, master and slave links alike.
  std::vector<Alternative> alternatives() const;

  // Installed packages whose file list has a path ending in "/<base_name>" (for "which Debian
  // package would provide so:libfoo.so.1"). Reads every list: for error messages only.
  std::vector<std::string> owners_of_base_name(std::string_view base_name) const;

  const std::string& native_arch() const { return native_arch_; }

 private:
  std::filesystem::path admin_dir_;
  std::string native_arch_;
  std::filesystem::path alternatives_dir_;
  std::map<std::string, DebianPackage, std::less<>> installed_;
};

// Parses dpkg's status file text: the installed packages of `native_arch` or "all", by name.
std::map<std::string, DebianPackage, std::less<>> parse_dpkg_status(std::string_view text,
                                                                    std::string_view native_arch);

// The license of a Debian package from its machine-readable copyright file (DEP-5): the License of
// the `Files: *` paragraph, in SPDX spelling for the common short names (GPL-3+ →
// GPL-3.0-or-later). nullopt when the file is absent or not machine-readable.
std::optional<std::string> license_from_copyright(const std::filesystem::path& copyright);

// Debian's name of an apk arch ("x86_64" → "amd64", "aarch64" → "arm64"), and its multiarch
// triplet ("x86_64-linux-gnu"); Error for an arch this does not know.
std::string debian_arch_of(std::string_view apk_arch);
std::string multiarch_triplet_of(std::string_view apk_arch);

}  // namespace lupine::builder
