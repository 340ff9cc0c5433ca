// The tar dialect against other tools: GNU tar lists and extracts what the writer produces,
// archives GNU tar writes in its gnu, pax and ustar formats parse, and real packages built by
// abuild and melange parse — the melange one down to identical header bytes when rewritten.
#include "apk/tar.h"

#include "common/error.h"
#include "common/fs.h"
#include "common/hash.h"
#include "support/fixtures.h"
#include "support/run.h"
#include "tar_test_support.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <sstream>

namespace lupine::apk {
namespace {

using namespace tar_testing;
using lupine::testing::run;
namespace fs = std::filesystem;

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

std::vector<std::string> lines(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::map<std::string, TarItem> by_path(const ParsedTar& parsed) {
  std::map<std::string, TarItem> items;
  for (const auto& item : parsed.items) items.emplace(item.entry.path, item);
  return items;
}

std::string decompress(const fs::path& file) {
  auto result = run({"gzip", "-dc", file.string()});
  if (result.exit_code != 0) ADD_FAILURE() << "gzip -dc " << file << ": " << result.err;
  return result.out;
}

TEST(TarInterop, GnuTarListsWhatWeWrite) {
  TarEntry directory = typed_entry("usr/bin", TarType::directory);
  directory.mtime = 86400;
  TarEntry file = file_entry("usr/bin/tool", 5, 0755);
  file.checksum_sha1 = sha1_hex("hello");
  file.uid = 501;
  file.gid = 20;
  file.gname = "staff";
  TarEntry symlink = typed_entry("usr/bin/alias", TarType::symlink, "tool");
  TarEntry hardlink = typed_entry("usr/bin/tool2", TarType::hardlink, "usr/bin/tool");
  TarEntry chardev = typed_entry("dev/null", TarType::chardev);
  chardev.devmajor = 1;
  chardev.devminor = 3;
  TarEntry fifo = typed_entry("run/fifo", TarType::fifo);
  std::string split_path = std::string(130, 'p') + "/" + std::string(80, 'n');
  std::string pax_path = "opt/" + std::string(300, 'x');
  std::string long_target = "/" + std::string(200, 't');
  TarEntry split = file_entry(split_path, 0);
  TarEntry pax = file_entry(pax_path, 1);
  pax.xattrs = {{"user.bin", std::string("\0\n\xff", 3)}};
  TarEntry long_link = typed_entry("opt/link", TarType::symlink, long_target);

  TempDir scratch("lupine-tar");
  fs::path archive = scratch.path() / "out.tar";
  write_file_atomic(archive, make_archive({{directory, ""},
                                           {file, "hello"},
                                           {symlink, ""},
                                           {hardlink, ""},
                                           {chardev, ""},
                                           {fifo, ""},
                                           {split, ""},
                                           {pax, "!"},
                                           {long_link, ""}}));
  auto listing = run({"tar", "--utc", "-tvf", archive.string()});
  ASSERT_EQ(listing.exit_code, 0) << listing.err;
  auto rows = lines(listing.out);
  ASSERT_EQ(rows.size(), 9u) << listing.out;
  using Row = std::vector<std::string>;
  EXPECT_EQ(words(rows[0]), (Row{"drwxr-xr-x", "root/root", "0", "1970-01-02", "00:00", "usr/bin"}));
  EXPECT_EQ(words(rows[1]), (Row{"-rwxr-xr-x", "501/staff", "5", "1970-01-01", "00:00", "usr/bin/tool"}));
  EXPECT_EQ(words(rows[2]), (Row{"lrwxrwxrwx", "root/root", "0", "1970-01-01", "00:00", "usr/bin/alias", "->", "tool"}));
  EXPECT_EQ(words(rows[3]),
            (Row{"hrw-r--r--", "root/root", "0", "1970-01-01", "00:00", "usr/bin/tool2", "link", "to", "usr/bin/tool"}));
  EXPECT_EQ(words(rows[4]), (Row{"crw-r--r--", "root/root", "1,3", "1970-01-01", "00:00", "dev/null"}));
  EXPECT_EQ(words(rows[5]), (Row{"prw-r--r--", "root/root", "0", "1970-01-01", "00:00", "run/fifo"}));
  EXPECT_EQ(words(rows[6]), (Row{"-rw-r--r--", "root/root", "0", "1970-01-01", "00:00", split_path}));
  EXPECT_EQ(words(rows[7]), (Row{"-rw-r--r--", "root/root", "1", "1970-01-01", "00:00", pax_path}));
  EXPECT_EQ(words(rows[8]), (Row{"lrwxrwxrwx", "root/root", "0", "1970-01-01", "00:00", "opt/link", "->", long_target}));
}

TEST(TarInterop, GnuTarExtractsWhatWeWrite) {
  std::string split_path = std::string(130, 'p') + "/" + std::string(80, 'n');
  std::string pax_path = "opt/" + std::string(120, 'd') + "/" + std::string(200, 'f');
  std::string long_target = std::string(120, 'd') + "/" + std::string(200, 'f');  // from opt/
  TempDir scratch("lupine-tar");
  fs::path archive = scratch.path() / "out.tar";
  write_file_atomic(archive, make_archive({{file_entry(split_path, 5), "split"},
                                           {file_entry(pax_path, 700), std::string(700, 'p')},
                                           {typed_entry("opt/link", TarType::symlink, long_target), ""},
                                           {typed_entry("opt/hard", TarType::hardlink, split_path), ""}}));
  fs::path out = scratch.path() / "x";
  fs::create_directory(out);
  auto extract = run({"tar", "--no-same-owner", "-xf", archive.string(), "-C", out.string()});
  ASSERT_EQ(extract.exit_code, 0) << extract.err;
  EXPECT_EQ(read_file(out / split_path), "split");
  EXPECT_EQ(read_file(out / pax_path), std::string(700, 'p'));
  EXPECT_EQ(fs::read_symlink(out / "opt/link").string(), long_target);
  EXPECT_EQ(read_file(out / "opt/link"), std::string(700, 'p'));
  EXPECT_TRUE(fs::equivalent(out / "opt/hard", out / split_path));
}

// A tree with a name too long for a ustar name field or prefix split, a symlink, a hard link and
// an empty directory, archived by GNU tar from its top ("./..." names).
struct GnuTree {
  TempDir scratch{"lupine-tar"};
  fs::path root = scratch.path() / "src";
  std::string long_path;
  std::string stream;  // the last archive read: parsed items point into it

  GnuTree() {
    fs::path deep = root;
    for (int i = 0; i < 4; ++i) deep /= std::string(60, static_cast<char>('a' + i));
    fs::create_directories(deep);
    fs::create_directory(root / "empty");
    long_path = (fs::relative(deep, root) / std::string(70, 'z')).string();
    write_file_atomic(root / long_path, "deep contents");
    write_file_atomic(root / "a.txt", "alpha");
    fs::create_symlink("a.txt", root / "link");
    fs::create_hard_link(root / "a.txt", root / "hard");
    for (const auto& file : {long_path, std::string("a.txt")}) {
      auto touched = run({"touch", "-h", "-d", "@1700000000.75", (root / file).string()});
      if (touched.exit_code != 0) ADD_FAILURE() << touched.err;
    }
  }

  ParsedTar archive_with(const std::string& format) {
    fs::path archive = scratch.path() / (format + ".tar");
    auto created = run({"tar", "--format=" + format, "--sort=name", "-cf", archive.string(), "-C", root.string(), "."});
    if (created.exit_code != 0) ADD_FAILURE() << format << ": " << created.err;
    stream = read_file(archive);
    return parse_tar(stream, archive.string());
  }
};

void expect_gnu_tree(const ParsedTar& parsed, const std::string& long_path) {
  EXPECT_TRUE(parsed.end_of_archive);
  auto items = by_path(parsed);
  ASSERT_TRUE(items.count("."));
  EXPECT_EQ(items["."].entry.type, TarType::directory);
  ASSERT_TRUE(items.count("a.txt"));
  EXPECT_EQ(items["a.txt"].entry.type, TarType::regular);
  EXPECT_EQ(items["a.txt"].data, "alpha");
  EXPECT_EQ(items["a.txt"].entry.mtime, 1700000000);
  ASSERT_TRUE(items.count("hard"));
  EXPECT_EQ(items["hard"].entry.type, TarType::hardlink);
  EXPECT_EQ(items["hard"].entry.link_target, "a.txt");
  ASSERT_TRUE(items.count("link"));
  EXPECT_EQ(items["link"].entry.type, TarType::symlink);
  EXPECT_EQ(items["link"].entry.link_target, "a.txt");
  ASSERT_TRUE(items.count("empty"));
  EXPECT_EQ(items["empty"].entry.type, TarType::directory);
  ASSERT_TRUE(items.count(long_path)) << long_path;
  EXPECT_EQ(items[long_path].data, "deep contents");
  EXPECT_EQ(items[long_path].entry.mtime, 1700000000);
  EXPECT_EQ(items[long_path].entry.mode, 0644u);
  // The directories leading to it, without trailing '/'.
  ASSERT_TRUE(items.count(std::string(60, 'a')));
  EXPECT_EQ(items[std::string(60, 'a')].entry.type, TarType::directory);
  EXPECT_EQ(parsed.items.size(), 10u);
}

TEST(TarInterop, GnuTarGnuFormatParses) {
  GnuTree tree;
  ParsedTar parsed = tree.archive_with("gnu");  // GNU magic, `L` long-name entries
  expect_gnu_tree(parsed, tree.long_path);
}

TEST(TarInterop, GnuTarPaxFormatParses) {
  GnuTree tree;
  ParsedTar parsed = tree.archive_with("pax");  // `x` headers with path and fractional mtime
  expect_gnu_tree(parsed, tree.long_path);
}

TEST(TarInterop, GnuTarUstarFormatParses) {
  TempDir scratch("lupine-tar");
  std::string path = std::string(120, 'd') + "/" + std::string(90, 'f');  // needs the prefix field
  fs::create_directories(scratch.path() / "src" / std::string(120, 'd'));
  write_file_atomic(scratch.path() / "src" / path, "prefixed");
  fs::path archive = scratch.path() / "ustar.tar";
  auto created = run({"tar", "--format=ustar", "-cf", archive.string(), "-C", (scratch.path() / "src").string(), path});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  std::string stream = read_file(archive);
  ParsedTar parsed = parse_tar(stream, "ustar.tar");
  ASSERT_EQ(parsed.items.size(), 1u);
  EXPECT_EQ(parsed.items[0].entry.path, path);
  EXPECT_EQ(parsed.items[0].data, "prefixed");
}

TEST(TarInterop, GnuTarV7FormatIsRefused) {
  TempDir scratch("lupine-tar");
  write_file_atomic(scratch.path() / "f", "v7");
  fs::path archive = scratch.path() / "v7.tar";
  auto created = run({"tar", "--format=v7", "-cf", archive.string(), "-C", scratch.path().string(), "f"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  try {
    parse_tar(read_file(archive), "v7.tar");
    FAIL() << "a V7 archive (no ustar magic) was accepted";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("v7.tar: bad tar header magic at offset 0 (entry 'f')"));
  }
}

// Checks the per-file checksums of a whole parsed package (reference/apk.md §1.4).
size_t expect_checksums_match(const ParsedTar& parsed) {
  size_t checked = 0;
  for (const auto& item : parsed.items) {
    const TarEntry& entry = item.entry;
    if (entry.checksum_sha1.empty()) continue;
    SCOPED_TRACE(entry.path);
    std::string_view content = entry.type == TarType::symlink ? std::string_view(entry.link_target) : item.data;
    EXPECT_EQ(sha1_hex(content), entry.checksum_sha1);
    ++checked;
  }
  return checked;
}

TEST(TarFixtures, AbuildPackageParsesAsOneStream) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  fs::path apk = fixtures / "apk/apko-apk/alpine-316/alpine-baselayout-3.2.0-r23.apk";
  std::string stream = decompress(apk);
  ParsedTar parsed = parse_tar(stream, apk.string());
  EXPECT_TRUE(parsed.end_of_archive);  // followed by 18 more zero blocks of GNU record padding
  ASSERT_GT(parsed.items.size(), 3u);
  EXPECT_TRUE(parsed.items[0].entry.path.starts_with(".SIGN.RSA.alpine-devel@lists.alpinelinux.org-"));
  EXPECT_EQ(parsed.items[0].entry.uname, "");  // GNU magic header, names left empty
  EXPECT_EQ(parsed.items[1].entry.path, ".PKGINFO");
  EXPECT_EQ(parsed.items[1].header_offset, 1024u);  // its `x` header
  EXPECT_EQ(parsed.items[1].entry.other_pax, (std::vector<std::pair<std::string, std::string>>{{"ctime", "0"}, {"atime", "0"}}));

  auto items = by_path(parsed);
  ASSERT_TRUE(items.count("var/run"));
  EXPECT_EQ(items["var/run"].entry.type, TarType::symlink);
  EXPECT_EQ(items["var/run"].entry.link_target, "/run");
  EXPECT_EQ(items["var/run"].entry.checksum_sha1, "d7f48d673ffc70ad9d48a2be709a55ad922e1784");
  ASSERT_TRUE(items.count("etc/crontabs/root"));
  EXPECT_EQ(items["etc/crontabs/root"].entry.mode, 0600u);
  EXPECT_EQ(items["dev"].entry.type, TarType::directory);  // written "dev/"
  EXPECT_GT(expect_checksums_match(parsed), 10u);

  // Same names, in the same order, as GNU tar reads (less its trailing '/' on directories).
  TempDir scratch("lupine-tar");
  write_file_atomic(scratch.path() / "a.tar", stream);
  auto listing = run({"tar", "-tf", (scratch.path() / "a.tar").string()});
  ASSERT_EQ(listing.exit_code, 0) << listing.err;
  auto names = lines(listing.out);
  ASSERT_EQ(names.size(), parsed.items.size());
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i].ends_with('/')) names[i].pop_back();
    EXPECT_EQ(parsed.items[i].entry.path, names[i]);
  }
}

