#include "apk/spdx.h"

#include <fmt/format.h>

#include <cctype>
#include <ctime>

namespace lupine::apk {

std::string purl_encode(const std::string& text, bool keep_slash) {
  std::string out;
  for (unsigned char c : text) {
    bool unreserved = std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == '~' || (keep_slash && c == '/');
    if (unreserved)
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::string spdx_id(const std::string& text) {
  std::string out;
  for (unsigned char c : text) out += (std::isalnum(c) || c == '.' || c == '-') ? static_cast<char>(c) : '-';
  return out;
}

std::string rfc3339_utc(int64_t seconds) {
  std::time_t time = static_cast<std::time_t>(seconds);
  std::tm tm{};
  ::gmtime_r(&time, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

std::string sbom_path(const std::string& name, const std::string& full_version) {
  return fmt::format("var/lib/db/sbom/{}-{}.spdx.json", name, full_version);
}

std::string apk_purl(const std::string& namespace_name, const std::string& name, const std::string& version,
                     const std::string& arch) {
  // Qualifiers sorted by key, as the purl spec asks.
  return fmt::format("pkg:apk/{}/{}@{}?arch={}&distro={}", purl_encode(namespace_name), purl_encode(name),
                     purl_encode(version), purl_encode(arch), purl_encode(namespace_name));
}

}  // namespace lupine::apk
