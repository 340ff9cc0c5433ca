// The built-in pipeline library (melange-recipes/pipelines): every file parses and declares only
// keys melange knows; every script is POSIX sh (dash -n, shellcheck where installed); the scripts
// that move files do what they say when run by /bin/sh; and every built-in name Wolfi uses exists,
// with every `with:` key Wolfi passes declared as an input.
#include "builder/source/fetch.h"
#include "common/fs.h"
#include "support/fixtures.h"
#include "support/run.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>

namespace fs = std::filesystem;
using ::testing::HasSubstr;

namespace {

const fs::path kPipelineDir = fs::path(__FILE__).parent_path().parent_path().parent_path().parent_path() / "melange-recipes" / "pipelines";

std::vector<std::string> pipeline_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::recursive_directory_iterator(kPipelineDir)) {
    if (entry.path().extension() != ".yaml") continue;
    std::string name = fs::relative(entry.path(), kPipelineDir).string();
    names.push_back(name.substr(0, name.size() - 5));
  }
  std::sort(names.begin(), names.end());
  return names;
}

YAML::Node load(const std::string& name) { return YAML::LoadFile((kPipelineDir / (name + ".yaml")).string()); }

bool program_available(const std::string& program) {
  return lupine::testing::run({"sh", "-c", "command -v " + program}).exit_code == 0;
}

// The scripts of a pipeline with `${{...}}` replaced: inputs from `with` over the defaults, the rest
// from `vars`. An unknown variable fails the test.
std::vector<std::string> render(const std::string& name, std::map<std::string, std::string> with,
                                 const std::map<std::string, std::string>& vars) {
  YAML::Node pipeline = load(name);
  std::map<std::string, std::string> values = vars;
  std::regex variable(R"(\$\{\{\s*([A-Za-z0-9._-]+)\s*\}\})");
  auto substitute = [&](const std::string& text) {
    std::string out;
    auto begin = std::sregex_iterator(text.begin(), text.end(), variable);
    size_t last = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
      out += text.substr(last, it->position() - last);
      auto found = values.find((*it)[1].str());
      if (found == values.end()) ADD_FAILURE() << name << ": undefined variable " << (*it)[1].str();
      else out += found->second;
      last = it->position() + it->length();
    }
    return out + text.substr(last);
  };
  for (const auto& input : pipeline["inputs"]) {
    std::string key = input.first.as<std::string>();
    std::string value = with.count(key) ? with[key] : (input.second["default"] ? input.second["default"].as<std::string>() : "");
    values["inputs." + key] = substitute(value);
  }
  for (const auto& [key, value] : with)
    if (!values.count("inputs." + key)) ADD_FAILURE() << name << ": undeclared input " << key;
  std::vector<std::string> scripts;
  for (const auto& step : pipeline["pipeline"])
    if (step["runs"]) scripts.push_back(substitute(step["runs"].as<std::string>()));
  return scripts;
}

// Runs every script of `name` with /bin/sh -e in `cwd`; the first failure's result, else the last.
lupine::testing::RunResult run_pipeline(const std::string& name, const std::map<std::string, std::string>& with,
                                        const std::map<std::string, std::string>& vars, const fs::path& cwd) {
  lupine::testing::RunResult result;
  lupine::TempDir scripts("lupine-pipeline-script");
  int index = 0;
  for (const auto& script : render(name, with, vars)) {
    fs::path file = scripts.path() / ("step" + std::to_string(index++) + ".sh");
    lupine::write_file_atomic(file, "HOME='" + scripts.path().string() + "'; export HOME\ncd '" + cwd.string() + "'\n" + script);
    result = lupine::testing::run({"/bin/sh", "-e", file.string()});
    if (result.exit_code != 0) return result;
  }
  return result;
}

void touch(const fs::path& path, const std::string& content = "x\n") {
  fs::create_directories(path.parent_path());
  lupine::write_file_atomic(path, content);
}

