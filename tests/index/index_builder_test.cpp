// build_index: records, incremental reuse (apk-tools' rule), arch, merge, refusals, temp files.
#include "index/index_builder.h"

#include "apk/gzip.h"
#include "apk/package.h"
#include "apk/tar.h"
#include "common/error.h"
#include "common/fs.h"
#include "index/index_archive.h"
#include "index/index_lock.h"
#include "test_packages.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

namespace lupine::index {
namespace {

using ::testing::HasSubstr;

class IndexBuilderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"alpha", "beta", "gamma"}) files.push_back(test::make_package(repo(), test::PackageSpec(name)));
  }
  std::filesystem::path repo() const { return dir.path() / "repo/x86_64"; }
  std::filesystem::path output() const { return repo() / "APKINDEX.tar.gz"; }
  IndexBuildOptions options() {
    IndexBuildOptions o;
    o.output = output();
    o.keyring = &keyring;
    o.signer = signer;
    o.mtime = 1700000000;
    o.arch = "x86_64";
    return o;
  }
  IndexArchive read_output() { return read_index_archive(output()); }
  // Pushes a file's mtime past the index's, as a rebuild would.
  void touch_later(const std::filesystem::path& path) {
    std::filesystem::last_write_time(path, std::filesystem::last_write_time(output()) + std::chrono::seconds(2));
  }

  TempDir dir;
  apk::Keyring keyring = test::test_keyring(dir.path() / "keys");
  apk::PackageSigner signer = test::signer_for("test");
  std::vector<std::filesystem::path> files;
};

TEST_F(IndexBuilderTest, IndexesVerifiedPackages) {
  IndexBuildStats stats = build_index(files, options());
  EXPECT_EQ(stats.records, 3u);
  EXPECT_EQ(stats.read, 3u);
  EXPECT_EQ(stats.reused, 0u);
  IndexArchive index = read_output();
  EXPECT_EQ(verify_index_signature(index, keyring, false).status, apk::SignatureStatus::verified);
  ASSERT_EQ(index.records.size(), 3u);
  EXPECT_EQ(index.records[0].name, "alpha");
  EXPECT_EQ(index.records[0].file_size, std::filesystem::file_size(files[0]));
  EXPECT_EQ(index.records[0].identity, index_package_file(files[0], keyring, false).identity);
  EXPECT_EQ(std::filesystem::status(output()).permissions() & std::filesystem::perms::all,
            std::filesystem::perms(0644));
  EXPECT_TRUE(std::filesystem::exists(IndexLock::lock_path(output())));
}

TEST_F(IndexBuilderTest, IncrementalRunReadsOnlyChangedPackages) {
  build_index(files, options());
  std::string first = read_file(output());
  // Nothing changed: nothing read, same bytes.
  IndexBuildStats again = build_index(files, options());
  EXPECT_EQ(again.read, 0u);
  EXPECT_EQ(again.reused, 3u);
  EXPECT_EQ(read_file(output()), first);

  // One package rebuilt with other contents (and size), one new package.
  test::make_package(repo(), test::PackageSpec("beta").with_content("changed contents, longer\n"));
  touch_later(files[1]);
  files.push_back(test::make_package(repo(), test::PackageSpec("delta")));
  touch_later(files[3]);
  IndexBuildStats stats = build_index(files, options());
  EXPECT_EQ(stats.read, 2u);
  EXPECT_EQ(stats.reused, 2u);
  EXPECT_EQ(stats.records, 4u);
  // The same index as from scratch.
  std::string incremental = read_file(output());
  std::filesystem::remove(output());
  EXPECT_EQ(build_index(files, options()).read, 4u);
  EXPECT_EQ(read_file(output()), incremental);
}

