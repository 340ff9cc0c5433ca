// Emitting packages from a build's melange-out: scanned dependencies, .PKGINFO, SBOM inside,
// signed and verifiable, reproducible.
#include "builder/build/package_emit.h"

#include "apk/keyring.h"
#include "apk/package.h"
#include "builder/build/sbom.h"
#include "common/fs.h"
#include "common/rsa.h"
#include "builder/recipe/test_data.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <utime.h>

#include <fstream>

namespace lupine::builder {
namespace {

using ::testing::Contains;
using ::testing::Not;

const char* kRecipe = R"(package:
  name: foo
  version: 1.2
  epoch: 3
  description: a test package
  url: https://example.org/foo
  copyright:
    - license: MIT
  dependencies:
    runtime:
      - bar
    provides:
      - foo-virtual=1
  scriptlets:
    post-install: |
      #!/bin/sh
      echo installed
pipeline:
  - runs: "true"
subpackages:
  - name: foo-dev
    description: headers
    pipeline:
      - runs: "true"
)";

void write(const std::filesystem::path& path, const std::string& contents, unsigned mode = 0644) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << contents;
  ::chmod(path.c_str(), mode);
}

// melange-out as a build leaves it: an ELF program, a shell script, a .pc file in the -dev package.
void make_output(const std::filesystem::path& out, time_t mtime) {
  std::filesystem::create_directories(out / "foo/usr/bin");
  // Any small dynamically linked program of the host will do (the test binary itself is large).
  std::filesystem::path program = std::filesystem::exists("/usr/bin/true") ? "/usr/bin/true" : "/proc/self/exe";
  std::filesystem::copy_file(program, out / "foo/usr/bin/foo");
  ::chmod((out / "foo/usr/bin/foo").c_str(), 0755);
  write(out / "foo/usr/bin/foo-wrapper", "#!/bin/sh\nexec foo \"$@\"\n", 0755);
  write(out / "foo-dev/usr/lib/pkgconfig/foo.pc",
        "prefix=/usr\nName: foo\nDescription: foo\nVersion: 1.2\nRequires: zlib\nLibs: -lfoo\n");
  for (const auto& entry : std::filesystem::recursive_directory_iterator(out)) {
    struct utimbuf times{mtime, mtime};
    ::utime(entry.path().c_str(), &times);
  }
}


class PackageEmit : public ::testing::Test {
 protected:
  void SetUp() override {
    Diagnostics diagnostics;
    plan_ = testing::compile_text(kRecipe, diagnostics);
    ASSERT_FALSE(diagnostics.has_errors()) << diagnostics.str();
    write(dir_.path() / "keys/test.rsa.pub", key_.public_pem());
    keyring_.add(dir_.path() / "keys/test.rsa.pub");
    write(dir_.path() / "foo.yaml", kRecipe);
  }

  std::vector<EmittedPackage> emit(const std::string& name, time_t tree_mtime) {
    std::filesystem::path out = dir_.path() / name / "melange-out";
    make_output(out, tree_mtime);
    EmitOptions options;
    options.recipe_path = dir_.path() / "foo.yaml";
    options.output_dir = out;
    options.out_dir = dir_.path() / name / "packages";
    options.signer.key = &key_;
    options.signer.key_name = "test.rsa.pub";
    options.source_date_epoch = 1700000000;
    options.sources.push_back({"https://example.org/foo-1.2.tar.gz", std::string(64, 'a'), "", "", ""});
    return emit_packages(plan_, options);
  }

  TempDir dir_;
  static const RsaPrivateKey& shared_key() {
    static const RsaPrivateKey key = RsaPrivateKey::generate(2048);
    return key;
  }
  const RsaPrivateKey& key_ = shared_key();
  apk::Keyring keyring_;
  BuildPlan plan_;
};