TEST(PipelinesTest, EveryFileParsesAndDeclaresOnlyKnownKeys) {
  const std::set<std::string> top{"name", "needs", "inputs", "pipeline"};
  const std::set<std::string> input_keys{"description", "default", "required"};
  const std::set<std::string> step_keys{"name", "uses", "with", "runs", "pipeline", "if", "working-directory",
                                        "environment", "needs", "inputs", "assertions", "label"};
  auto names = pipeline_names();
  ASSERT_GE(names.size(), 51u);
  std::function<void(const std::string&, const YAML::Node&)> check_steps = [&](const std::string& name, const YAML::Node& steps) {
    ASSERT_TRUE(steps.IsSequence()) << name;
    for (const auto& step : steps) {
      ASSERT_TRUE(step.IsMap()) << name;
      for (const auto& key : step) EXPECT_TRUE(step_keys.count(key.first.as<std::string>())) << name << ": step key " << key.first;
      EXPECT_TRUE(step["runs"] || step["uses"] || step["pipeline"]) << name << ": a step does nothing";
      EXPECT_FALSE(step["runs"] && step["uses"]) << name;
      if (step["uses"]) {
        EXPECT_TRUE(fs::exists(kPipelineDir / (step["uses"].as<std::string>() + ".yaml"))) << name;
      }
      if (step["runs"]) {
        EXPECT_TRUE(step["runs"].IsScalar()) << name;
      }
      if (step["pipeline"]) check_steps(name, step["pipeline"]);
    }
  };
  for (const auto& name : names) {
    SCOPED_TRACE(name);
    YAML::Node pipeline;
    ASSERT_NO_THROW(pipeline = load(name));
    ASSERT_TRUE(pipeline.IsMap());
    for (const auto& key : pipeline) EXPECT_TRUE(top.count(key.first.as<std::string>())) << "top-level key " << key.first;
    EXPECT_TRUE(pipeline["name"] && pipeline["name"].IsScalar());
    if (pipeline["needs"]) {
      for (const auto& key : pipeline["needs"]) EXPECT_EQ(key.first.as<std::string>(), "packages");
      EXPECT_TRUE(pipeline["needs"]["packages"].IsSequence());
    }
    for (const auto& input : pipeline["inputs"]) {
      ASSERT_TRUE(input.second.IsMap()) << input.first;
      for (const auto& key : input.second) EXPECT_TRUE(input_keys.count(key.first.as<std::string>())) << input.first << "." << key.first;
      EXPECT_TRUE(input.second["description"]) << input.first << " has no description";
      if (input.second["required"]) {
        std::string required = input.second["required"].as<std::string>();
        EXPECT_TRUE(required == "true" || required == "false") << input.first;
      }
    }
    check_steps(name, pipeline["pipeline"]);
  }
}

TEST(PipelinesTest, LibraryHasMelangesBuiltInNamesInputsAndDefaults) {
  auto names = pipeline_names();
  for (const char* required :
       {"fetch", "git-checkout", "git-am", "patch", "strip", "autoconf/configure", "autoconf/make", "autoconf/make-install",
        "cmake/configure", "cmake/build", "cmake/install", "meson/configure", "meson/compile", "meson/install", "split/dev",
        "split/lib", "split/static", "split/manpages", "split/infodir", "split/alldocs", "split/locales", "split/bin",
        "split/debug", "go/build", "go/build/v2", "go/install", "go/bump", "go/covdata", "cargo/build", "python/build",
        "python/install", "python/build-wheel", "python/import", "python/test", "ruby/build", "ruby/install", "ruby/clean",
        "perl/make", "perl/cleanup", "pecl/phpize", "pecl/install", "npm/install", "R/build", "llvm/covreport",
        "maven/configure-mirror", "maven/pombump", "xcover/profile", "xcover/wait", "xcover/status", "xcover/stop",
        "xcover/ensure"})
    EXPECT_TRUE(std::binary_search(names.begin(), names.end(), required)) << required;

  auto input = [](const std::string& pipeline, const std::string& name) { return load(pipeline)["inputs"][name]; };
  EXPECT_EQ(input("fetch", "strip-components")["default"].as<std::string>(), "1");
  EXPECT_EQ(input("fetch", "extract")["default"].as<std::string>(), "true");
  EXPECT_EQ(input("fetch", "uri")["required"].as<std::string>(), "true");
  EXPECT_EQ(input("git-checkout", "depth")["default"].as<std::string>(), "unset");
  EXPECT_EQ(input("git-checkout", "destination")["default"].as<std::string>(), ".");
  EXPECT_EQ(input("autoconf/configure", "host")["default"].as<std::string>(), "${{host.triplet.gnu}}");
  EXPECT_EQ(input("autoconf/make-install", "targets")["default"].as<std::string>(), "install");
  EXPECT_EQ(input("cmake/configure", "output-dir")["default"].as<std::string>(), "output");
  EXPECT_EQ(input("go/build", "toolchaintags")["default"].as<std::string>(), "netgo,osusergo");
  EXPECT_EQ(input("go/build", "output")["required"].as<std::string>(), "true");
  EXPECT_EQ(input("cargo/build", "output-dir")["default"].as<std::string>(), "target/release");
  EXPECT_EQ(input("split/dev", "prefix")["default"].as<std::string>(), "/usr");
  EXPECT_EQ(input("strip", "opts")["default"].as<std::string>(), "-g");
  EXPECT_EQ(input("python/import", "python")["default"].as<std::string>(), "DEFAULT");
  EXPECT_EQ(input("patch", "fuzz")["default"].as<std::string>(), "2");
}

