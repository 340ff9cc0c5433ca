// `lupine build` / `lupine test` as library calls, against the real bubblewrap and a busybox-only
// repository made at test time (build_test_repository.h). Without bwrap or a static busybox the
// tests skip; under LUPINE_REQUIRE_FIXTURES=1 they fail.
#include "apk/dsse.h"
#include "apk/package.h"
#include "apk/provenance.h"
#include "builder/build/build.h"
#include "builder/build/build_pipeline.h"
#include "builder/recipe/compiled_yaml.h"
#include "builder/recipe/pipeline_library.h"
#include "builder/build/recipe_test_run.h"
#include "builder/build/build_test_repository.h"
#include "common/fs.h"
#include "common/hash.h"
#include "index/index_builder.h"
#include "index/repository.h"
#include "support/fixtures.h"

#include <gmock/gmock.h>
#include <nlohmann/json.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace lupine::builder {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

constexpr const char* kRecipe = R"(package:
  name: hello
  version: "1.0"
  epoch: 2
  description: a test package
  copyright:
    - license: MIT
environment:
  contents:
    packages:
      - busybox
  environment:
    GREETING: hello
pipeline:
  - name: install the greeting
    runs: |
      mkdir -p ${{targets.destdir}}/usr/bin
      printf '#!/bin/sh\necho %s\n' "$GREETING" > ${{targets.destdir}}/usr/bin/hello
      chmod 755 ${{targets.destdir}}/usr/bin/hello
      echo "$SOURCE_DATE_EPOCH" > ${{targets.destdir}}/usr/bin/.sde
      id -u > ${{targets.destdir}}/usr/bin/.uid
  - name: nested
    working-directory: sub/dir
    environment:
      INNER: inner
    pipeline:
      - runs: pwd > ${{targets.destdir}}/usr/bin/.pwd; echo "$INNER" >> ${{targets.destdir}}/usr/bin/.pwd
      - if: ${{build.arch}} == 'no-such-arch'
        runs: exit 99
subpackages:
  - name: hello-doc
    pipeline:
      - runs: |
          mkdir -p ${{targets.subpkgdir}}/usr/share/doc/hello
          echo docs > ${{targets.subpkgdir}}/usr/share/doc/hello/README
    test:
      environment:
        contents:
          packages:
            - busybox
      pipeline:
        # The steps of a run share /tmp, as melange's steps share their guest's.
        - runs: echo kept > /tmp/from-the-first-step
        - runs: cat /usr/share/doc/hello/README; grep -qx kept /tmp/from-the-first-step
test:
  environment:
    contents:
      packages:
        - busybox
  pipeline:
    - name: says hello
      runs: |
        hello | grep -x hello
)";

std::string replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

class Build : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (testing::build_sandbox_unavailable()) return;
    scratch_ = new TempDir("lupine-build-repo");
    repo_ = new testing::TestRepository(testing::make_busybox_repository(scratch_->path()));
  }
  static void TearDownTestSuite() {
    delete repo_;
    delete scratch_;
    repo_ = nullptr;
    scratch_ = nullptr;
  }

  fs::path write_recipe(const std::string& text, const std::string& name = "hello.yaml") {
    fs::path path = dir_.path() / "recipes" / name;
    fs::create_directories(path.parent_path());
    write_file_atomic(path, text);
    return path;
  }

  BuildPlan compile(const fs::path& recipe) {
    PipelineLibrary library(PipelineLibrary::search_path_with_builtin({}));
    Diagnostics diagnostics;
    auto plan = compile_recipe_file(recipe.string(), library, CompileOptions{}, diagnostics);
    EXPECT_FALSE(diagnostics.has_errors()) << diagnostics.str();
    return *plan;
  }

  BuildOptions options(const fs::path& recipe, const std::string& out = "out") {
    BuildOptions options;
    options.recipe = recipe;
    options.out_dir = dir_.path() / out;
    options.cache_dir = dir_.path() / "cache";
    options.repositories = {repo_->dir.string()};
    options.keyring = {repo_->public_key};
    options.signer.key = &key();
    options.signer.key_name = "test-build.rsa.pub";
    options.source_date_epoch = 1234567890;
    options.time_limit = std::chrono::seconds(120);
    options.echo_output = false;
    return options;
  }

  static const RsaPrivateKey& key() {
    static const RsaPrivateKey loaded = RsaPrivateKey::load(repo_->private_key.string());
    return loaded;
  }

  BuildRootRequest busybox_root_request() const {
    BuildRootRequest request;
    request.packages = {"busybox"};
    request.repositories = {repo_->dir.string()};
    request.keyring = {repo_->public_key};
    request.arch = repo_->arch;
    request.cache_dir = dir_.path() / "cache";
    return request;
  }

  fs::path package_path(const BuildOptions& options, const std::string& file) const {
    return options.out_dir / repo_->arch / file;
  }

  static inline TempDir* scratch_ = nullptr;
  static inline testing::TestRepository* repo_ = nullptr;
  TempDir dir_{"lupine-build"};
};