TEST_F(PackageEmit, WritesSignedPackagesWithScannedDependencies) {
  auto emitted = emit("a", 1000);
  ASSERT_EQ(emitted.size(), 2u);
  EXPECT_EQ(emitted[0].file, dir_.path() / "a/packages/x86_64/foo-1.2-r3.apk");
  EXPECT_EQ(emitted[1].file, dir_.path() / "a/packages/x86_64/foo-dev-1.2-r3.apk");

  apk::Package foo = apk::Package::read(emitted[0].file);
  apk::verify_package(foo, keyring_, {});
  const apk::PkgInfo& info = foo.info();
  EXPECT_EQ(info.pkgname, "foo");
  EXPECT_EQ(info.pkgver, "1.2-r3");
  EXPECT_EQ(info.origin, "foo");
  EXPECT_EQ(info.license, "MIT");
  EXPECT_EQ(info.url, "https://example.org/foo");
  EXPECT_EQ(info.builddate, 1700000000);
  EXPECT_THAT(info.depends, Contains("so:libc.so.6"));
  EXPECT_THAT(info.depends, Contains("cmd:sh"));  // the #!/bin/sh wrapper
  EXPECT_THAT(info.depends, Contains("bar"));
  EXPECT_THAT(info.provides, Contains("cmd:foo=1.2-r3"));
  EXPECT_THAT(info.provides, Contains("foo-virtual=1"));
  EXPECT_EQ(foo.identity(), emitted[0].identity);
  auto scripts = foo.scripts();
  ASSERT_EQ(scripts.size(), 1u);
  EXPECT_EQ(scripts[0].first, ".post-install");

  apk::Package dev = apk::Package::read(emitted[1].file);
  apk::verify_package(dev, keyring_, {});
  EXPECT_EQ(dev.info().origin, "foo");
  EXPECT_THAT(dev.info().provides, Contains("pc:foo=1.2-r3"));
  EXPECT_THAT(dev.info().depends, Contains("pc:zlib"));
  EXPECT_THAT(dev.info().depends, Not(Contains("bar")));  // runtime deps are the main package's
}

TEST_F(PackageEmit, ShipsAnSpdxSbomNamingRecipeAndSources) {
  auto emitted = emit("a", 1000);
  apk::Package foo = apk::Package::read(emitted[0].file);
  std::string sbom_text;
  for (const auto& item : foo.data_entries())
    if (item.entry.path == "var/lib/db/sbom/foo-1.2-r3.spdx.json") sbom_text = std::string(item.data);
  ASSERT_FALSE(sbom_text.empty()) << "no SBOM in the package";
  auto sbom = nlohmann::json::parse(sbom_text);
  EXPECT_EQ(sbom["spdxVersion"], "SPDX-2.3");
  EXPECT_EQ(sbom["creationInfo"]["created"], "2023-11-14T22:13:20Z");
  bool package_found = false, recipe_found = false, source_found = false;
  for (const auto& package : sbom["packages"]) {
    if (package["name"] == "foo") {
      package_found = true;
      EXPECT_EQ(package["licenseDeclared"], "MIT");
      EXPECT_EQ(package["externalRefs"][0]["referenceLocator"],
                "pkg:apk/lupine/foo@1.2-r3?arch=x86_64&distro=lupine");
    }
    if (package["name"] == "foo.yaml") {
      recipe_found = true;
      EXPECT_EQ(package["checksums"][0]["checksumValue"], sha256_hex(kRecipe));
    }
    if (package["name"] == "foo-1.2") {
      source_found = true;
      EXPECT_EQ(package["downloadLocation"], "https://example.org/foo-1.2.tar.gz");
      EXPECT_EQ(package["checksums"][0]["checksumValue"], std::string(64, 'a'));
    }
  }
  EXPECT_TRUE(package_found && recipe_found && source_found) << sbom.dump(2);
  // The package from its source; the compiled recipe it carries (.melange.yaml) from the recipe.
  std::vector<std::string> generated_from;
  for (const auto& relationship : sbom["relationships"])
    if (relationship["relationshipType"] == "GENERATED_FROM")
      generated_from.push_back(relationship["spdxElementId"].get<std::string>() + " " +
                               relationship["relatedSpdxElement"].get<std::string>());
  EXPECT_THAT(generated_from, ::testing::UnorderedElementsAre("SPDXRef-Package-foo-1.2-r3 SPDXRef-Source-1-foo-1.2",
                                                              "SPDXRef-CompiledRecipe SPDXRef-Recipe-foo.yaml"))
      << sbom.dump(2);
}

TEST_F(PackageEmit, SameInputsGiveSameBytes) {
  auto first = emit("a", 1000);
  auto second = emit("b", 2000000);  // another directory, other mtimes
  ASSERT_EQ(first.size(), second.size());
  for (size_t i = 0; i < first.size(); ++i)
    EXPECT_EQ(read_file(first[i].file), read_file(second[i].file)) << first[i].name;
}

}  // namespace
}  // namespace lupine::builder
