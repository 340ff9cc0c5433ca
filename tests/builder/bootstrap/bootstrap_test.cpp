// `lupine bootstrap` end to end on this host: a stage-0 repository from the installed Debian
// toolchain, verified, installed with the solver into a fresh root, and used to compile and run a C
// program in the bubblewrap sandbox. One bootstrap run (10–40 s) serves every check, so it is one
// test: ctest runs each test in a process of its own.
#include "builder/bootstrap/bootstrap.h"
#include "builder/build/sandbox.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/process.h"
#include "common/rsa.h"
#include "support/interrupted_child.h"
#include "support/run.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <map>

namespace lupine::builder {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using testing::run_lupine;
namespace fs = std::filesystem;

bool has_prefix(const nlohmann::json& list, const std::string& prefix) {
  for (const auto& item : list)
    if (item.get<std::string>().rfind(prefix, 0) == 0) return true;
  return false;
}

SandboxResult in_root(const fs::path& root, const fs::path& work, const std::string& script) {
  SandboxSpec spec;
  spec.root = root;
  spec.workspace = work;
  spec.time_limit = std::chrono::seconds(120);
  return run_in_sandbox(spec, {"/bin/sh", "-c", script});
}

// Options for a bootstrap of `make` alone (a map that is not self-consistent: make needs libc).
BootstrapOptions make_only(const fs::path& dir, const RsaPrivateKey& key) {
  write_file_atomic(dir / "map.yaml", "packages:\n  - name: make\n    debian: [make]\n");
  BootstrapOptions options;
  options.spec_file = dir / "map.yaml";
  options.out_dir = dir / "repo";
  options.signer.key = &key;
  options.signer.key_name = "test.rsa.pub";
  return options;
}

TEST(Bootstrap, MakesARepositoryThatBuildsAndRunsAProgram) {
  TempDir dir("lupine-bootstrap-test");
  fs::path key = dir.path() / "stage0.rsa";
  write_file_atomic(key, RsaPrivateKey::generate(2048).to_pem(), 0600);
  fs::path out = dir.path() / "repo";

  auto started = std::chrono::steady_clock::now();
  auto bootstrap = run_lupine({"bootstrap", "--out-dir", out.string(), "--signing-key", key.string(), "--json"});
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_EQ(bootstrap.exit_code, 0) << bootstrap.err;
  std::cerr << "bootstrap took " << seconds << " s\n";
  nlohmann::json report = nlohmann::json::parse(bootstrap.out);
  fs::path public_key = report["public_key"].get<std::string>();
  EXPECT_EQ(public_key, out / "stage0.rsa.pub");
  EXPECT_TRUE(fs::is_regular_file(out / "x86_64" / "APKINDEX.tar.gz") || report["arch"] != "x86_64");

  std::map<std::string, nlohmann::json> packages;
  for (const auto& package : report["packages"]) packages[package["name"].get<std::string>()] = package;
  for (const char* name : {"build-base", "gcc", "binutils", "make", "glibc", "glibc-dev", "busybox", "bash",
                           "coreutils", "sed", "grep", "gawk", "tar", "gzip", "xz", "bzip2", "patch", "findutils",
                           "diffutils", "pkgconf", "autoconf", "automake", "libtool", "cmake", "ninja-build", "git",
                           "ca-certificates-bundle", "wolfi-base", "bash-binsh", "file", "libmagic-dev"})
    EXPECT_EQ(packages.count(name), 1u) << name;
  EXPECT_TRUE(has_prefix(packages["gcc"]["provides"], "cmd:gcc="));
  EXPECT_TRUE(has_prefix(packages["gcc"]["provides"], "cmd:cc="));
  EXPECT_TRUE(has_prefix(packages["glibc"]["provides"], "so:libc.so.6="));
  EXPECT_TRUE(has_prefix(packages["make"]["provides"], "cmd:make="));
  // Debian's .pc files are in the multiarch directory; the -dev packages provide them.
  EXPECT_TRUE(has_prefix(packages["sqlite-dev"]["provides"], "pc:sqlite3="));
  EXPECT_THAT(packages["libpng-dev"]["depends"], Contains("pc:zlib"));
  // sh is bash (pipefail, see debian.yaml), in its own package as Wolfi's bash-binsh, which wins the
  // link over lupine's busybox-binsh.
  EXPECT_TRUE(has_prefix(packages["bash-binsh"]["provides"], "cmd:sh="));
  EXPECT_FALSE(has_prefix(packages["bash"]["provides"], "cmd:sh="));
  EXPECT_THAT(packages["bash-binsh"]["replaces"], Contains("busybox-binsh"));
  EXPECT_EQ(packages["bash-binsh"]["version"], packages["bash"]["version"]);
  EXPECT_TRUE(has_prefix(packages["busybox"]["provides"], "cmd:ash="));
  EXPECT_THAT(packages["gcc"]["depends"], Contains("binutils"));
  EXPECT_THAT(packages["make"]["depends"], Contains("so:libc.so.6"));
  EXPECT_THAT(packages["build-base"]["depends"], Contains("gcc"));

  // Signed packages and index, verifiable with the key bootstrap wrote.
  std::vector<std::string> verify{"verify", "--keyring", public_key.string(),
                                  (out / report["arch"].get<std::string>() / "APKINDEX.tar.gz").string()};
  for (const char* name : {"gcc", "busybox", "glibc", "build-base"})
    verify.push_back(packages[name]["file"].get<std::string>());
  auto verified = run_lupine(verify);
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;

  // The solver resolves build-base and busybox from the repository alone.
  fs::path root = dir.path() / "root";
  auto install = run_lupine({"install", "--initdb", "--root", root.string(), "--repository", out.string(),
                             "--keyring", public_key.string(), "build-base", "busybox"});
  ASSERT_EQ(install.exit_code, 0) << install.out << install.err;
  EXPECT_TRUE(fs::exists(root / "lib64/ld-linux-x86-64.so.2") || report["arch"] != "x86_64");
  EXPECT_TRUE(fs::is_symlink(root / "bin"));

  // And what it installed compiles and runs a program, with nothing of the host visible.
  fs::path work = dir.path() / "work";
  fs::create_directories(work);
  auto hello = in_root(root, work,
                       "printf '#include <stdio.h>\\nint main(){puts(\"hi\");}\\n' > /tmp/h.c && "
                       "gcc -O2 -o /tmp/h /tmp/h.c && /tmp/h");
  EXPECT_EQ(hello.exit_code, 0) << hello.out << hello.err;
  EXPECT_EQ(hello.out, "hi\n") << hello.err;

  auto shell = in_root(root, work, "readlink /bin/sh");
  EXPECT_EQ(shell.out, "bash\n") << shell.err;

  // busybox has every applet while coreutils is not installed: the install linked its list's paths
  // (no package owns those links); installed later, GNU ls takes the path.
  EXPECT_THAT(install.out, HasSubstr("busybox: ")) << install.out;
  EXPECT_EQ(fs::read_symlink(root / "usr/bin/ls"), "/bin/busybox");
  auto busybox_ls = in_root(root, work, "ls / >/dev/null && ls --help 2>&1 | head -n 1");
  EXPECT_EQ(busybox_ls.exit_code, 0) << busybox_ls.err;
  EXPECT_THAT(busybox_ls.out, HasSubstr("BusyBox"));
  EXPECT_THAT(packages["coreutils"]["replaces"], Not(Contains("busybox")));
  EXPECT_TRUE(has_prefix(packages["busybox"]["provides"], "cmd:wget="));
  auto add = run_lupine({"install", "--root", root.string(), "--repository", out.string(), "--keyring",
                         public_key.string(), "coreutils"});
  ASSERT_EQ(add.exit_code, 0) << add.out << add.err;
  auto gnu_ls = in_root(root, work, "ls --version | head -n 1");
  EXPECT_THAT(gnu_ls.out, HasSubstr("GNU coreutils")) << gnu_ls.err;

  auto make = in_root(root, work, "make --version");
  EXPECT_EQ(make.exit_code, 0) << make.err;
  EXPECT_THAT(make.out, StartsWith("GNU Make"));

  auto cxx = in_root(root, work,
                     "printf '#include <span>\\n#include <cstdio>\\nint main(){int a[3]{};std::printf(\"%%zu\\\\n\", "
                     "std::span(a).size());}\\n' > /tmp/s.cpp && g++ -std=c++20 -o /tmp/s /tmp/s.cpp && /tmp/s");
  EXPECT_EQ(cxx.exit_code, 0) << cxx.out << cxx.err;
  EXPECT_EQ(cxx.out, "3\n") << cxx.err;
}

// A map that leaves a library out fails before anything is written, naming who needs what and the
// Debian package that has it.
TEST(Bootstrap, RefusesARepositoryThatIsNotSelfConsistent) {
  TempDir dir("lupine-bootstrap-test");
  RsaPrivateKey key = RsaPrivateKey::generate(2048);
  BootstrapOptions options = make_only(dir.path(), key);
  try {
    bootstrap_repository(options);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("the stage-0 repository would not be self-consistent"));
    EXPECT_THAT(error.what(), HasSubstr("make needs so:libc.so.6, which no stage-0 package provides; Debian has it in"));
    EXPECT_THAT(error.what(), HasSubstr("libc6"));
  }
  EXPECT_FALSE(fs::exists(dir.path() / "repo"));
}