const std::map<std::string, std::string>& sample_vars() {
  static const std::map<std::string, std::string> vars{
      {"package.name", "pkg"}, {"package.version", "1.0"}, {"package.epoch", "0"}, {"package.full-version", "1.0-r0"},
      {"targets.outdir", "/home/build/melange-out"}, {"targets.destdir", "/home/build/melange-out/pkg"},
      {"targets.contextdir", "/home/build/melange-out/pkg-dev"}, {"targets.subpkgdir", "/home/build/melange-out/pkg-dev"},
      {"context.name", "pkg-dev"}, {"subpkg.name", "pkg-dev"}, {"host.triplet.gnu", "x86_64-pc-linux-gnu"},
      {"host.triplet.rust", "x86_64-unknown-linux-gnu"}, {"build.arch", "x86_64"}, {"build.goarch", "amd64"}};
  return vars;
}

TEST(PipelinesTest, ScriptsAreValidPosixShell) {
  bool shellcheck = program_available("shellcheck");
  lupine::TempDir dir("lupine-pipeline-sh");
  for (const auto& name : pipeline_names()) {
    int index = 0;
    for (const auto& script : render(name, {}, sample_vars())) {
      SCOPED_TRACE(name + " step " + std::to_string(index));
      fs::path file = dir.path() / ("s" + std::to_string(index++) + ".sh");
      lupine::write_file_atomic(file, "set -e\n" + script);
      auto syntax = lupine::testing::run({"dash", "-n", file.string()});
      if (syntax.exit_code == 127) syntax = lupine::testing::run({"/bin/sh", "-n", file.string()});
      EXPECT_EQ(syntax.exit_code, 0) << syntax.err;
      if (shellcheck) {
        // Excluded: constant expressions, which substituted inputs always are.
        auto lint = lupine::testing::run({"shellcheck", "-s", "sh", "-S", "warning", "-e", "SC2157,SC2050,SC2194,SC2043", file.string()});
        EXPECT_EQ(lint.exit_code, 0) << lint.out;
      }
    }
  }
}

class SplitPipelinesTest : public ::testing::Test {
 protected:
  std::map<std::string, std::string> vars(const std::string& subpackage) {
    auto v = sample_vars();
    v["targets.outdir"] = out_.string();
    v["targets.destdir"] = (out_ / "pkg").string();
    v["targets.contextdir"] = v["targets.subpkgdir"] = (out_ / subpackage).string();
    v["context.name"] = v["subpkg.name"] = subpackage;
    return v;
  }
  lupine::testing::RunResult split(const std::string& name, const std::string& subpackage,
                                   std::map<std::string, std::string> with = {}) {
    auto result = run_pipeline(name, with, vars(subpackage), dir_.path());
    return result;
  }
  fs::path dest(const std::string& rel) const { return out_ / "pkg" / rel; }
  fs::path ctx(const std::string& sub, const std::string& rel) const { return out_ / sub / rel; }

  lupine::TempDir dir_{"lupine-split-test"};
  fs::path out_ = dir_.path() / "melange-out";
};

