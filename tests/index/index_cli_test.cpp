// `lupine index`, `lupine sign-index` and `lupine verify` on indexes, through the real binary:
// concurrent runs under the lock, kill -9 mid-run, refusals, and interop with apk-tools when an
// `apk` binary is given (APK=/path/to/apk, or `apk` on PATH).
#include "apk/gzip.h"
#include "apk/tar.h"
#include "common/fs.h"
#include "index/index_archive.h"
#include "support/run.h"
#include "test_packages.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>

extern char** environ;

namespace lupine::index {
namespace {

using ::testing::HasSubstr;
using lupine::testing::run;
using lupine::testing::run_lupine;

std::string lupine_binary() {
  const char* binary = std::getenv("LUPINE_BINARY");
  return binary && *binary ? binary : "lupine";
}

// The apk-tools binary to compare with, or "" (APK=..., else `apk` on PATH).
std::string apk_binary() {
  if (const char* apk = std::getenv("APK"); apk && *apk) return apk;
  auto which = run({"sh", "-c", "command -v apk"});
  if (which.exit_code == 0 && !which.out.empty()) return which.out.substr(0, which.out.find('\n'));
  return "";
}

std::string apkindex_text(const std::string& bytes) {
  auto members = apk::read_gzip_members(bytes, "x");
  for (const auto& item : apk::parse_tar(members.back().content, "x").items)
    if (item.entry.path == "APKINDEX") return std::string(item.data);
  return "";
}

class IndexCli : public ::testing::Test {
 protected:
  void SetUp() override {
    key = test::write_key_pair(keys(), "test");
    test::write_key_pair(dir.path() / "other-keys", "other", test::other_test_key());
  }
  std::filesystem::path keys() const { return dir.path() / "keys"; }
  std::filesystem::path repo() const { return dir.path() / "repo"; }
  std::vector<std::filesystem::path> make_packages(size_t count, size_t first = 0) {
    std::vector<std::filesystem::path> out;
    for (size_t i = first; i < first + count; ++i)
      out.push_back(test::make_package(repo(), test::PackageSpec(fmt::format("pkg{:04}", i))));
    return out;
  }
  std::vector<std::string> index_args(const std::filesystem::path& output, const std::vector<std::filesystem::path>& files,
                                      std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"index", "-o", output.string(), "--keyring", keys().string(), "--signing-key",
                                  key.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    for (const auto& file : files) args.push_back(file.string());
    return args;
  }

  TempDir dir;
  std::filesystem::path key;
};

TEST_F(IndexCli, IndexVerifySignIndex) {
  auto files = make_packages(3);
  auto output = repo() / "APKINDEX.tar.gz";
  auto result = run_lupine(index_args(output, files, {"--description", "test repo", "--arch", "x86_64"}));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, output.string() + ": 3 packages (3 read, 0 unchanged), signed by test.rsa.pub\n");
  result = run_lupine(index_args(output, files));
  EXPECT_EQ(result.out, output.string() + ": 3 packages (0 read, 3 unchanged), signed by test.rsa.pub\n");

  auto verified = run_lupine({"verify", "--keyring", keys().string(), output.string(), files[0].string()});
  EXPECT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_EQ(verified.out, output.string() + ": OK\n" + files[0].string() + ": OK\n");

