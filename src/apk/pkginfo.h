// .PKGINFO: the `key = value` metadata at the head of an APK's control member
// (reference/apk.md §1.5). Every field apk-tools, abuild or melange writes is modelled; unknown
// keys are kept in order so nothing read is lost.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lupine::apk {

struct PkgInfo {
  std::string pkgname;
  std::string pkgver;
  std::string pkgdesc;
  std::string url;
  std::optional<int64_t> builddate;
  std::string packager;
  uint64_t size = 0;  // installed size in bytes
  std::string arch;
  std::string origin;
  std::string commit;
  std::string maintainer;
  std::string license;
  std::vector<std::string> depends;     // one dependency atom each (a `depend` line may hold several)
  std::vector<std::string> provides;
  std::vector<std::string> replaces;
  std::vector<std::string> install_if;
  std::optional<int64_t> provider_priority;
  std::optional<int64_t> replaces_priority;
  std::vector<std::string> triggers;    // directory globs for the .trigger script
  std::string datahash;                 // hex SHA-256 of the data member
  std::vector<std::pair<std::string, std::string>> unknown;  // keys not modelled, in file order
};

// Parses .PKGINFO text. Repeated list keys append; repeated scalar keys: the last wins, as in
// apk-tools. Errors name `origin`, the line number and what was expected.
PkgInfo parse_pkginfo(std::string_view text, const std::string& origin);

// Writes .PKGINFO in a fixed order (abuild's, with unknown keys kept), datahash last since it is
// computed after the data member. Empty optional fields are left out; pkgname/pkgver/arch/size always.
std::string format_pkginfo(const PkgInfo& info);

}  // namespace lupine::apk