TEST_F(SplitPipelinesTest, DevMovesHeadersStaticLibsPkgconfigAndLinkerSymlinks) {
  touch(dest("usr/include/foo/foo.h"));
  touch(dest("usr/lib/libfoo.so.1"));
  fs::create_symlink("libfoo.so.1", dest("usr/lib/libfoo.so"));
  touch(dest("usr/lib/libfoo.a"));
  touch(dest("usr/lib/pkgconfig/foo.pc"));
  touch(dest("usr/lib/cmake/Foo/FooConfig.cmake"));
  touch(dest("usr/share/aclocal/foo.m4"));
  touch(dest("usr/bin/foo-config"));
  touch(dest("usr/bin/foo"));
  touch(dest("lib/libbar.so.2"));
  fs::create_symlink("libbar.so.2", dest("lib/libbar.so"));
  auto result = split("split/dev", "pkg-dev");
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  for (const char* moved : {"usr/include/foo/foo.h", "usr/lib/libfoo.a", "usr/lib/pkgconfig/foo.pc", "usr/lib/cmake/Foo/FooConfig.cmake",
                            "usr/share/aclocal/foo.m4", "usr/bin/foo-config"}) {
    EXPECT_TRUE(fs::exists(ctx("pkg-dev", moved))) << moved;
    EXPECT_FALSE(fs::exists(dest(moved))) << moved;
  }
  EXPECT_TRUE(fs::is_symlink(ctx("pkg-dev", "usr/lib/libfoo.so")));
  EXPECT_TRUE(fs::is_symlink(ctx("pkg-dev", "lib/libbar.so")));
  EXPECT_TRUE(fs::exists(dest("usr/lib/libfoo.so.1")));
  EXPECT_TRUE(fs::exists(dest("lib/libbar.so.2")));
  EXPECT_TRUE(fs::exists(dest("usr/bin/foo")));
  EXPECT_FALSE(fs::exists(dest("usr/include")));
}

TEST_F(SplitPipelinesTest, ManpagesMergeFromEveryManDirectory) {
  touch(dest("usr/share/man/man1/foo.1"));
  touch(dest("usr/man/man8/foo.8"));
  touch(dest("usr/local/share/man/man5/foo.5"));
  touch(ctx("pkg-doc", "usr/share/man/man1/other.1"));  // already split by an earlier step
  touch(dest("usr/bin/foo"));
  auto result = split("split/manpages", "pkg-doc");
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  for (const char* page : {"man1/foo.1", "man1/other.1", "man8/foo.8", "man5/foo.5"})
    EXPECT_TRUE(fs::exists(ctx("pkg-doc", std::string("usr/share/man/") + page))) << page;
  EXPECT_FALSE(fs::exists(dest("usr/share")));
  EXPECT_FALSE(fs::exists(dest("usr/man")));
  EXPECT_FALSE(fs::exists(dest("usr/local")));
  EXPECT_TRUE(fs::exists(dest("usr/bin/foo")));
}

TEST_F(SplitPipelinesTest, InfodirLocalesStaticAndAlldocs) {
  touch(dest("usr/share/info/foo.info"));
  touch(dest("usr/share/info/dir"));
  ASSERT_EQ(split("split/infodir", "pkg-info").exit_code, 0);
  EXPECT_TRUE(fs::exists(ctx("pkg-info", "usr/share/info/foo.info")));
  EXPECT_FALSE(fs::exists(ctx("pkg-info", "usr/share/info/dir")));

  touch(dest("usr/share/locale/de/LC_MESSAGES/foo.mo"));
  ASSERT_EQ(split("split/locales", "pkg-lang").exit_code, 0);
  EXPECT_TRUE(fs::exists(ctx("pkg-lang", "usr/share/locale/de/LC_MESSAGES/foo.mo")));

  touch(dest("usr/lib/libfoo.a"));
  touch(dest("lib/libbar.a"));
  ASSERT_EQ(split("split/static", "pkg-static").exit_code, 0);
  EXPECT_TRUE(fs::exists(ctx("pkg-static", "usr/lib/libfoo.a")));
  EXPECT_TRUE(fs::exists(ctx("pkg-static", "lib/libbar.a")));

  touch(dest("usr/share/doc/foo/README"));
  touch(dest("usr/share/man/man1/foo.1"));
  touch(dest("usr/share/info/bar.info"));
  ASSERT_EQ(split("split/alldocs", "pkg-doc").exit_code, 0);
  for (const char* doc : {"usr/share/doc/foo/README", "usr/share/man/man1/foo.1", "usr/share/info/bar.info"})
    EXPECT_TRUE(fs::exists(ctx("pkg-doc", doc))) << doc;
  EXPECT_FALSE(fs::exists(dest("usr/share")));
}

