#include "builder/source/archive_extract.h"

#include "builder/source/archive_maker.h"
#include "common/fs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

namespace fs = std::filesystem;
using lupine::builder::extract_archive;
using lupine::builder::ExtractOptions;
using lupine::builder::normalized_entry_path;
using lupine::builder::UnsafeArchiveError;
using lupine::testing::ArchiveEntrySpec;
using lupine::testing::list_tree;
using lupine::testing::write_archive;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace {

class ArchiveExtractTest : public ::testing::Test {
 protected:
  fs::path archive(const std::vector<ArchiveEntrySpec>& entries, const std::string& format = "tar",
                   const std::string& filter = "gzip") {
    fs::path path = dir_.path() / ("a" + std::to_string(counter_++) + "." + format);
    write_archive(path, entries, format, filter);
    return path;
  }
  fs::path workspace() {
    fs::path path = dir_.path() / "ws";
    fs::create_directories(path);
    return path;
  }
  // Expects the archive to be refused with `message` and nothing written to the workspace.
  void expect_refused(const fs::path& archive, const std::string& message, int strip = 0) {
    fs::path ws = workspace();
    fs::create_directories(ws / "before");
    ExtractOptions options;
    options.strip_components = strip;
    options.confine_to = ws;
    try {
      extract_archive(archive, ws / "src", options);
      FAIL() << "extraction was not refused";
    } catch (const UnsafeArchiveError& error) {
      EXPECT_THAT(error.what(), HasSubstr(message));
    }
    EXPECT_THAT(list_tree(ws), ElementsAre("before/"));
    EXPECT_FALSE(fs::exists(dir_.path() / "escaped"));
  }

  lupine::TempDir dir_{"lupine-archive-test"};
  int counter_ = 0;
};

TEST_F(ArchiveExtractTest, ExtractsEveryCompressionAndZipWithStripComponents) {
  std::vector<ArchiveEntrySpec> entries{ArchiveEntrySpec::dir("pkg-1.0/"),
                                        ArchiveEntrySpec::file("pkg-1.0/configure", "#!/bin/sh\n", 0755),
                                        ArchiveEntrySpec::file("pkg-1.0/src/main.c", "int main(){}\n"),
                                        ArchiveEntrySpec::symlink("pkg-1.0/src/link.c", "main.c"),
                                        ArchiveEntrySpec::hardlink("pkg-1.0/src/hard.c", "pkg-1.0/src/main.c")};
  for (auto [format, filter] : std::vector<std::pair<std::string, std::string>>{
           {"tar", ""}, {"tar", "gzip"}, {"tar", "xz"}, {"tar", "bzip2"}, {"tar", "zstd"}, {"zip", ""}}) {
    SCOPED_TRACE(format + "/" + filter);
    std::vector<ArchiveEntrySpec> used = entries;
    if (format == "zip") used.pop_back();  // zip has no hard links
    fs::path path = archive(used, format, filter);
    fs::path out = dir_.path() / ("out-" + format + filter);
    ExtractOptions options;
    options.strip_components = 1;
    auto stats = extract_archive(path, out, options);
    EXPECT_EQ(lupine::read_file(out / "src/main.c"), "int main(){}\n");
    EXPECT_TRUE(fs::is_symlink(out / "src/link.c"));
    EXPECT_EQ(fs::read_symlink(out / "src/link.c"), "main.c");
    struct stat info {};
    ASSERT_EQ(::stat((out / "configure").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0755u);
    if (format == "tar") {
      EXPECT_EQ(fs::hard_link_count(out / "src/main.c"), 2u);
      EXPECT_EQ(stats.hardlinks, 1u);
    }
    EXPECT_EQ(stats.skipped, 1u);  // pkg-1.0/ itself
    for (const auto& name : list_tree(out)) EXPECT_EQ(name.find(".lupine-extract"), std::string::npos) << name;
  }
}

TEST_F(ArchiveExtractTest, LeadingDotCountsAsAComponentLikeGnuTar) {
  EXPECT_THAT(normalized_entry_path("a", "./pkg/file", 1), ElementsAre("pkg", "file"));
  EXPECT_THAT(normalized_entry_path("a", "./pkg/file", 2), ElementsAre("file"));
  EXPECT_TRUE(normalized_entry_path("a", "pkg/", 1).empty());
  EXPECT_THAT(normalized_entry_path("a", "pkg//x/./y", 0), ElementsAre("pkg", "x", "y"));
  EXPECT_THROW(normalized_entry_path("a", "/etc/passwd", 0), UnsafeArchiveError);
  EXPECT_THROW(normalized_entry_path("a", "x/../../y", 1), UnsafeArchiveError);
}

TEST_F(ArchiveExtractTest, MergesIntoExistingTreeReplacingFilesAndSymlinks) {
  fs::path ws = workspace();
  fs::create_directories(ws / "keep");
  lupine::write_file_atomic(ws / "keep/mine.patch", "patch\n");
  lupine::write_file_atomic(ws / "keep/old.txt", "old\n");
  fs::create_directory_symlink("/", ws / "dirlink");  // replaced, never followed
  auto path = archive({ArchiveEntrySpec::file("top/keep/old.txt", "new\n"), ArchiveEntrySpec::file("top/dirlink/x", "x\n")});
  ExtractOptions options;
  options.strip_components = 1;
  options.confine_to = ws;
  extract_archive(path, ws, options);
  EXPECT_EQ(lupine::read_file(ws / "keep/mine.patch"), "patch\n");
  EXPECT_EQ(lupine::read_file(ws / "keep/old.txt"), "new\n");
  EXPECT_FALSE(fs::is_symlink(ws / "dirlink"));
  EXPECT_EQ(lupine::read_file(ws / "dirlink/x"), "x\n");
}

TEST_F(ArchiveExtractTest, RefusesDotDotEntriesBeforeWritingAnything) {
  expect_refused(archive({ArchiveEntrySpec::file("pkg/ok.txt", "fine\n"), ArchiveEntrySpec::file("pkg/../../../escaped", "x")}),
                 "contains '..'");
}

TEST_F(ArchiveExtractTest, RefusesAbsoluteEntries) {
  expect_refused(archive({ArchiveEntrySpec::file("pkg/ok.txt", "fine\n"), ArchiveEntrySpec::file("/tmp/escaped", "x")}),
                 "absolute entry");
}

TEST_F(ArchiveExtractTest, RefusesSymlinksLeadingOut) {
  expect_refused(archive({ArchiveEntrySpec::file("ok.txt", "fine\n"), ArchiveEntrySpec::symlink("etc", "/etc")}),
                 "leads out of the workspace");
  expect_refused(archive({ArchiveEntrySpec::file("ok.txt", "fine\n"), ArchiveEntrySpec::symlink("up", "../../..")}),
                 "leads out of the workspace");
  // Lexically inside, but `a/here` is the destination itself, so here/../.. leaves the workspace.
  expect_refused(archive({ArchiveEntrySpec::symlink("a/here", ".."), ArchiveEntrySpec::symlink("a/b", "here/../../x")}),
                 "leads out of the workspace");
}

TEST_F(ArchiveExtractTest, RefusesEntriesWrittenThroughSymlinks) {
  expect_refused(archive({ArchiveEntrySpec::symlink("link", "sub"), ArchiveEntrySpec::file("link/file", "x")}),
                 "through the symlink link");
}

TEST_F(ArchiveExtractTest, RefusesHardLinksToUnknownNames) {
  expect_refused(archive({ArchiveEntrySpec::hardlink("pkg/passwd", "/etc/passwd")}), "absolute entry");
  expect_refused(archive({ArchiveEntrySpec::hardlink("pkg/x", "pkg/missing")}), "does not name an earlier file");
}

TEST_F(ArchiveExtractTest, AllowsSymlinksInsideTheWorkspace) {
  fs::path ws = workspace();
  auto path = archive({ArchiveEntrySpec::file("pkg/lib/libz.so.1.3", "elf"), ArchiveEntrySpec::symlink("pkg/lib/libz.so", "libz.so.1.3"),
                       ArchiveEntrySpec::symlink("pkg/docs", "../shared")});
  ExtractOptions options;
  options.strip_components = 1;
  options.confine_to = ws;
  extract_archive(path, ws / "src", options);  // src/docs -> ../shared stays inside ws
  EXPECT_TRUE(fs::is_symlink(ws / "src/lib/libz.so"));
  EXPECT_TRUE(fs::is_symlink(ws / "src/docs"));
}

TEST_F(ArchiveExtractTest, NotAnArchiveIsAnError) {
  fs::path path = dir_.path() / "plain.txt";
  lupine::write_file_atomic(path, std::string(4096, 'z'));
  EXPECT_THROW(extract_archive(path, dir_.path() / "out", {}), lupine::Error);
}

}  // namespace