TEST_F(Build, BuildsSignedPackagesAndTheIndex) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  fs::path recipe = write_recipe(kRecipe);
  BuildOptions opts = options(recipe);
  BuildResult result = build_package(compile(recipe), opts);

  ASSERT_EQ(result.packages.size(), 2u);
  fs::path main = package_path(opts, "hello-1.0-r2.apk");
  fs::path doc = package_path(opts, "hello-doc-1.0-r2.apk");
  EXPECT_EQ(result.packages[0].file, main);
  ASSERT_TRUE(fs::exists(main));
  ASSERT_TRUE(fs::exists(doc));

  apk::Keyring keyring;
  keyring.add(repo_->public_key);
  index::IndexRecord record = index::index_package_file(main, keyring, false);  // verifies signature and hashes
  EXPECT_EQ(record.name, "hello");
  EXPECT_EQ(record.version, "1.0-r2");
  EXPECT_EQ(record.build_time, 1234567890);

  auto package = apk::Package::parse(read_file(main), main.string());
  std::map<std::string, std::string> files;
  for (const auto& file : package.data_entries()) files[file.entry.path] = std::string(file.data);
  EXPECT_EQ(files["usr/bin/hello"], "#!/bin/sh\necho hello\n");
  EXPECT_EQ(files["usr/bin/.sde"], "1234567890\n");
  EXPECT_EQ(files["usr/bin/.uid"], "0\n");
  EXPECT_EQ(files["usr/bin/.pwd"], "/home/build/sub/dir\ninner\n");

  auto index = index::load_index(index::Repository::parse(opts.out_dir.string()), repo_->arch, keyring, false, {});
  std::vector<std::string> names;
  for (const auto& r : index.records) names.push_back(r.name + "-" + r.version);
  EXPECT_THAT(names, ::testing::UnorderedElementsAre("hello-1.0-r2", "hello-doc-1.0-r2"));

  std::string log = read_file(result.log);
  EXPECT_EQ(result.log, opts.out_dir / repo_->arch / "buildlogs" / "hello-1.0-r2.log");
  EXPECT_THAT(log, HasSubstr("==> hello: install the greeting"));
  EXPECT_THAT(log, HasSubstr("==> hello: nested"));

  // What built it, beside the log and in the SBOM: busybox as the repository lists it (C: included).
  auto repository = index::load_index(index::Repository::parse(repo_->dir.string()), repo_->arch, keyring, false, {});
  ASSERT_EQ(repository.records.size(), 1u);
  const index::IndexRecord& root_package = repository.records[0];
  nlohmann::json root_record = nlohmann::json::parse(read_file(opts.out_dir / repo_->arch / "buildlogs" /
                                                          "hello-1.0-r2.buildroot.json"));
  EXPECT_EQ(root_record["package"], "hello");
  EXPECT_EQ(root_record["version"], "1.0-r2");
  ASSERT_EQ(root_record["build_root"].size(), 1u);
  EXPECT_EQ(root_record["build_root"][0]["name"], root_package.name);
  EXPECT_EQ(root_record["build_root"][0]["version"], root_package.version);
  EXPECT_EQ(root_record["build_root"][0]["identity"], root_package.identity);
  nlohmann::json sbom = nlohmann::json::parse(files["var/lib/db/sbom/hello-1.0-r2.spdx.json"]);
  std::string root_id;
  for (const auto& spdx_package : sbom["packages"])
    if (spdx_package["name"] == root_package.name) {
      root_id = spdx_package["SPDXID"];
      EXPECT_EQ(spdx_package["versionInfo"], root_package.version);
    }
  ASSERT_FALSE(root_id.empty()) << sbom.dump(2);
  bool linked = false;
  for (const auto& relationship : sbom["relationships"])
    linked |= relationship["spdxElementId"] == root_id && relationship["relationshipType"] == "BUILD_DEPENDENCY_OF";
  EXPECT_TRUE(linked) << sbom.dump(2);

  // Each package carries the compiled recipe as melange does (.melange.yaml, after .PKGINFO), its
  // environment locked to the build root, and the SBOM names it by its sha256.
  std::optional<std::string_view> melange_yaml = package.control_file(".melange.yaml");
  ASSERT_TRUE(melange_yaml);
  EXPECT_EQ(package.control_entries()[1].entry.path, ".melange.yaml");
  EXPECT_THAT(std::string(*melange_yaml), HasSubstr("    packages:\n      - \"busybox=" + root_package.version + "\"\n"));
  EXPECT_THAT(std::string(*melange_yaml), HasSubstr("  - name: \"hello-doc\"\n"));
  EXPECT_THAT(std::string(*melange_yaml), Not(HasSubstr("${{")));
  auto doc_package = apk::Package::parse(read_file(doc), doc.string());
  EXPECT_EQ(doc_package.control_file(".melange.yaml"), melange_yaml);
  std::string compiled_checksum;
  for (const auto& spdx_package : sbom["packages"])
    if (spdx_package["name"] == ".melange.yaml") compiled_checksum = spdx_package["checksums"][0]["checksumValue"];
  EXPECT_EQ(compiled_checksum, sha256_hex(*melange_yaml)) << sbom.dump(2);

  // Beside each package, its SLSA provenance, signed with the same key: the file by sha256, the
  // build root by C: identity.
  fs::path provenance_file = apk::provenance_path(main);
  ASSERT_TRUE(fs::exists(provenance_file));
  std::string envelope = read_file(provenance_file);
  apk::ProvenanceCheck check =
      apk::verify_provenance(envelope, read_file(main), main.filename().string(), keyring, provenance_file.string());
  EXPECT_EQ(check.key_name, "test-build.rsa.pub");
  EXPECT_EQ(check.builder_id, "https://lupine.dev/builders/lupine/v1");
  nlohmann::json statement = nlohmann::json::parse(apk::verify_dsse_envelope(envelope, keyring, "p").payload);
  const auto& definition = statement["predicate"]["buildDefinition"];
  EXPECT_EQ(definition["externalParameters"]["recipe"]["name"], "hello.yaml");
  EXPECT_EQ(definition["internalParameters"]["SOURCE_DATE_EPOCH"], 1234567890);
  bool busybox_listed = false;
  for (const auto& dependency : definition["resolvedDependencies"])
    busybox_listed |= dependency.value("name", "") == "busybox" &&
                      dependency["annotations"]["apk-checksum"] == root_package.identity &&
                      dependency["digest"]["sha1"].get<std::string>().size() == 40;
  EXPECT_TRUE(busybox_listed) << statement.dump(2);
  EXPECT_TRUE(fs::exists(apk::provenance_path(doc)));

  // It is a recipe: compiled again, with no pipeline library, it gives the same text.
  fs::path embedded = write_recipe(std::string(*melange_yaml), "embedded.yaml");
  PipelineLibrary none(std::vector<fs::path>{});
  Diagnostics diagnostics;
  auto again = compile_recipe_file(embedded.string(), none, CompileOptions{}, diagnostics);
  ASSERT_TRUE(again) << diagnostics.str();
  EXPECT_EQ(compiled_recipe_yaml(*again), *melange_yaml);
}