TEST_F(SplitPipelinesTest, LibSelectsByPatternAndExtraPaths) {
  touch(dest("usr/lib/libssl.so.3"));
  touch(dest("usr/lib/libcrypto.so.3"));
  touch(dest("usr/lib64/libssl.so.1"));
  auto result = split("split/lib", "libssl3", {{"patterns", "ssl\n"}, {"paths", "usr/lib64\n"}});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_TRUE(fs::exists(ctx("libssl3", "usr/lib/libssl.so.3")));
  EXPECT_TRUE(fs::exists(ctx("libssl3", "usr/lib64/libssl.so.1")));
  EXPECT_TRUE(fs::exists(dest("usr/lib/libcrypto.so.3")));
  ASSERT_EQ(split("split/lib", "libs").exit_code, 0);
  EXPECT_TRUE(fs::exists(ctx("libs", "usr/lib/libcrypto.so.3")));
}

TEST_F(SplitPipelinesTest, BinTakesFromTheBasePackageAndSelfSplitFails) {
  touch(out_ / "tool" / "usr/bin/tool");
  ASSERT_EQ(split("split/bin", "tool-bin").exit_code, 0);
  EXPECT_TRUE(fs::exists(ctx("tool-bin", "usr/bin/tool")));
  EXPECT_FALSE(fs::exists(out_ / "tool" / "usr"));

  auto self = split("split/dev", "pkg");  // contextdir == destdir
  EXPECT_NE(self.exit_code, 0);
  EXPECT_THAT(self.err, HasSubstr("cannot split files from itself"));
}

TEST_F(SplitPipelinesTest, StripStripsNativeElfFilesOnly) {
  if (!program_available("strip")) GTEST_SKIP() << "binutils not installed";
#if defined(__x86_64__)
  const std::string arch = "x86_64";
#elif defined(__aarch64__)
  const std::string arch = "aarch64";
#else
  GTEST_SKIP() << "strip supports x86_64 and aarch64";
#endif
  fs::path binary = ctx("pkg-dev", "usr/bin/prog");
  fs::create_directories(binary.parent_path());
  fs::copy_file("/proc/self/exe", binary);  // this test binary: has debug information
  touch(ctx("pkg-dev", "usr/share/doc/notes.txt"), "not elf\n");
  auto before = fs::file_size(binary);
  auto v = vars("pkg-dev");
  v["build.arch"] = arch;
  auto result = run_pipeline("strip", {}, v, ctx("pkg-dev", "."));
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("1 file(s) stripped"));
  EXPECT_LT(fs::file_size(binary), before);
  EXPECT_EQ(lupine::read_file(ctx("pkg-dev", "usr/share/doc/notes.txt")), "not elf\n");
}

TEST_F(SplitPipelinesTest, PatchAppliesPatchesAndSeries) {
  if (!program_available("patch")) GTEST_SKIP() << "patch not installed";
  fs::path ws = dir_.path() / "ws";
  touch(ws / "a.txt", "one\n");
  touch(ws / "fix.patch", "--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-one\n+two\n");
  touch(ws / "more.patch", "--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-two\n+three\n");
  auto result = run_pipeline("patch", {{"patches", "fix.patch"}}, sample_vars(), ws);
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(lupine::read_file(ws / "a.txt"), "two\n");
  touch(ws / "series", "# comment\nmore.patch\n");
  result = run_pipeline("patch", {{"series", "series"}}, sample_vars(), ws);
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(lupine::read_file(ws / "a.txt"), "three\n");
  EXPECT_NE(run_pipeline("patch", {{"patches", "missing.patch"}}, sample_vars(), ws).exit_code, 0);
  EXPECT_NE(run_pipeline("patch", {}, sample_vars(), ws).exit_code, 0);
}

TEST_F(SplitPipelinesTest, FetchStepChecksWhatLupineFetched) {
  fs::path served = dir_.path() / "served";
  touch(served / "src-1.0.tar.gz", "not really an archive\n");
  fs::path ws = dir_.path() / "ws";
  fs::create_directories(ws);
  std::string sha = lupine::sha256_hex(lupine::read_file(served / "src-1.0.tar.gz"));
  std::map<std::string, std::string> with{
      {"uri", "file://" + (served / "src-1.0.tar.gz").string()}, {"expected-sha256", sha}, {"extract", "false"}};
  auto request = lupine::builder::fetch_request_from_inputs(with);
  lupine::builder::FetchOptions options;
  options.cache_dir = dir_.path() / "cache";
  lupine::builder::fetch_into_workspace(request, ws, options);
  auto ok = run_pipeline("fetch", with, sample_vars(), ws);
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  touch(ws / "src-1.0.tar.gz", "tampered\n");
  auto tampered = run_pipeline("fetch", with, sample_vars(), ws);
  EXPECT_NE(tampered.exit_code, 0);
  EXPECT_THAT(tampered.err, HasSubstr("expected sha256"));
  fs::remove(ws / "src-1.0.tar.gz");
  EXPECT_NE(run_pipeline("fetch", with, sample_vars(), ws).exit_code, 0);
}

