#include "image/image_sbom.h"

#include "apk/spdx.h"
#include "common/encoding.h"
#include "common/fs.h"
#include "common/hash.h"

#include <nlohmann/json.hpp>

#include <fstream>

namespace lupine::image {
namespace {

using json = nlohmann::ordered_json;

std::string unquote(std::string value) {
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front())
    return value.substr(1, value.size() - 2);
  return value;
}

// "Q1<base64 sha1>" → hex, "" when it is not one.
std::string q1_to_hex(const std::string& identity) {
  if (!identity.starts_with("Q1")) return {};
  auto raw = base64_decode(identity.substr(2));
  if (!raw || raw->size() != 20) return {};
  return hex_encode(*raw);
}

json package_json(const index::InstalledDbPackage& package, const ImageSbomInputs& in, const std::string& id) {
  const auto& record = package.record;
  json out;
  out["SPDXID"] = id;
  out["name"] = record.name;
  out["versionInfo"] = record.version;
  std::string supplier = in.os.name.empty() ? "" : "Organization: " + in.os.name;
  out["supplier"] = supplier.empty() ? "NOASSERTION" : supplier;
  out["downloadLocation"] = "NOASSERTION";
  out["filesAnalyzed"] = false;
  out["licenseConcluded"] = "NOASSERTION";
  out["licenseDeclared"] = record.license.empty() ? "NOASSERTION" : record.license;
  out["copyrightText"] = "NOASSERTION";
  if (!record.description.empty()) out["description"] = record.description;
  if (!record.url.empty()) out["homepage"] = record.url;
  if (std::string hex = q1_to_hex(record.identity); !hex.empty())
    out["checksums"] = json::array({{{"algorithm", "SHA1"}, {"checksumValue", hex}}});
  out["externalRefs"] = json::array({{{"referenceCategory", "PACKAGE-MANAGER"},
                                      {"referenceType", "purl"},
                                      {"referenceLocator", apk::apk_purl(in.os.id, record.name, record.version,
                                                                             record.arch.empty() ? in.apk_arch : record.arch)}}});
  out["primaryPackagePurpose"] = "LIBRARY";
  return out;
}

}  // namespace

OsRelease read_os_release(const std::filesystem::path& root) {
  OsRelease os;
  for (const char* candidate : {"etc/os-release", "usr/lib/os-release"}) {
    std::filesystem::path path = root / candidate;
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error)) continue;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      size_t eq = line.find('=');
      if (eq == std::string::npos) continue;
      std::string key = line.substr(0, eq);
      std::string value = unquote(line.substr(eq + 1));
      if (key == "ID" && !value.empty()) os.id = value;
      else if (key == "NAME") os.name = value;
      else if (key == "VERSION_ID") os.version_id = value;
    }
    break;
  }
  return os;
}

std::string image_sbom_file_name(const std::string& apk_arch) { return "sbom-" + apk_arch + ".spdx.json"; }

std::string make_image_sbom(const ImageSbomInputs& in) {
  std::string digest_hex = in.image_digest.substr(in.image_digest.find(':') + 1);
  std::string image_id = "SPDXRef-Package-Image-" + apk::spdx_id(digest_hex.substr(0, 16));
  std::string os_id = "SPDXRef-OperatingSystem-" + apk::spdx_id(in.os.id);

  json doc;
  doc["spdxVersion"] = "SPDX-2.3";
  doc["dataLicense"] = "CC0-1.0";
  doc["SPDXID"] = "SPDXRef-DOCUMENT";
  doc["name"] = "sbom-" + in.image_digest;
  doc["documentNamespace"] = "https://spdx.org/spdxdocs/lupine/image-" + in.apk_arch + "-" + digest_hex;
  doc["creationInfo"] = {{"created", apk::rfc3339_utc(in.created)},
                         {"creators", json::array({"Tool: lupine"})},
                         {"licenseListVersion", "3.22"}};
  doc["documentDescribes"] = json::array({image_id});

  json packages = json::array();
  json relationships = json::array();
  json external_refs = json::array();
  relationships.push_back(
      {{"spdxElementId", "SPDXRef-DOCUMENT"}, {"relationshipType", "DESCRIBES"}, {"relatedSpdxElement", image_id}});

  std::string purl = "pkg:oci/" + in.image_name + "@" + in.image_digest + "?arch=" + in.go_arch +
                     "&mediaType=application%2Fvnd.oci.image.manifest.v1%2Bjson&os=linux";
  packages.push_back({{"SPDXID", image_id},
                      {"name", in.image_name + "@" + in.image_digest},
                      {"versionInfo", in.image_digest},
                      {"downloadLocation", "NOASSERTION"},
                      {"filesAnalyzed", false},
                      {"licenseConcluded", "NOASSERTION"},
                      {"licenseDeclared", "NOASSERTION"},
                      {"copyrightText", "NOASSERTION"},
                      {"checksums", json::array({{{"algorithm", "SHA256"}, {"checksumValue", digest_hex}}})},
                      {"externalRefs", json::array({{{"referenceCategory", "PACKAGE-MANAGER"},
                                                     {"referenceType", "purl"},
                                                     {"referenceLocator", purl}}})},
                      {"primaryPackagePurpose", "CONTAINER"}});
  packages.push_back({{"SPDXID", os_id},
                      {"name", in.os.id},
                      {"versionInfo", in.os.version_id.empty() ? "NOASSERTION" : in.os.version_id},
                      {"downloadLocation", "NOASSERTION"},
                      {"filesAnalyzed", false},
                      {"licenseConcluded", "NOASSERTION"},
                      {"licenseDeclared", "NOASSERTION"},
                      {"copyrightText", "NOASSERTION"},
                      {"primaryPackagePurpose", "OPERATING-SYSTEM"}});
  relationships.push_back({{"spdxElementId", image_id}, {"relationshipType", "CONTAINS"}, {"relatedSpdxElement", os_id}});

  for (const auto& package : *in.packages) {
    const auto& record = package.record;
    std::string id = "SPDXRef-Package-" + apk::spdx_id(record.name + "-" + record.version);
    packages.push_back(package_json(package, in, id));
    relationships.push_back({{"spdxElementId", os_id}, {"relationshipType", "CONTAINS"}, {"relatedSpdxElement", id}});
    // The package's own SBOM, when it ships one (melange's and lupine's path for it).
    std::filesystem::path own = in.root / apk::sbom_path(record.name, record.version);
    std::error_code error;
    if (!std::filesystem::is_regular_file(own, error)) continue;
    std::string text = read_file(own);
    json parsed = json::parse(text, nullptr, false);
    if (parsed.is_discarded() || !parsed.contains("documentNamespace")) continue;
    std::string ref = "DocumentRef-" + apk::spdx_id(record.name + "-" + record.version);
    external_refs.push_back({{"externalDocumentId", ref},
                             {"spdxDocument", parsed["documentNamespace"]},
                             {"checksum", {{"algorithm", "SHA1"}, {"checksumValue", sha1_hex(text)}}}});
    relationships.push_back(
        {{"spdxElementId", id}, {"relationshipType", "DESCRIBED_BY"}, {"relatedSpdxElement", ref + ":SPDXRef-DOCUMENT"}});
  }
  if (!external_refs.empty()) doc["externalDocumentRefs"] = external_refs;
  doc["packages"] = packages;
  doc["relationships"] = relationships;
  return doc.dump(2) + "\n";
}

}  // namespace lupine::image