// An old index lupine would not write as it is (here: other field order, an r: field) is parsed
// and written again: the result is still the one of a run from scratch.
TEST_F(IndexBuilderTest, IncrementalRunFromAnIndexWrittenOtherwise) {
  build_index(files, options());
  std::string from_scratch = read_file(output());
  IndexArchive index = read_output();
  std::string text;
  for (const auto& record : index.records) {
    std::string stanza;
    append_index_record(stanza, record, false);
    size_t p = stanza.find("\nP:");  // P: first, then C:
    size_t v = stanza.find("\nV:");
    text += stanza.substr(p + 1, v - p) + stanza.substr(0, p + 1) + stanza.substr(v + 1, stanza.size() - v - 2) +
            "r:something\n\n";
  }
  ASSERT_FALSE(canonical_stanzas(text));
  std::string tar;
  {
    apk::TarEntry entry;
    entry.path = "APKINDEX";
    entry.mode = 0644;
    entry.size = text.size();
    tar = apk::tar_header(entry);
    tar += text;
    tar += apk::tar_padding(text.size());
    tar += apk::tar_end_of_archive();
  }
  auto old = dir.path() / "other.tar.gz";
  std::ofstream(old, std::ios::binary) << apk::gzip_member(tar, 6);
  std::filesystem::last_write_time(old, std::filesystem::last_write_time(output()));
  std::filesystem::remove(output());
  auto o = options();
  o.source_index = old;
  IndexBuildStats stats = build_index(files, o);
  EXPECT_EQ(stats.reused, 3u);
  EXPECT_EQ(read_file(output()), from_scratch);
}

TEST_F(IndexBuilderTest, ReuseNeedsNameSizeAndAge) {
  build_index(files, options());
  // Same size but newer than the index: read again.
  touch_later(files[0]);
  EXPECT_EQ(build_index(files, options()).read, 1u);
  std::filesystem::last_write_time(files[0], std::filesystem::last_write_time(output()) - std::chrono::hours(1));
  // Older than the index, but a different size: read again (and the new record is used).
  test::make_package(repo(), test::PackageSpec("gamma").with_content("a different size\n"));
  std::filesystem::last_write_time(files[2], std::filesystem::last_write_time(output()) - std::chrono::hours(1));
  EXPECT_EQ(build_index(files, options()).read, 1u);
  EXPECT_EQ(read_output().records[2].file_size, std::filesystem::file_size(files[2]));
  // A file name that is not <P>-<V>.apk: read.
  auto renamed = repo() / "renamed.apk";
  std::filesystem::copy_file(files[0], renamed);
  std::filesystem::last_write_time(renamed, std::filesystem::last_write_time(output()) - std::chrono::hours(1));
  EXPECT_EQ(build_index({renamed, files[1], files[2]}, options()).read, 1u);
}

TEST_F(IndexBuilderTest, ExplicitSourceIndex) {
  auto old = dir.path() / "old.tar.gz";
  auto o = options();
  o.output = old;
  build_index(files, o);
  o = options();
  o.source_index = old;
  IndexBuildStats stats = build_index(files, o);
  EXPECT_EQ(stats.reused, 3u);
  // A missing source index is a first run; a damaged one is an error.
  o.source_index = dir.path() / "missing.tar.gz";
  EXPECT_EQ(build_index(files, o).read, 3u);
  std::ofstream(old) << "garbage";
  o.source_index = old;
  EXPECT_THAT([&] { build_index(files, o); }, ::testing::Throws<Error>());
}

TEST_F(IndexBuilderTest, DamagedOutputIsRebuiltWithAWarning) {
  std::ofstream(output()) << "not an index";
  IndexBuildStats stats = build_index(files, options());
  EXPECT_EQ(stats.read, 3u);
  ASSERT_EQ(stats.warnings.size(), 1u);
  EXPECT_THAT(stats.warnings[0], HasSubstr("ignoring the existing index"));
  EXPECT_EQ(read_output().records.size(), 3u);
}

TEST_F(IndexBuilderTest, ArchitectureCheck) {
  auto arm = test::make_package(repo(), test::PackageSpec("armonly").with_arch("aarch64"));
  auto noarch = test::make_package(repo(), test::PackageSpec("scripts").with_arch("noarch"));
  try {
    build_index({files[0], arm}, options());
    FAIL() << "aarch64 package accepted into an x86_64 index";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("armonly-1.0-r0.apk: package armonly-1.0-r0 is for aarch64, not x86_64"));
  }
  EXPECT_FALSE(std::filesystem::exists(output()));
  EXPECT_EQ(build_index({files[0], noarch}, options()).records, 2u);
  auto any = options();
  any.arch.clear();
  EXPECT_EQ(build_index({files[0], arm}, any).records, 2u);
}