TEST_F(SplitPipelinesTest, GitCheckoutStepChecksTheExpectedCommit) {
  if (!program_available("git")) {
    if (lupine::testing::fixtures_required()) FAIL() << "git not found";
    GTEST_SKIP() << "git not found";
  }
  fs::path ws = dir_.path() / "ws";
  touch(ws / "src/file.txt");
  auto git = [&](std::vector<std::string> args) {
    std::vector<std::string> argv{"git", "-C", (ws / "src").string(), "-c", "user.name=t", "-c", "user.email=t@e"};
    argv.insert(argv.end(), args.begin(), args.end());
    return lupine::testing::run(argv);
  };
  git({"init", "--quiet"});
  git({"add", "."});
  git({"commit", "--quiet", "-m", "one"});
  std::string head = git({"rev-parse", "HEAD"}).out.substr(0, 40);
  std::map<std::string, std::string> with{{"repository", "https://example.org/r.git"}, {"destination", "src"}, {"expected-commit", head}};
  auto ok = run_pipeline("git-checkout", with, sample_vars(), ws);
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  with["expected-commit"] = std::string(40, '0');
  EXPECT_NE(run_pipeline("git-checkout", with, sample_vars(), ws).exit_code, 0);
  with["destination"] = "elsewhere";
  EXPECT_NE(run_pipeline("git-checkout", with, sample_vars(), ws).exit_code, 0);
}

// Every `uses:` of Wolfi's recipes resolves to lupine's library or Wolfi's own pipelines, and every
// `with:` key given to one of lupine's pipelines is a declared input.
TEST(PipelinesTest, EveryBuiltInNameWolfiUsesResolves) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  fs::path wolfi = fixtures / "wolfi";
  ASSERT_TRUE(fs::exists(wolfi / "recipes")) << wolfi;
  std::set<std::string> missing, undeclared;
  std::map<std::string, int> uses_count;
  std::function<void(const YAML::Node&)> walk = [&](const YAML::Node& steps) {
    if (!steps || !steps.IsSequence()) return;
    for (const auto& step : steps) {
      if (!step.IsMap()) continue;
      if (step["uses"]) {
        std::string uses = step["uses"].as<std::string>();
        ++uses_count[uses];
        bool ours = fs::exists(kPipelineDir / (uses + ".yaml"));
        if (!ours && !fs::exists(wolfi / "pipelines" / (uses + ".yaml"))) missing.insert(uses);
        if (ours && step["with"] && step["with"].IsMap()) {
          YAML::Node inputs = load(uses)["inputs"];
          for (const auto& key : step["with"])
            if (!inputs[key.first.as<std::string>()]) undeclared.insert(uses + ": " + key.first.as<std::string>());
        }
      }
      walk(step["pipeline"]);
    }
  };
  int recipes = 0;
  for (const auto& entry : fs::directory_iterator(wolfi / "recipes")) {
    if (entry.path().extension() != ".yaml") continue;
    YAML::Node recipe = YAML::LoadFile(entry.path().string());
    ++recipes;
    walk(recipe["pipeline"]);
    if (recipe["test"]) walk(recipe["test"]["pipeline"]);
    for (const auto& sub : recipe["subpackages"]) {
      walk(sub["pipeline"]);
      if (sub["test"]) walk(sub["test"]["pipeline"]);
    }
  }
  for (const auto& entry : fs::recursive_directory_iterator(wolfi / "pipelines"))
    if (entry.path().extension() == ".yaml") walk(YAML::LoadFile(entry.path().string())["pipeline"]);
  EXPECT_GT(recipes, 1000);
  EXPECT_GT(uses_count["git-checkout"], 1000);
  EXPECT_TRUE(missing.empty()) << "unresolved: " << ::testing::PrintToString(missing);
  EXPECT_TRUE(undeclared.empty()) << "undeclared inputs: " << ::testing::PrintToString(undeclared);
}

}  // namespace