  // sign-index replaces the signature: the old key no longer verifies it, the new one does.
  auto other_key = dir.path() / "other-keys/other.rsa";
  auto signed_index = run_lupine({"sign-index", "--signing-key", other_key.string(), output.string()});
  ASSERT_EQ(signed_index.exit_code, 0) << signed_index.err;
  EXPECT_EQ(signed_index.out, output.string() + ": signed by other.rsa.pub\n");
  EXPECT_EQ(read_index_archive(output).signatures.size(), 1u);
  auto untrusted = run_lupine({"verify", "--keyring", keys().string(), output.string()});
  EXPECT_EQ(untrusted.exit_code, 1);
  EXPECT_THAT(untrusted.err, HasSubstr(output.string() + ": UNTRUSTED signature: signed by other.rsa.pub"));
  EXPECT_EQ(run_lupine({"verify", "--keyring", (dir.path() / "other-keys").string(), output.string()}).exit_code, 0);
}

TEST_F(IndexCli, VerifyRefusals) {
  auto files = make_packages(2);
  auto output = repo() / "APKINDEX.tar.gz";
  ASSERT_EQ(run_lupine(index_args(output, files)).exit_code, 0);
  std::string bytes = read_file(output);
  size_t signature_size = apk::read_gzip_members(bytes, "x")[0].compressed.size();
  auto write_variant = [&](const std::string& name, std::string data) {
    write_file_atomic(repo() / name, data);
    return (repo() / name).string();
  };
  std::string sig_flip = bytes, index_flip = bytes, header_flip = bytes;
  sig_flip[signature_size / 2] ^= 1;
  index_flip[signature_size + (bytes.size() - signature_size) / 2] ^= 1;
  header_flip[signature_size + 9] ^= 1;
  auto a = write_variant("sig-flip.tar.gz", sig_flip);
  auto b = write_variant("index-flip.tar.gz", index_flip);
  auto c = write_variant("header-flip.tar.gz", header_flip);
  auto result = run_lupine({"verify", "--keyring", keys().string(), b, c});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr(b + ": "));
  EXPECT_THAT(result.err, HasSubstr(c + ": BAD signature: test.rsa.pub does not verify the index"));
  // A flipped byte in the signature member makes it unreadable (as a package or an index).
  EXPECT_EQ(run_lupine({"verify", "--keyring", keys().string(), a}).exit_code, 1);

