// The tar writer: header bytes as melange (Go archive/tar) writes them, PAX records only when
// needed, determinism, and round trips through parse_tar.
#include "apk/tar.h"

#include "apk/tar_block.h"
#include "apk/tar_pax.h"
#include "common/error.h"
#include "tar_test_support.h"

#include <gtest/gtest.h>

namespace lupine::apk {
namespace {

using namespace tar_testing;
namespace block = tar_block;

std::string_view field(std::string_view header, block::Field f) { return block::raw(header, f); }

// The PAX records in front of a header written by tar_header (none when it is a single block).
PaxRecords records_of(const std::string& header) {
  if (header.size() == block::block_size) return {};
  auto size = std::stoull(std::string(block::text(header, block::size)), nullptr, 8);
  return parse_pax_records(std::string_view(header).substr(block::block_size, size), "test");
}

TEST(TarWriter, RegularFileHeaderIsUstarWithOctalFields) {
  TarEntry entry = file_entry("etc/os-release", 102);
  entry.mtime = 1700000000;
  std::string header = tar_header(entry);
  ASSERT_EQ(header.size(), 512u);
  EXPECT_EQ(block::text(header, block::name), "etc/os-release");
  EXPECT_EQ(field(header, block::mode), std::string_view("0000644\0", 8));
  EXPECT_EQ(field(header, block::uid), std::string_view("0000000\0", 8));
  EXPECT_EQ(field(header, block::gid), std::string_view("0000000\0", 8));
  EXPECT_EQ(field(header, block::size), std::string_view("00000000146\0", 12));
  EXPECT_EQ(field(header, block::mtime), std::string_view("14524770400\0", 12));
  EXPECT_EQ(header[156], '0');
  EXPECT_EQ(field(header, block::magic), std::string_view("ustar\0" "00", 8));
  EXPECT_EQ(block::text(header, block::uname), "root");
  EXPECT_EQ(block::text(header, block::gname), "root");
  EXPECT_EQ(field(header, block::devmajor), std::string_view("0000000\0", 8));
  EXPECT_EQ(field(header, block::devminor), std::string_view("0000000\0", 8));
  // Checksum: 6 octal digits, NUL, space — and the right value.
  std::string_view checksum = field(header, block::checksum);
  EXPECT_EQ(checksum.substr(6), std::string_view("\0 ", 2));
  EXPECT_EQ(std::stoll(std::string(checksum.substr(0, 6)), nullptr, 8), block::header_checksums(header).unsigned_sum);
}

TEST(TarWriter, OwnerNamesDefaultToRootOnlyForIdZero) {
  TarEntry entry = file_entry("a", 0);
  entry.uid = 501;
  entry.gid = 20;
  entry.gname = "dialout";
  std::string header = tar_header(entry);
  EXPECT_EQ(block::text(header, block::uname), "");
  EXPECT_EQ(block::text(header, block::gname), "dialout");
  EXPECT_EQ(field(header, block::uid), std::string_view("0000765\0", 8));
  entry.uid = 0;
  entry.uname = "builder";
  EXPECT_EQ(block::text(tar_header(entry), block::uname), "builder");
}

TEST(TarWriter, ModeKeepsOnlyPermissionBits) {
  TarEntry entry = file_entry("a", 0, 0104755);
  EXPECT_EQ(field(tar_header(entry), block::mode), std::string_view("0004755\0", 8));
}

TEST(TarWriter, LinksDirectoriesAndDevicesHaveNoSize) {
  TarEntry hardlink = typed_entry("b", TarType::hardlink, "a");
  hardlink.size = 42;  // ignored: hard links carry no data
  std::string header = tar_header(hardlink);
  EXPECT_EQ(header[156], '1');
  EXPECT_EQ(block::text(header, block::linkname), "a");
  EXPECT_EQ(field(header, block::size), std::string_view("00000000000\0", 12));

  TarEntry directory = typed_entry("usr/bin", TarType::directory);
  directory.size = 4096;
  header = tar_header(directory);
  EXPECT_EQ(header[156], '5');
  EXPECT_EQ(block::text(header, block::name), "usr/bin");  // no trailing '/', as melange writes
  EXPECT_EQ(field(header, block::size), std::string_view("00000000000\0", 12));

  TarEntry device = typed_entry("dev/sda", TarType::blockdev);
  device.devmajor = 8;
  device.devminor = 0777;
  header = tar_header(device);
  EXPECT_EQ(header[156], '4');
  EXPECT_EQ(field(header, block::devmajor), std::string_view("0000010\0", 8));
  EXPECT_EQ(field(header, block::devminor), std::string_view("0000777\0", 8));
}

TEST(TarWriter, NoPaxHeaderWhenNothingNeedsOne) {
  EXPECT_EQ(tar_header(file_entry(std::string(100, 'n'), 5)).size(), 512u);
  EXPECT_EQ(tar_header(typed_entry("l", TarType::symlink, std::string(100, 't'))).size(), 512u);
}

TEST(TarWriter, LongPathIsSplitIntoUstarPrefix) {
  std::string directory = std::string(120, 'd');
  std::string path = directory + "/sub/" + std::string(90, 'f');
  std::string header = tar_header(file_entry(path, 0));
  ASSERT_EQ(header.size(), 512u);  // no PAX header needed
  EXPECT_EQ(block::text(header, block::prefix), directory + "/sub");
  EXPECT_EQ(block::text(header, block::name), std::string(90, 'f'));
}

TEST(TarWriter, UnsplittablePathGoesToPaxPath) {
  // The last component is longer than the 100-byte name field.
  std::string path = "usr/share/" + std::string(120, 'x');
  std::string header = tar_header(file_entry(path, 0));
  ASSERT_EQ(header.size(), 3 * 512u);
  EXPECT_EQ(header[156], 'x');
  EXPECT_EQ(block::text(header, block::name), ("usr/share/PaxHeaders.0/" + std::string(120, 'x')).substr(0, 100));
  EXPECT_EQ(field(header, block::mode), std::string_view("0000000\0", 8));
  EXPECT_EQ(field(header, block::mtime), std::string_view("00000000000\0", 12));
  EXPECT_EQ(block::text(header, block::uname), "");
  EXPECT_EQ(records_of(header), (PaxRecords{{"path", path}}));
  std::string_view main(header.data() + 1024, 512);
  EXPECT_EQ(main[156], '0');
  EXPECT_EQ(block::text(main, block::name), path.substr(0, 100));

  // Too long for prefix + name altogether.
  std::string deep;
  for (int i = 0; i < 30; ++i) deep += "component/";
  deep += "file";
  EXPECT_EQ(records_of(tar_header(file_entry(deep, 0))), (PaxRecords{{"path", deep}}));
}

TEST(TarWriter, PaxHeaderNameForTopLevelEntries) {
  TarEntry entry = file_entry("top", 0);
  entry.checksum_sha1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709";
  EXPECT_EQ(block::text(tar_header(entry), block::name), "PaxHeaders.0/top");
}

TEST(TarWriter, LongLinkTargetGoesToPaxLinkpath) {
  std::string target = "/opt/" + std::string(150, 't');
  std::string header = tar_header(typed_entry("usr/bin/tool", TarType::symlink, target));
  EXPECT_EQ(records_of(header), (PaxRecords{{"linkpath", target}}));
  std::string_view main(header.data() + header.size() - 512, 512);
  EXPECT_EQ(main[156], '2');
  EXPECT_EQ(block::text(main, block::linkname), target.substr(0, 100));
}

TEST(TarWriter, OutOfRangeNumbersGoToPaxRecords) {
  TarEntry entry = file_entry("big", uint64_t{8} << 30);  // 8 GiB: one more than 11 octal digits hold
  entry.uid = 010000000;                                  // 8 octal digits
  entry.gid = 4000000000u;
  entry.mtime = -1;
  std::string header = tar_header(entry);
  EXPECT_EQ(records_of(header), (PaxRecords{{"gid", "4000000000"},
                                            {"mtime", "-1"},
                                            {"size", "8589934592"},
                                            {"uid", "2097152"}}));
  std::string_view main(header.data() + header.size() - 512, 512);
  EXPECT_EQ(field(main, block::size), std::string_view("00000000000\0", 12));
  EXPECT_EQ(field(main, block::uid), std::string_view("0000000\0", 8));
  // An id 0 with a PAX record is still id 0 for uname purposes only when it is really 0.
  EXPECT_EQ(block::text(main, block::uname), "");

  TarEntry largest = file_entry("largest", (uint64_t{8} << 30) - 1);
  largest.uid = 07777777;
  largest.mtime = 077777777777;
  EXPECT_EQ(tar_header(largest).size(), 512u);
}

TEST(TarWriter, RecordsAreSortedAndCarryXattrsAndChecksum) {
  TarEntry entry = file_entry("usr/bin/ping", 10);
  std::string capability("\x01\x00\x00\x02\x00\x20\x00\x00\n\xff", 10);
  entry.xattrs = {{"user.note", "a=b\nc"}, {"security.capability", capability}};
  entry.checksum_sha1 = "0123456789abcdef0123456789abcdef01234567";
  EXPECT_EQ(records_of(tar_header(entry)), (PaxRecords{{"APK-TOOLS.checksum.SHA1", entry.checksum_sha1},
                                                       {"SCHILY.xattr.security.capability", capability},
                                                       {"SCHILY.xattr.user.note", "a=b\nc"}}));
}

TEST(TarWriter, OutputIsDeterministic) {
  TarEntry entry = file_entry("usr/lib/" + std::string(200, 'l'), 3);
  entry.xattrs = {{"user.b", "2"}, {"user.a", "1"}};
  entry.checksum_sha1 = "ffffffffffffffffffffffffffffffffffffffff";
  std::string first = tar_header(entry);
  EXPECT_EQ(first, tar_header(entry));
  std::swap(entry.xattrs[0], entry.xattrs[1]);  // input order of xattrs does not matter
  EXPECT_EQ(first, tar_header(entry));
}

TEST(TarWriter, RejectsEntriesTarCannotCarry) {
  EXPECT_THROW(tar_header(file_entry("", 0)), Error);
  EXPECT_THROW(tar_header(file_entry(std::string("a\0b", 3), 0)), Error);
  TarEntry entry = file_entry("a", 0);
  entry.xattrs = {{"user.a=b", "x"}};
  EXPECT_THROW(tar_header(entry), Error);
  entry.xattrs = {{"user.a", "x"}, {"user.a", "y"}};
  EXPECT_THROW(tar_header(entry), Error);
  TarEntry device = typed_entry("dev/x", TarType::chardev);
  device.devmajor = 010000000;
  EXPECT_THROW(tar_header(device), Error);
}

TEST(TarWriter, PaddingAndEndOfArchive) {
  EXPECT_EQ(tar_padding(0).size(), 0u);
  EXPECT_EQ(tar_padding(1).size(), 511u);
  EXPECT_EQ(tar_padding(512).size(), 0u);
  EXPECT_EQ(tar_padding(1000).size(), 24u);
  EXPECT_EQ(tar_end_of_archive(), std::string(1024, '\0'));
}

TEST(TarPax, LengthPrefixCountsItself) {
  EXPECT_EQ(pax_record("path", "a"), "9 path=a\n");
  // 8 bytes of body + 1 digit = 9; 9 bytes of body + 1 digit = 10 needs a second digit: 11.
  EXPECT_EQ(pax_record("k", "1234"), "9 k=1234\n");
  EXPECT_EQ(pax_record("k", "12345"), "11 k=12345\n");
  // 97 bytes of body + 2 digits = 99; 98 + 2 = 100 rolls over to 3 digits: 101.
  std::string at99 = pax_record("path", std::string(90, 'v'));
  EXPECT_EQ(at99.size(), 99u);
  EXPECT_TRUE(at99.starts_with("99 path="));
  std::string at101 = pax_record("path", std::string(91, 'v'));
  EXPECT_EQ(at101.size(), 101u);
  EXPECT_TRUE(at101.starts_with("101 path="));
  EXPECT_EQ(parse_pax_records(at99 + at101, "test"),
            (PaxRecords{{"path", std::string(90, 'v')}, {"path", std::string(91, 'v')}}));
  // The 999 -> 1001 rollover.
  EXPECT_EQ(pax_record("k", std::string(991, 'v')).size(), 998u);
  EXPECT_EQ(pax_record("k", std::string(992, 'v')).size(), 999u);
  EXPECT_EQ(pax_record("k", std::string(993, 'v')).size(), 1001u);
  EXPECT_TRUE(pax_record("k", std::string(993, 'v')).starts_with("1001 k="));
}

TEST(TarPax, BinaryValuesRoundTrip) {
  std::string value("\0\n=\xff 12 x=y\n", 12);
  EXPECT_EQ(parse_pax_records(pax_record("SCHILY.xattr.user.bin", value), "test"),
            (PaxRecords{{"SCHILY.xattr.user.bin", value}}));
}

TEST(TarPax, MalformedRecordsAreRejected) {
  for (std::string data : {"x path=a\n", "10path=a\n", "11 path=a\n", "10 path=ab\n", "10 path_a\n",
                           "8 =abcd\n", "10 path=ab", "3 a\n", "10 path=a\n\x01", "-10 path=a\n"}) {
    SCOPED_TRACE(data);
    EXPECT_THROW(parse_pax_records(data, "test"), Error);
  }
  // NUL padding after the last record is tolerated.
  EXPECT_EQ(parse_pax_records(std::string("10 path=a\n\0\0\0", 13), "test"), (PaxRecords{{"path", "a"}}));
}

// --- Round trips through parse_tar ---

void expect_same_entry(const TarEntry& read, const TarEntry& written) {
  SCOPED_TRACE(written.path);
  EXPECT_EQ(read.path, written.path);
  EXPECT_EQ(read.type, written.type);
  EXPECT_EQ(read.mode, written.mode & 07777);
  EXPECT_EQ(read.uid, written.uid);
  EXPECT_EQ(read.gid, written.gid);
  EXPECT_EQ(read.uname, written.uname.empty() && written.uid == 0 ? "root" : written.uname);
  EXPECT_EQ(read.gname, written.gname.empty() && written.gid == 0 ? "root" : written.gname);
  EXPECT_EQ(read.mtime, written.mtime);
  EXPECT_EQ(read.size, written.type == TarType::regular ? written.size : 0);
  EXPECT_EQ(read.link_target, written.link_target);
  EXPECT_EQ(read.devmajor, written.devmajor);
  EXPECT_EQ(read.devminor, written.devminor);
  auto sorted = [](auto pairs) {
    std::sort(pairs.begin(), pairs.end());
    return pairs;
  };
  EXPECT_EQ(sorted(read.xattrs), sorted(written.xattrs));
  EXPECT_EQ(read.checksum_sha1, written.checksum_sha1);
  EXPECT_TRUE(read.other_pax.empty());
}

void expect_round_trip(const std::vector<std::pair<TarEntry, std::string>>& entries) {
  std::string archive = make_archive(entries);
  ParsedTar parsed = parse_tar(archive, "test.tar");
  EXPECT_TRUE(parsed.end_of_archive);
  ASSERT_EQ(parsed.items.size(), entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    expect_same_entry(parsed.items[i].entry, entries[i].first);
    if (entries[i].first.type == TarType::regular) {
      EXPECT_EQ(parsed.items[i].data, entries[i].second);
    }
  }
}

TEST(TarRoundTrip, EveryEntryType) {
  TarEntry regular = file_entry("etc/motd", 6);
  regular.mtime = 1234567890;
  regular.checksum_sha1 = "4b8ed1b5f2e6ae1a9d4eb4e86f0bbf51b1e2a1ba";
  TarEntry executable = file_entry("usr/bin/run", 0, 04755);
  executable.uid = 501;
  executable.gid = 1000;
  executable.uname = "build";
  executable.gname = "users";
  TarEntry directory = typed_entry("usr/bin", TarType::directory);
  TarEntry symlink = typed_entry("var/run", TarType::symlink, "/run");
  symlink.checksum_sha1 = "d7f48d673ffc70ad9d48a2be709a55ad922e1784";
  TarEntry hardlink = typed_entry("usr/bin/run2", TarType::hardlink, "usr/bin/run");
  TarEntry chardev = typed_entry("dev/null", TarType::chardev);
  chardev.devmajor = 1;
  chardev.devminor = 3;
  TarEntry blockdev = typed_entry("dev/loop0", TarType::blockdev);
  blockdev.devmajor = 7;
  TarEntry fifo = typed_entry("run/pipe", TarType::fifo);
  fifo.mode = 0600;
  expect_round_trip({{directory, ""},
                     {regular, "hello\n"},
                     {executable, ""},
                     {symlink, ""},
                     {hardlink, ""},
                     {chardev, ""},
                     {blockdev, ""},
                     {fifo, ""}});
}

TEST(TarRoundTrip, LongNamesTargetsXattrsAndLargeNumbers) {
  std::string split_path = std::string(150, 'p') + "/" + std::string(99, 'n');
  std::string pax_path = "usr/share/" + std::string(40, 'd') + "/" + std::string(250, 'f');
  TarEntry split = file_entry(split_path, 3);
  TarEntry pax = file_entry(pax_path, 1000);
  pax.checksum_sha1 = std::string(40, 'a');
  TarEntry link = typed_entry(std::string(180, 'l'), TarType::symlink, "../" + std::string(300, 't'));
  TarEntry hardlink = typed_entry("hard", TarType::hardlink, pax_path);
  TarEntry attributes = file_entry("usr/bin/ping", 1);
  attributes.xattrs = {{"security.capability", std::string("\x01\x00\x00\x02\x00\x20\x00\x00\0\0", 10)},
                       {"user.multi", "line one\nline two=\n"}};
  TarEntry owners = file_entry("owned", 0);
  owners.uid = 3000000000u;
  owners.gid = 07777777 + 1;
  owners.uname = std::string(40, 'u');  // longer than the 32-byte field: a PAX record
  owners.gname = std::string(32, 'g');  // exactly fills the field, without a NUL
  owners.mtime = -86400;
  TarEntry future = file_entry("future", 0);
  future.mtime = int64_t{1} << 40;
  expect_round_trip({{split, "abc"},
                     {pax, std::string(1000, 'x')},
                     {link, ""},
                     {hardlink, ""},
                     {attributes, "!"},
                     {owners, ""},
                     {future, ""}});
}

TEST(TarRoundTrip, ItemsRecordWhereTheirHeadersStart) {
  TarEntry plain = file_entry("a", 600);
  TarEntry with_pax = file_entry("b", 1);
  with_pax.checksum_sha1 = std::string(40, '0');
  std::string archive = make_archive({{plain, std::string(600, 'a')}, {with_pax, "b"}});
  ParsedTar parsed = parse_tar(archive, "test.tar");
  ASSERT_EQ(parsed.items.size(), 2u);
  EXPECT_EQ(parsed.items[0].header_offset, 0u);
  EXPECT_EQ(parsed.items[1].header_offset, 512u + 1024u);  // the `x` header, not the ustar one
  EXPECT_EQ(parsed.items[1].data.data(), archive.data() + 512 + 1024 + 1024 + 512);
}

}  // namespace
}  // namespace lupine::apk