// Owners are recorded as the steps left them (a setgid program stays its group's, not root's), as
// melange records them; its build user (1000) is root. Other ids than 0 need the sandbox's id map,
// which lupine makes when it runs as root.
TEST_F(Build, PackagesKeepTheOwnersStepsGaveTheirFiles) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  if (::geteuid() != 0) GTEST_SKIP() << "giving files to other ids in the sandbox needs lupine to run as root";
  fs::path recipe = write_recipe(R"(package:
  name: owners
  version: "1.0"
  epoch: 0
  description: files of other accounts
  copyright:
    - license: MIT
environment:
  contents:
    packages:
      - busybox
pipeline:
  - runs: |
      d=${{targets.destdir}}/usr/bin
      mkdir -p $d
      echo wall > $d/wall; chmod 755 $d/wall; chgrp 5 $d/wall; chmod g+s $d/wall
      echo built > $d/built; chown 1000:1000 $d/built
      echo plain > $d/plain
)",
                                 "owners.yaml");
  BuildOptions opts = options(recipe);
  build_package(compile(recipe), opts);
  fs::path file = package_path(opts, "owners-1.0-r0.apk");
  auto package = apk::Package::parse(read_file(file), file.string());
  std::map<std::string, const apk::TarEntry*> entries;
  for (const auto& entry : package.data_entries()) entries[entry.entry.path] = &entry.entry;
  ASSERT_TRUE(entries.count("usr/bin/wall") && entries.count("usr/bin/built") && entries.count("usr/bin/plain"));
  EXPECT_EQ(entries["usr/bin/wall"]->gid, 5u);
  EXPECT_EQ(entries["usr/bin/wall"]->uid, 0u);
  EXPECT_EQ(entries["usr/bin/wall"]->mode & 07777, 02755u);
  EXPECT_EQ(entries["usr/bin/built"]->uid, 0u);
  EXPECT_EQ(entries["usr/bin/built"]->gid, 0u);
  EXPECT_EQ(entries["usr/bin/plain"]->uid, 0u);
  EXPECT_EQ(entries["usr/bin/plain"]->uname, "root");
}

