#include "builder/build/sbom.h"

#include "apk/spdx.h"
#include "common/hash.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <tuple>

namespace lupine::builder {
namespace {

using apk::apk_purl;
using apk::purl_encode;
using apk::rfc3339_utc;
using apk::spdx_id;

using Json = nlohmann::ordered_json;

std::string or_noassertion(const std::string& text) { return text.empty() ? "NOASSERTION" : text; }

// The file name of a URI without query, fragment and archive extensions: "hello-2.10.tar.gz" → "hello-2.10".
std::string source_name(const std::string& uri) {
  std::string path = uri.substr(0, uri.find_first_of("?#"));
  while (!path.empty() && path.back() == '/') path.pop_back();
  std::string name = path.substr(path.find_last_of('/') + 1);
  for (const char* extension : {".tar.gz", ".tar.xz", ".tar.bz2", ".tar.zst", ".tar.lz", ".tgz", ".zip", ".tar"}) {
    std::string_view ext(extension);
    if (name.size() > ext.size() && name.ends_with(ext)) {
      name.resize(name.size() - ext.size());
      break;
    }
  }
  if (name.ends_with(".git")) name.resize(name.size() - 4);
  return name.empty() ? "source" : name;
}

Json source_package(const SbomSource& source, size_t index) {
  std::string name = source_name(source.uri);
  Json package;
  package["SPDXID"] = fmt::format("SPDXRef-Source-{}-{}", index, spdx_id(name));
  package["name"] = name;
  std::string version = !source.git_tag.empty() ? source.git_tag : source.git_commit;
  if (!version.empty()) package["versionInfo"] = version;
  package["downloadLocation"] = source.git_commit.empty() ? source.uri : "git+" + source.uri + "@" + source.git_commit;
  package["filesAnalyzed"] = false;
  package["licenseConcluded"] = "NOASSERTION";
  package["licenseDeclared"] = "NOASSERTION";
  package["copyrightText"] = "NOASSERTION";
  package["supplier"] = "NOASSERTION";
  Json checksums = Json::array();
  if (!source.sha256.empty()) checksums.push_back({{"algorithm", "SHA256"}, {"checksumValue", source.sha256}});
  if (!source.sha512.empty()) checksums.push_back({{"algorithm", "SHA512"}, {"checksumValue", source.sha512}});
  if (!checksums.empty()) package["checksums"] = checksums;

  std::string purl;
  if (!source.git_commit.empty()) {
    purl = fmt::format("pkg:generic/{}@{}?vcs_url={}", purl_encode(name), purl_encode(version),
                       purl_encode("git+" + source.uri + "@" + source.git_commit));
  } else {
    purl = "pkg:generic/" + purl_encode(name);
    std::string qualifiers;
    if (!source.sha256.empty())
      qualifiers = "checksum=" + purl_encode("sha256:" + source.sha256);
    else if (!source.sha512.empty())
      qualifiers = "checksum=" + purl_encode("sha512:" + source.sha512);
    qualifiers += (qualifiers.empty() ? "" : "&") + std::string("download_url=") + purl_encode(source.uri);
    purl += "?" + qualifiers;
  }
  package["externalRefs"] = Json::array(
      {{{"referenceCategory", "PACKAGE-MANAGER"}, {"referenceType", "purl"}, {"referenceLocator", purl}}});
  return package;
}

}  // namespace

std::string make_package_sbom(const SbomInputs& in) {
  const SbomPackage& pkg = in.package;
  std::string package_id = "SPDXRef-Package-" + spdx_id(pkg.name + "-" + pkg.version);
  std::string recipe_id = "SPDXRef-Recipe-" + spdx_id(in.recipe_name);

  Json doc;
  doc["SPDXID"] = "SPDXRef-DOCUMENT";
  doc["name"] = fmt::format("apk-{}-{}", pkg.name, pkg.version);
  doc["spdxVersion"] = "SPDX-2.3";
  doc["creationInfo"] = {{"created", rfc3339_utc(in.created)},
                         {"creators", {"Tool: lupine (" + in.tool_version + ")", "Organization: " + in.namespace_name}},
                         {"licenseListVersion", "3.22"}};
  doc["dataLicense"] = "CC0-1.0";
  // Unique per package build inputs, yet reproducible: derived from what the document describes.
  std::string seed = fmt::format("{}\n{}\n{}\n{}\n{}", in.namespace_name, pkg.name, pkg.version, pkg.arch,
                                 in.recipe_sha256);
  doc["documentNamespace"] = fmt::format("https://spdx.org/spdxdocs/lupine/{}/{}-{}-{}", in.namespace_name, pkg.name,
                                         pkg.version, sha256_hex(seed).substr(0, 32));
  doc["documentDescribes"] = {package_id};

  Json packages = Json::array();
  packages.push_back({{"SPDXID", "SPDXRef-OperatingSystem"},
                      {"name", in.namespace_name},
                      {"versionInfo", ""},
                      {"filesAnalyzed", false},
                      {"licenseConcluded", "NOASSERTION"},
                      {"licenseDeclared", "NOASSERTION"},
                      {"downloadLocation", "NOASSERTION"},
                      {"supplier", "Organization: " + in.namespace_name},
                      {"primaryPackagePurpose", "OPERATING-SYSTEM"}});
  Json apk;
  apk["SPDXID"] = package_id;
  apk["name"] = pkg.name;
  apk["versionInfo"] = pkg.version;
  apk["filesAnalyzed"] = false;
  apk["licenseConcluded"] = "NOASSERTION";
  apk["licenseDeclared"] = or_noassertion(pkg.license);
  apk["description"] = pkg.description;
  apk["downloadLocation"] = "NOASSERTION";
  if (!pkg.url.empty()) apk["homepage"] = pkg.url;
  apk["originator"] = "Organization: " + in.namespace_name;
  apk["supplier"] = "Organization: " + in.namespace_name;
  apk["copyrightText"] = "NOASSERTION";
  if (!pkg.origin.empty() && pkg.origin != pkg.name) apk["sourceInfo"] = "built from the recipe of " + pkg.origin;
  apk["primaryPackagePurpose"] = "APPLICATION";
  apk["externalRefs"] = Json::array({{{"referenceCategory", "PACKAGE-MANAGER"},
                                      {"referenceType", "purl"},
                                      {"referenceLocator", apk_purl(in.namespace_name, pkg.name, pkg.version, pkg.arch)}}});
  packages.push_back(apk);

  Json recipe;
  recipe["SPDXID"] = recipe_id;
  recipe["name"] = in.recipe_name;
  if (!in.recipe_commit.empty()) recipe["versionInfo"] = in.recipe_commit;
  recipe["filesAnalyzed"] = false;
  recipe["licenseConcluded"] = "NOASSERTION";
  recipe["licenseDeclared"] = "NOASSERTION";
  recipe["downloadLocation"] = "NOASSERTION";
  recipe["copyrightText"] = "NOASSERTION";
  recipe["supplier"] = "Organization: " + in.namespace_name;
  if (!in.recipe_sha256.empty())
    recipe["checksums"] = Json::array({{{"algorithm", "SHA256"}, {"checksumValue", in.recipe_sha256}}});
  recipe["primaryPackagePurpose"] = "SOURCE";
  packages.push_back(recipe);

  Json relationships = Json::array();
  relationships.push_back({{"spdxElementId", "SPDXRef-DOCUMENT"},
                           {"relationshipType", "DESCRIBES"},
                           {"relatedSpdxElement", package_id}});
  relationships.push_back({{"spdxElementId", package_id},
                           {"relationshipType", "DESCRIBED_BY"},
                           {"relatedSpdxElement", recipe_id}});
  relationships.push_back({{"spdxElementId", package_id},
                           {"relationshipType", "DEPENDS_ON"},
                           {"relatedSpdxElement", "SPDXRef-OperatingSystem"}});
  if (!in.compiled_recipe_sha256.empty()) {
    const std::string compiled_id = "SPDXRef-CompiledRecipe";
    packages.push_back({{"SPDXID", compiled_id},
                        {"name", ".melange.yaml"},
                        {"filesAnalyzed", false},
                        {"licenseConcluded", "NOASSERTION"},
                        {"licenseDeclared", "NOASSERTION"},
                        {"downloadLocation", "NOASSERTION"},
                        {"copyrightText", "NOASSERTION"},
                        {"checksums", Json::array({{{"algorithm", "SHA256"}, {"checksumValue", in.compiled_recipe_sha256}}})},
                        {"comment", "the compiled recipe, its environment locked to the build root, in the package's "
                                    "control member"},
                        {"primaryPackagePurpose", "SOURCE"}});
    relationships.push_back(
        {{"spdxElementId", package_id}, {"relationshipType", "DESCRIBED_BY"}, {"relatedSpdxElement", compiled_id}});
    relationships.push_back(
        {{"spdxElementId", compiled_id}, {"relationshipType", "GENERATED_FROM"}, {"relatedSpdxElement", recipe_id}});
  }
  for (size_t i = 0; i < in.sources.size(); ++i) {
    Json source = source_package(in.sources[i], i + 1);
    relationships.push_back({{"spdxElementId", package_id},
                             {"relationshipType", "GENERATED_FROM"},
                             {"relatedSpdxElement", source["SPDXID"]}});
    packages.push_back(std::move(source));
  }
  // By name, not in install order: the order the solver installs a set in depends on how the world
  // was written (a recipe's packages, or the same set locked as name=version in .melange.yaml), and
  // a rebuild from the locked form must give the same bytes.
  std::vector<BuildRootPackage> build_root = in.build_root;
  std::sort(build_root.begin(), build_root.end(), [](const BuildRootPackage& a, const BuildRootPackage& b) {
    return std::tie(a.name, a.version, a.arch) < std::tie(b.name, b.version, b.arch);
  });
  for (const BuildRootPackage& input : build_root) {
    std::string id = "SPDXRef-BuildRoot-" + spdx_id(input.name + "-" + input.version);
    packages.push_back({{"SPDXID", id},
                        {"name", input.name},
                        {"versionInfo", input.version},
                        {"filesAnalyzed", false},
                        {"licenseConcluded", "NOASSERTION"},
                        {"licenseDeclared", "NOASSERTION"},
                        {"downloadLocation", "NOASSERTION"},
                        {"copyrightText", "NOASSERTION"},
                        {"comment", fmt::format("in the build root ({})", input.arch)}});
    relationships.push_back(
        {{"spdxElementId", id}, {"relationshipType", "BUILD_DEPENDENCY_OF"}, {"relatedSpdxElement", package_id}});
  }
  doc["packages"] = packages;
  doc["relationships"] = relationships;
  return doc.dump(2) + "\n";
}

}  // namespace lupine::builder
