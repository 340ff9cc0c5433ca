#include "builder/build/sbom.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace lupine::builder {
namespace {

SbomInputs inputs(std::vector<BuildRootPackage> build_root) {
  SbomInputs in;
  in.package = {"hello", "2.10-r0", "x86_64", "GPL-3.0-or-later", "hello", "", "hello"};
  in.recipe_name = "hello.yaml";
  in.recipe_sha256 = std::string(64, 'a');
  in.build_root = std::move(build_root);
  in.created = 1700000000;
  in.tool_version = "0.1.0";
  return in;
}

// The same build root installed in another order (a recipe's world, or the same packages locked as
// name=version by a rebuild) gives the same SBOM: it lists them by name.
TEST(PackageSbom, BuildRootIsListedByNameWhateverTheInstallOrder) {
  BuildRootPackage busybox{"busybox", "1.37.0-r0", "x86_64", "Q1a"};
  BuildRootPackage baselayout{"baselayout", "1.0-r0", "x86_64", "Q1b"};
  BuildRootPackage zlib{"zlib", "1.3.1-r0", "x86_64", "Q1c"};
  std::string one = make_package_sbom(inputs({busybox, baselayout, zlib}));
  EXPECT_EQ(one, make_package_sbom(inputs({zlib, busybox, baselayout})));
  nlohmann::json sbom = nlohmann::json::parse(one);
  std::vector<std::string> names;
  for (const auto& package : sbom["packages"])
    if (package["SPDXID"].get<std::string>().rfind("SPDXRef-BuildRoot-", 0) == 0) names.push_back(package["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"baselayout", "busybox", "zlib"}));
}

}  // namespace
}  // namespace lupine::builder