TEST_F(IndexBuilderTest, MergeKeepsOldRecords) {
  build_index(files, options());
  auto delta = test::make_package(repo(), test::PackageSpec("delta"));
  auto o = options();
  o.merge = true;
  IndexBuildStats stats = build_index({delta}, o);
  EXPECT_EQ(stats.records, 4u);
  EXPECT_EQ(stats.merged, 3u);
  EXPECT_EQ(read_output().records.size(), 4u);
  // A given package replaces the old record of the same name and version.
  test::make_package(repo(), test::PackageSpec("alpha").with_content("new alpha contents\n"));
  touch_later(files[0]);
  stats = build_index({files[0]}, o);
  EXPECT_EQ(stats.records, 4u);
  EXPECT_EQ(read_output().records[0].file_size, std::filesystem::file_size(files[0]));
  // Without --merge the index holds exactly the given files.
  EXPECT_EQ(build_index({delta}, options()).records, 1u);
}

TEST_F(IndexBuilderTest, RefusesBadPackagesAndKeepsTheOldIndex) {
  build_index(files, options());
  std::string before = read_file(output());
  auto corrupt = repo() / "corrupt-1-r0.apk";
  std::string bytes = read_file(files[0]);
  bytes[bytes.size() / 2] ^= 0x20;
  write_file_atomic(corrupt, bytes);
  auto unsigned_package = test::make_package(repo(), test::PackageSpec("nosig").unsigned_());
  try {
    build_index({files[0], corrupt, unsigned_package}, options());
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("2 packages could not be indexed"));
    EXPECT_THAT(e.what(), HasSubstr(corrupt.string()));
    EXPECT_THAT(e.what(), HasSubstr(unsigned_package.string() + ": unsigned package"));
  }
  EXPECT_EQ(read_file(output()), before);
  // --allow-untrusted lets the unsigned one in (integrity is still checked).
  auto o = options();
  o.allow_untrusted = true;
  EXPECT_EQ(build_index({files[0], unsigned_package}, o).records, 2u);
  // The same name-version twice.
  std::filesystem::copy_file(files[0], repo() / "copy.apk");
  EXPECT_THAT([&] { build_index({files[0], repo() / "copy.apk"}, options()); }, ::testing::Throws<Error>());
  // A description over 160 bytes.
  o.description = std::string(200, 'x');
  EXPECT_THAT([&] { build_index(files, o); }, ::testing::Throws<Error>());
}

// The data member is hashed, not inflated, when indexing: a damaged one is refused by its datahash.
TEST_F(IndexBuilderTest, RefusesACorruptDataMemberByItsDatahash) {
  std::string bytes = read_file(files[1]);
  apk::Package package = apk::Package::parse(bytes, "beta");
  const size_t data = static_cast<size_t>(package.data_member().data() - package.bytes().data());
  bytes[data + (bytes.size() - data) / 2] ^= 0x01;
  write_file_atomic(files[1], bytes);
  try {
    build_index(files, options());
    FAIL() << "a package with a corrupt data member was indexed";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(files[1].string() + ": datahash mismatch"));
  }
  EXPECT_FALSE(std::filesystem::exists(output()));
}

TEST_F(IndexBuilderTest, RemovesTempFilesOfAKilledWriter) {
  build_index(files, options());
  auto stale = repo() / ".APKINDEX.tar.gz.tmp-0123456789ab";
  std::ofstream(stale) << "half an index";
  auto unrelated = repo() / ".other.tmp-0123456789ab";
  std::ofstream(unrelated) << "x";
  build_index(files, options());
  EXPECT_FALSE(std::filesystem::exists(stale));
  EXPECT_TRUE(std::filesystem::exists(unrelated));
}

TEST_F(IndexBuilderTest, ParallelReadingGivesTheSameBytes) {
  auto o = options();
  o.threads = 1;
  build_index(files, o);
  std::string serial = read_file(output());
  std::filesystem::remove(output());
  o.threads = 4;
  build_index(files, o);
  EXPECT_EQ(read_file(output()), serial);
}

}  // namespace
}  // namespace lupine::index