TEST(TarFixtures, MelangePackageParsesAndIsRewrittenByteForByte) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  fs::path apk = fixtures / "apk/apko-cli/packages/x86_64/replayout-1.0.0-r0.apk";
  std::string stream = decompress(apk);
  ParsedTar parsed = parse_tar(stream, apk.string());
  EXPECT_TRUE(parsed.end_of_archive);
  auto items = by_path(parsed);
  ASSERT_TRUE(items.count("etc/os-release"));
  const TarEntry& os_release = items["etc/os-release"].entry;
  EXPECT_EQ(os_release.uid, 501u);
  EXPECT_EQ(os_release.uname, "");
  EXPECT_EQ(os_release.gname, "dialout");
  EXPECT_EQ(os_release.checksum_sha1, "ca5e527bbb8a5cc9c4c2d2b4e29618d8ca3be5f8");
  EXPECT_EQ(items["etc"].entry.type, TarType::directory);
  EXPECT_EQ(expect_checksums_match(parsed), 2u);

  // The writer reproduces melange's headers exactly, PAX headers included.
  for (const auto& item : parsed.items) {
    SCOPED_TRACE(item.entry.path);
    size_t data_offset = item.entry.type == TarType::regular
                             ? static_cast<size_t>(item.data.data() - stream.data())
                             : item.header_offset + tar_header(item.entry).size();
    EXPECT_EQ(tar_header(item.entry), stream.substr(item.header_offset, data_offset - item.header_offset));
  }
}

}  // namespace
}  // namespace lupine::apk