// An interrupt while the toolchain is staged (raised as staging starts) stops the bootstrap and
// removes the staging copy: nothing is left in TMPDIR, no repository is written.
TEST(Bootstrap, AnInterruptRemovesTheStagingCopy) {
  TempDir dir("lupine-bootstrap-test");
  fs::path temp = dir.path() / "tmp";
  fs::create_directories(temp);
  auto child = lupine::testing::run_and_interrupt(
      [&] {
        ::setenv("TMPDIR", temp.c_str(), 1);
        RsaPrivateKey key = RsaPrivateKey::generate(2048);
        BootstrapOptions options = make_only(dir.path(), key);
        options.on_progress = [](const std::string& line) {
          if (line.starts_with("staging")) ::raise(SIGINT);
        };
        try {
          bootstrap_repository(options);
          return 2;
        } catch (const Interrupted& interrupted) {
          return interrupted.signal() == SIGINT ? 42 : 3;
        }
      },
      std::chrono::milliseconds(0), 0, /*guarded=*/false);  // bootstrap holds its own guard
  ASSERT_TRUE(WIFEXITED(child.status)) << "signal " << WTERMSIG(child.status);
  EXPECT_EQ(WEXITSTATUS(child.status), 42);
  EXPECT_TRUE(fs::is_empty(temp));
  EXPECT_FALSE(fs::exists(dir.path() / "repo"));
}

}  // namespace
}  // namespace lupine::builder