TEST_F(Build, UnchangedRootIsReused) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  fs::path recipe = write_recipe(kRecipe);
  BuildResult first = build_package(compile(recipe), options(recipe));
  EXPECT_FALSE(first.root.reused);
  auto installed = fs::last_write_time(first.root.path / "lib/apk/db/installed");
  BuildResult second = build_package(compile(recipe), options(recipe, "out2"));
  EXPECT_TRUE(second.root.reused);
  EXPECT_EQ(second.root.path, first.root.path);
  EXPECT_EQ(fs::last_write_time(second.root.path / "lib/apk/db/installed"), installed);
  EXPECT_THAT(read_file(second.log), HasSubstr("reused"));
  // No temporary roots are left beside it.
  for (const auto& entry : fs::directory_iterator(first.root.path.parent_path()))
    EXPECT_EQ(entry.path().filename().string().rfind(".tmp-", 0), std::string::npos) << entry.path();
}

TEST_F(Build, ConcurrentBuildsOfOneRootShareIt) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  BuildRootRequest request = busybox_root_request();
  std::vector<BuildRoot> roots(4);
  std::vector<std::string> errors(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < roots.size(); ++i)
    threads.emplace_back([&, i] {
      try {
        roots[i] = prepare_build_root(request);
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  for (auto& thread : threads) thread.join();
  for (size_t i = 0; i < roots.size(); ++i) {
    EXPECT_EQ(errors[i], "");
    EXPECT_EQ(roots[i].path, roots[0].path);
  }
  EXPECT_TRUE(fs::exists(roots[0].path / "bin/busybox"));
  EXPECT_THAT(read_file(roots[0].path / "etc/passwd"), HasSubstr("root:x:0:0:"));
  size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(request.cache_dir / "roots")) ++entries;
  EXPECT_EQ(entries, 1u);  // the losers' copies are gone
}

// What a farm keys a build on is what the build installs: a resolved root is installed from the
// repositories as they were read, whatever happens to them afterwards.
TEST_F(Build, AResolvedRootIsInstalledAsResolved) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  BuildRootRequest request = busybox_root_request();
  auto resolved = resolve_build_root(request);
  std::vector<std::string> identities = resolved->identities();
  ASSERT_EQ(identities.size(), 1u);

  // The repository is the suite's, shared by every test: its index is put back however this test
  // ends (it was left broken, and every later test in the same process failed).
  struct RestoreFile {
    fs::path file;
    std::string bytes;
    ~RestoreFile() { write_file_atomic(file, bytes); }
  } restore{repo_->dir / repo_->arch / "APKINDEX.tar.gz", read_file(repo_->dir / repo_->arch / "APKINDEX.tar.gz")};
  write_file_atomic(restore.file, "not an index any more");
  EXPECT_THROW(prepare_build_root(request), Error);  // resolving again reads the broken index
  std::vector<std::string> lines;
  BuildRoot root = prepare_build_root(*resolved, [&](const std::string& line) { lines.push_back(line); });
  EXPECT_EQ(root.key, build_root_key(request.arch, identities, request.accounts));
  EXPECT_EQ(root.packages, std::vector<std::string>{"busybox-1.36.1-r0"});
  EXPECT_TRUE(fs::exists(root.path / "bin/busybox"));
  ASSERT_FALSE(lines.empty());  // progress went to the given log
  EXPECT_THAT(lines.front(), HasSubstr("installing build root"));
}