  // Unsigned: refused unless --allow-untrusted.
  auto unsigned_index = repo() / "unsigned.tar.gz";
  ASSERT_EQ(run_lupine({"index", "-o", unsigned_index.string(), "--keyring", keys().string(), files[0].string()})
                .exit_code,
            0);
  result = run_lupine({"verify", "--keyring", keys().string(), unsigned_index.string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("unsigned index"));
  result = run_lupine({"verify", "--allow-untrusted", "--keyring", keys().string(), unsigned_index.string()});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr("warning: unsigned"));
  // Unknown key.
  result = run_lupine({"verify", "--keyring", (dir.path() / "other-keys").string(), output.string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("UNTRUSTED signature: signed by test.rsa.pub"));
}

TEST_F(IndexCli, IndexRefusesUntrustedPackagesAndOtherArches) {
  auto files = make_packages(1);
  auto output = repo() / "APKINDEX.tar.gz";
  auto result = run_lupine({"index", "-o", output.string(), "--keyring", (dir.path() / "other-keys").string(),
                            files[0].string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("untrusted signature"));
  EXPECT_FALSE(std::filesystem::exists(output));
  auto arm = test::make_package(repo(), test::PackageSpec("armpkg").with_arch("aarch64"));
  result = run_lupine(index_args(output, {files[0], arm}, {"--arch", "x86_64"}));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("is for aarch64, not x86_64"));
  result = run_lupine({"index", "-o", output.string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("no packages given"));
}

// Concurrent `lupine index --merge` runs each adding one package: with the lock, none is lost.
TEST_F(IndexCli, ConcurrentRunsAreSerialisedByTheLock) {
  auto files = make_packages(8);
  auto output = repo() / "APKINDEX.tar.gz";
  ASSERT_EQ(run_lupine(index_args(output, {files[0]})).exit_code, 0);
  std::vector<std::thread> threads;
  std::vector<lupine::testing::RunResult> results(files.size());
  for (size_t i = 1; i < files.size(); ++i)
    threads.emplace_back([&, i] { results[i] = run_lupine(index_args(output, {files[i]}, {"--merge"})); });
  for (auto& thread : threads) thread.join();
  for (size_t i = 1; i < files.size(); ++i) EXPECT_EQ(results[i].exit_code, 0) << results[i].err;
  IndexArchive index = read_index_archive(output);
  EXPECT_EQ(index.records.size(), files.size()) << "an update was lost";
  // Two concurrent full runs over different sets: the result is one of them, never a mix.
  std::vector<std::filesystem::path> first(files.begin(), files.begin() + 5), second(files.begin() + 3, files.end());
  for (int round = 0; round < 3; ++round) {
    std::thread a([&] { results[0] = run_lupine(index_args(output, first)); });
    auto b = run_lupine(index_args(output, second));
    a.join();
    EXPECT_EQ(results[0].exit_code, 0) << results[0].err;
    EXPECT_EQ(b.exit_code, 0) << b.err;
    size_t count = read_index_archive(output).records.size();
    EXPECT_TRUE(count == first.size() || count == second.size()) << count;
  }
}

// kill -9 at random moments of a large run: the output is always the old index or the complete new one.
TEST_F(IndexCli, KillMidRunLeavesTheOldIndexIntact) {
  auto files = make_packages(300);
  auto output = repo() / "APKINDEX.tar.gz";
  auto reference = dir.path() / "reference.tar.gz";
  auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(run_lupine(index_args(reference, files, {"--threads", "1"})).exit_code, 0);
  auto full_run = std::chrono::steady_clock::now() - start;
  std::string complete = read_file(reference);
  ASSERT_EQ(run_lupine(index_args(output, {files[0], files[1]})).exit_code, 0);
  std::string old = read_file(output);

  std::mt19937 random(42);
  int killed_midway = 0;
  for (int round = 0; round < 12; ++round) {
    write_file_atomic(output, old);  // fresh old index (and mtime) each round
    std::vector<std::string> argv{lupine_binary()};
    for (auto& arg : index_args(output, files, {"--threads", "1"})) argv.push_back(arg);
    std::vector<char*> args;
    for (auto& arg : argv) args.push_back(arg.data());
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    ASSERT_EQ(posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    auto delay = std::chrono::duration_cast<std::chrono::microseconds>(full_run) * (random() % 1000) / 900;
    std::this_thread::sleep_for(delay);
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    bool was_killed = WIFSIGNALED(status);
    std::string now = read_file(output);
    EXPECT_TRUE(now == old || now == complete) << "round " << round << ": a torn or mixed index";
    // A kill that lands after the rename (while the process exits) rightly leaves the new index;
    // one before it must leave the old one, which the check above covers either way.
    killed_midway += was_killed && now == old;
    EXPECT_NO_THROW(read_index_archive(output));
  }
  EXPECT_GT(killed_midway, 0);
  // A run after the kills completes and removes any temp file a killed run left behind.
  ASSERT_EQ(run_lupine(index_args(output, files)).exit_code, 0);
  EXPECT_EQ(read_file(output), complete);
  for (const auto& entry : std::filesystem::directory_iterator(repo()))
    EXPECT_FALSE(entry.path().filename().string().starts_with(".APKINDEX.tar.gz.tmp-")) << entry.path();
}

TEST_F(IndexCli, InteropWithApkTools) {
  std::string apk = apk_binary();
  if (apk.empty()) GTEST_SKIP() << "no apk-tools binary (set APK=/path/to/apk)";
  auto files = make_packages(3);
  files.push_back(test::make_package(repo(), test::PackageSpec("zz-deps").with_version("2.0_rc1-r3")));
  auto output = repo() / "APKINDEX.tar.gz";
  ASSERT_EQ(run_lupine(index_args(output, files, {"--description", "interop"})).exit_code, 0);
  // apk-tools verifies lupine's signed index.
  auto verified = run({apk, "verify", "--keys-dir", std::filesystem::absolute(keys()).string(), output.string()});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_THAT(verified.out, HasSubstr("OK"));
  // `apk index` over the same packages writes the same APKINDEX text.
  auto theirs = dir.path() / "apk-index.tar.gz";
  std::vector<std::string> argv{apk, "index", "--allow-untrusted", "-o", theirs.string()};
  for (const auto& file : files) argv.push_back(file.string());
  auto indexed = run(argv);
  ASSERT_EQ(indexed.exit_code, 0) << indexed.err;
  EXPECT_EQ(apkindex_text(read_file(output)), apkindex_text(read_file(theirs)));
  // And lupine verifies apk-tools' output after signing it.
  ASSERT_EQ(run_lupine({"sign-index", "--signing-key", key.string(), theirs.string()}).exit_code, 0);
  EXPECT_EQ(run_lupine({"verify", "--keyring", keys().string(), theirs.string()}).exit_code, 0);
}

}  // namespace
}  // namespace lupine::index
