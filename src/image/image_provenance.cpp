#include "image/image_provenance.h"

#include "apk/provenance.h"
#include "apk/spdx.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace lupine::image {

using Json = nlohmann::ordered_json;

namespace {

// "sha256:abc…" → {"sha256": "abc…"}
Json digest_of(const std::string& digest) {
  size_t colon = digest.find(':');
  return {{digest.substr(0, colon), digest.substr(colon + 1)}};
}

}  // namespace

std::string make_image_provenance_statement(const ImageProvenanceInputs& in) {
  const BuildResult& result = *in.result;
  std::string name = in.tag.empty() ? result.output.filename().string() : in.tag;
  Json subjects = Json::array({{{"name", name}, {"digest", digest_of(result.index_digest)}}});
  Json dependencies = Json::array();
  for (const auto& arch : result.archs) {
    subjects.push_back({{"name", name + "@" + arch.go_arch}, {"digest", digest_of(arch.manifest_digest)}});
    for (const auto& package : arch.package_records) {
      Json descriptor{{"name", package.name},
                      {"uri", fmt::format("pkg:apk/{}@{}?arch={}", package.name, package.version, arch.apk_arch)}};
      if (auto sha1 = apk::identity_sha1_hex(package.identity)) descriptor["digest"] = {{"sha1", *sha1}};
      Json annotations{{"apk-checksum", package.identity}};
      if (!package.provenance_sha256.empty()) annotations["provenance-sha256"] = package.provenance_sha256;
      descriptor["annotations"] = annotations;
      dependencies.push_back(descriptor);
    }
  }
  Json archs = Json::array();
  for (const auto& arch : result.archs) archs.push_back(arch.apk_arch);
  Json statement;
  statement["_type"] = apk::kStatementType;
  statement["subject"] = subjects;
  statement["predicateType"] = apk::kSlsaProvenanceType;
  statement["predicate"] = {
      {"buildDefinition",
       {{"buildType", kImageProvenanceBuildType},
        {"externalParameters", {{"config", {{"name", in.config_name}, {"checksum", in.config_checksum}}},
                                {"tag", in.tag},
                                {"archs", archs}}},
        {"resolvedDependencies", dependencies}}},
      {"runDetails",
       {{"builder", {{"id", "https://lupine.dev/builders/lupine/v1"}}},
        {"metadata", {{"startedOn", apk::rfc3339_utc(in.started)}, {"finishedOn", apk::rfc3339_utc(in.finished)}}}}}};
  return statement.dump(2) + "\n";
}

}  // namespace lupine::image