TEST_F(Build, FailingStepFailsTheBuildAndLeavesNoPackage) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  fs::path recipe = write_recipe(replace(kRecipe, "  - name: nested\n", "  - name: explode\n    runs: echo about to fail; exit 3\n  - name: nested\n"));
  BuildOptions opts = options(recipe);
  try {
    build_package(compile(recipe), opts);
    FAIL() << "the build succeeded";
  } catch (const StepFailed& failure) {
    EXPECT_EQ(failure.step(), "explode");
    EXPECT_EQ(failure.status(), 3);
    EXPECT_THAT(failure.what(), HasSubstr("hello: step \"explode\" failed with exit code 3 (log: "));
  }
  EXPECT_FALSE(fs::exists(package_path(opts, "hello-1.0-r2.apk")));
  EXPECT_FALSE(fs::exists(package_path(opts, "APKINDEX.tar.gz")));
  EXPECT_THAT(read_file(build_log_path(opts, compile(recipe))), HasSubstr("about to fail"));
}

TEST_F(Build, WritingOutsideTheWorkspaceFails) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  fs::path recipe = write_recipe(replace(kRecipe, "  - name: nested\n", "  - name: escape\n    runs: touch /usr/x\n  - name: nested\n"));
  try {
    build_package(compile(recipe), options(recipe));
    FAIL() << "the build succeeded";
  } catch (const StepFailed& failure) {
    EXPECT_EQ(failure.step(), "escape");
  }
}

TEST_F(Build, TimeLimitStopsAHangingStep) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  fs::path recipe = write_recipe(replace(kRecipe, "  - name: nested\n", "  - name: hang\n    runs: sleep 600\n  - name: nested\n"));
  BuildOptions opts = options(recipe);
  BuildPlan plan = compile(recipe);
  build_package(compile(write_recipe(kRecipe, "warm.yaml")), options(recipe, "warm"));  // the root is cached
  opts.time_limit = std::chrono::seconds(3);
  auto start = std::chrono::steady_clock::now();
  try {
    build_package(plan, opts);
    FAIL() << "the build succeeded";
  } catch (const StepFailed& failure) {
    EXPECT_TRUE(failure.timed_out());
    EXPECT_EQ(failure.step(), "hang");
    EXPECT_THAT(failure.what(), HasSubstr("time limit (3s)"));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));  // the 3 s time limit, 10x over
}

