#include "builder/build/provenance.h"

#include "apk/provenance.h"
#include "apk/spdx.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace lupine::builder {

using Json = nlohmann::ordered_json;

namespace {

// A build-root package as a ResourceDescriptor: its purl, and its C: identity ("Q1" + base64 of a
// SHA-1 over the control member) as the sha1 digest it is.
Json root_package(const BuildRootPackage& input, const std::string& namespace_name) {
  Json descriptor{{"name", input.name},
                  {"uri", fmt::format("pkg:apk/{}/{}@{}?arch={}", namespace_name, input.name, input.version, input.arch)}};
  if (auto sha1 = apk::identity_sha1_hex(input.identity)) descriptor["digest"] = {{"sha1", *sha1}};
  descriptor["annotations"] = {{"apk-checksum", input.identity}};
  return descriptor;
}

Json source(const BuildSource& input) {
  Json digest = Json::object();
  if (!input.sha256.empty()) digest["sha256"] = input.sha256;
  if (!input.sha512.empty()) digest["sha512"] = input.sha512;
  if (!input.git_commit.empty()) digest["gitCommit"] = input.git_commit;
  Json descriptor{{"uri", input.uri}, {"digest", digest}};
  if (!input.git_tag.empty()) descriptor["annotations"] = {{"tag", input.git_tag}};
  return descriptor;
}

}  // namespace

std::string make_provenance_statement(const ProvenanceInputs& in) {
  Json dependencies = Json::array();
  if (!in.compiled_recipe_sha256.empty())
    dependencies.push_back({{"name", ".melange.yaml"}, {"digest", {{"sha256", in.compiled_recipe_sha256}}}});
  for (const auto& input : in.sources) dependencies.push_back(source(input));
  for (const auto& input : in.build_root) dependencies.push_back(root_package(input, in.namespace_name));

  Json recipe{{"name", in.recipe_name}};
  if (!in.recipe_sha256.empty()) recipe["digest"] = {{"sha256", in.recipe_sha256}};
  Json statement;
  statement["_type"] = apk::kStatementType;
  statement["subject"] = Json::array({{{"name", in.package_file}, {"digest", {{"sha256", in.package_sha256}}}}});
  statement["predicateType"] = apk::kSlsaProvenanceType;
  statement["predicate"] = {
      {"buildDefinition",
       {{"buildType", kProvenanceBuildType},
        {"externalParameters",
         {{"recipe", recipe}, {"package", in.origin}, {"version", in.full_version}, {"arch", in.arch}}},
        {"internalParameters", {{"SOURCE_DATE_EPOCH", in.source_date_epoch}, {"namespace", in.namespace_name}}},
        {"resolvedDependencies", dependencies}}},
      {"runDetails",
       {{"builder", {{"id", kProvenanceBuilderId}, {"version", {{"lupine", in.lupine_version}}}}},
        {"metadata",
         {{"invocationId", fmt::format("{}-{}-{}@{}", in.origin, in.full_version, in.arch, in.started)},
          {"startedOn", apk::rfc3339_utc(in.started)},
          {"finishedOn", apk::rfc3339_utc(in.finished)}}}}}};
  return statement.dump(2) + "\n";
}

}  // namespace lupine::builder
