// SPDX names for APK packages, shared by the package SBOMs the builder writes and the image SBOMs
// that refer to them: element ids, package URLs (purl), where a package keeps its SBOM, and SPDX's
// timestamp form.
#pragma once

#include <cstdint>
#include <string>

namespace lupine::apk {

// var/lib/db/sbom/<name>-<version>.spdx.json (relative to the package root), as melange ships it
// (reference/melange.md §5.3), so scanners of an installed root find it.
std::string sbom_path(const std::string& name, const std::string& full_version);

// pkg:apk/<ns>/<name>@<version>?arch=<arch>&distro=<ns> (purl spec: name and version
// percent-encoded where they hold reserved characters).
std::string apk_purl(const std::string& namespace_name, const std::string& name, const std::string& version,
                     const std::string& arch);

// purl percent-encoding: unreserved characters stay (and '/' when keep_slash), the rest is %XX.
std::string purl_encode(const std::string& text, bool keep_slash = false);

// SPDX element ids allow only letters, digits, '.' and '-': every other byte becomes '-'.
std::string spdx_id(const std::string& text);

// "1970-01-01T00:00:00Z" for the seconds since the epoch.
std::string rfc3339_utc(int64_t seconds);

}  // namespace lupine::apk