TEST_F(Build, TestsPassForGoodPackagesAndFailForBadOnes) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  fs::path recipe = write_recipe(kRecipe);
  BuildOptions opts = options(recipe);
  build_package(compile(recipe), opts);
  opts.keyring.push_back(repo_->public_key);  // the packages are signed with the repository's key

  TestRunResult passed = test_packages(compile(recipe), opts);
  ASSERT_EQ(passed.packages.size(), 2u);
  EXPECT_TRUE(passed.passed()) << passed.packages[0].error << passed.packages[1].error;
  EXPECT_EQ(passed.packages[0].package, "hello");
  EXPECT_EQ(passed.packages[1].package, "hello-doc");

  fs::path bad = write_recipe(replace(kRecipe, "grep -x hello", "grep -x goodbye"), "hello-bad.yaml");
  TestRunResult failed = test_packages(compile(bad), opts);
  ASSERT_EQ(failed.packages.size(), 2u);
  EXPECT_FALSE(failed.packages[0].passed);
  EXPECT_THAT(failed.packages[0].error, HasSubstr("step \"says hello\" failed with exit code 1"));
  EXPECT_TRUE(failed.packages[1].passed);

  TestRunResult only = test_packages(compile(bad), opts, {"hello-doc"});
  ASSERT_EQ(only.packages.size(), 1u);
  EXPECT_TRUE(only.passed());
}

TEST_F(Build, SourcesAreFetchedOutsideTheSandboxAndSourceDirIsCopied) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  fs::path served = dir_.path() / "served" / "data.txt";
  fs::create_directories(served.parent_path());
  write_file_atomic(served, "fetched content\n");
  std::string sha = sha256_hex(read_file(served));
  std::string recipe_text = replace(kRecipe, "pipeline:\n  - name: install the greeting\n",
                                    "pipeline:\n  - uses: fetch\n    with:\n      uri: file://" + served.string() +
                                        "\n      expected-sha256: " + sha +
                                        "\n      extract: false\n  - name: install the greeting\n");
  recipe_text = replace(recipe_text, "      id -u >", "      cp data.txt patch.diff ${{targets.destdir}}/usr/bin/\n      id -u >");
  fs::path recipe = write_recipe(recipe_text);
  fs::create_directories(recipe.parent_path() / "hello");
  write_file_atomic(recipe.parent_path() / "hello" / "patch.diff", "a patch\n");  // Wolfi's <recipe dir>/<name>/
  BuildOptions opts = options(recipe);
  BuildResult result = build_package(compile(recipe), opts);
  ASSERT_EQ(result.sources.size(), 1u);
  EXPECT_EQ(result.sources[0].sha256, sha);
  auto package = apk::Package::parse(read_file(result.packages[0].file), "hello");
  std::map<std::string, std::string> files;
  for (const auto& file : package.data_entries()) files[file.entry.path] = std::string(file.data);
  EXPECT_EQ(files["usr/bin/data.txt"], "fetched content\n");
  EXPECT_EQ(files["usr/bin/patch.diff"], "a patch\n");
}

TEST_F(Build, SameRecipeBuildsByteIdenticalPackagesInDifferentWorkspaces) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  fs::path recipe = write_recipe(kRecipe);
  BuildOptions first = options(recipe, "out-a");
  first.workspace_dir = dir_.path() / "workspace-a";
  BuildOptions second = options(recipe, "out-b");
  second.workspace_dir = dir_.path() / "elsewhere" / "workspace-b";
  build_package(compile(recipe), first);
  build_package(compile(recipe), second);
  for (const char* name : {"hello-1.0-r2.apk", "hello-doc-1.0-r2.apk", "APKINDEX.tar.gz"})
    EXPECT_EQ(sha256_hex(read_file(package_path(first, name))), sha256_hex(read_file(package_path(second, name)))) << name;
  // --workspace-dir is kept, and emptied by the next build that uses it.
  EXPECT_TRUE(fs::exists(first.workspace_dir / "melange-out" / "hello" / "usr/bin/hello"));
  build_package(compile(recipe), first);
}

TEST_F(Build, UnresolvableEnvironmentIsAnErrorNamingThePackage) {
  LUPINE_BUILD_SANDBOX_OR_SKIP();
  fs::path recipe = write_recipe(replace(kRecipe, "      - busybox\n", "      - busybox\n      - no-such-package\n"));
  try {
    build_package(compile(recipe), options(recipe));
    FAIL() << "the build succeeded";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("no-such-package"));
  }
}

}  // namespace
}  // namespace lupine::builder
