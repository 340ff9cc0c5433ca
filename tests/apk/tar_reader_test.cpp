// The tar parser on crafted input: the encodings other writers use (GNU magic and base-256, GNU
// long names, space-terminated fields, PAX records), apk-tools' end-of-archive rules, and every
// way a stream can be malformed.
#include "apk/tar.h"

#include "apk/tar_block.h"
#include "apk/tar_pax.h"
#include "common/error.h"
#include "tar_test_support.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lupine::apk {
namespace {

using namespace tar_testing;
using ::testing::HasSubstr;
namespace block = tar_block;

std::string parse_error(std::string_view stream) {
  try {
    parse_tar(stream, "test.apk");
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

std::string pax_entry(std::string_view name, const PaxRecords& records) {
  std::string data;
  for (const auto& [key, value] : records) data += pax_record(key, value);
  return raw_entry(name, 'x', data);
}

const std::string end = std::string(tar_end_of_archive());

TEST(TarReader, EmptyStreamAndLoneEndMarker) {
  ParsedTar empty = parse_tar("", "test");
  EXPECT_TRUE(empty.items.empty());
  EXPECT_FALSE(empty.end_of_archive);
  ParsedTar marker = parse_tar(end, "test");
  EXPECT_TRUE(marker.items.empty());
  EXPECT_TRUE(marker.end_of_archive);
}

TEST(TarReader, StreamWithoutEndMarkerIsAccepted) {
  // An .apk's signature and control members end without one.
  std::string archive = make_archive({{file_entry(".PKGINFO", 3), "a=b"}}, false);
  ParsedTar parsed = parse_tar(archive, "test");
  ASSERT_EQ(parsed.items.size(), 1u);
  EXPECT_FALSE(parsed.end_of_archive);
}

TEST(TarReader, ZeroBytesMayFollowTheEndMarker) {
  std::string archive = make_archive({{file_entry("a", 1), "x"}}) + std::string(18 * 512, '\0');
  ParsedTar parsed = parse_tar(archive, "test");
  EXPECT_EQ(parsed.items.size(), 1u);
  EXPECT_TRUE(parsed.end_of_archive);
}

TEST(TarReader, DataAfterTheEndMarkerIsAnError) {
  std::string archive = make_archive({{file_entry("a", 1), "x"}}) + std::string(512, '\0') + "junk";
  EXPECT_THAT(parse_error(archive), HasSubstr("test.apk: data after the tar end-of-archive at offset 2560"));
  std::string another = make_archive({{file_entry("a", 1), "x"}}) + make_archive({{file_entry("b", 1), "y"}});
  EXPECT_THAT(parse_error(another), HasSubstr("data after the tar end-of-archive"));
}

TEST(TarReader, SingleStrayZeroBlockIsPassedOver) {
  // apk-tools counts zero blocks without resetting: one is tolerated, the next ends the archive.
  std::string a = make_archive({{file_entry("a", 1), "x"}}, false);
  std::string b = make_archive({{file_entry("b", 1), "y"}}, false);
  std::string zero(512, '\0');
  ParsedTar parsed = parse_tar(a + zero + b + end, "test");
  ASSERT_EQ(parsed.items.size(), 2u);
  EXPECT_EQ(parsed.items[1].entry.path, "b");
  EXPECT_TRUE(parsed.end_of_archive);

  ParsedTar ended = parse_tar(a + zero + b + zero, "test");
  EXPECT_EQ(ended.items.size(), 2u);
  EXPECT_TRUE(ended.end_of_archive);
  EXPECT_THAT(parse_error(a + zero + b + zero + a), HasSubstr("data after the tar end-of-archive"));
}

TEST(TarReader, TruncationIsAnErrorNamingTheEntry) {
  TarEntry entry = file_entry("usr/bin/tool", 700);
  entry.checksum_sha1 = std::string(40, 'c');
  std::string archive = make_archive({{entry, std::string(700, 'z')}});
  // x header [0, 512), PAX data [512, 1024), ustar header [1024, 1536), data [1536, 2236),
  // padding to 2560, end marker [2560, 3584).
  struct Cut {
    size_t at;
    const char* message;
  };
  for (Cut cut : {Cut{100, "truncated tar entry 'usr/bin/PaxHeaders.0/tool' (header at offset 0)"},
                  Cut{511, "truncated tar entry 'usr/bin/PaxHeaders.0/tool'"},
                  Cut{600, "truncated tar entry 'usr/bin/PaxHeaders.0/tool' (data at offset 512)"},
                  Cut{1024, "truncated tar entry 'usr/bin/PaxHeaders.0/tool': no entry follows"},
                  Cut{1300, "truncated tar entry 'usr/bin/tool' (header at offset 1024)"},
                  Cut{1536, "truncated tar entry 'usr/bin/tool' (data at offset 1536)"},
                  Cut{2000, "truncated tar entry 'usr/bin/tool'"},
                  Cut{2300, "truncated tar entry 'usr/bin/tool'"},  // inside the padding
                  Cut{2600, "truncated tar entry ''"},             // inside the end marker
                  Cut{3100, "truncated tar entry ''"}}) {
    SCOPED_TRACE(cut.at);
    EXPECT_THAT(parse_error(archive.substr(0, cut.at)), HasSubstr(std::string("test.apk: ") + cut.message));
  }
  // Cuts at a block boundary between entries or after one zero block are clean ends.
  EXPECT_EQ(parse_tar(archive.substr(0, 2560), "test").items.size(), 1u);
  EXPECT_EQ(parse_tar(archive.substr(0, 3072), "test").items.size(), 1u);
  EXPECT_FALSE(parse_tar(archive.substr(0, 3072), "test").end_of_archive);
}

TEST(TarReader, BadChecksumIsAnError) {
  std::string archive = make_archive({{file_entry("a", 1), "x"}, {file_entry("b", 1), "y"}});
  archive[1024 + 10] = 'X';  // inside the second header's name field
  EXPECT_THAT(parse_error(archive), HasSubstr("test.apk: bad tar header checksum at offset 1024"));
  std::string garbage = make_archive({{file_entry("a", 1), "x"}}, false) + std::string(512, '\x55');
  EXPECT_THAT(parse_error(garbage), HasSubstr("bad tar header checksum at offset 1024"));
}

TEST(TarReader, SignedChecksumIsAccepted) {
  // Some historic writers summed the header bytes as signed chars.
  std::string archive = make_archive({{file_entry("caf\xc3\xa9", 0), ""}});
  int64_t sum = block::header_checksums(archive.substr(0, 512)).signed_sum;
  archive.replace(block::checksum.offset, 8, fmt::format("{:06o}", sum) + std::string("\0 ", 2));
  EXPECT_EQ(parse_tar(archive, "test").items.at(0).entry.path, "caf\xc3\xa9");
}

TEST(TarReader, BadMagicIsAnError) {
  std::string archive = make_archive({{file_entry("a", 1), "x"}});
  patch_field(archive, 0, block::magic, std::string_view("\0\0\0\0\0\0\0\0", 8));  // V7 tar
  EXPECT_THAT(parse_error(archive), HasSubstr("test.apk: bad tar header magic at offset 0 (entry 'a')"));
}

TEST(TarReader, GnuMagicAndSpaceTerminatedFields) {
  std::string archive = make_archive({{file_entry("a", 10), std::string(10, 'x')}});
  patch_field(archive, 0, block::magic, "ustar  ");
  patch_field(archive, 0, block::mode, "  0755 ");            // leading spaces, space terminator
  patch_field(archive, 0, block::size, std::string_view("12 \0", 4));
  patch_field(archive, 0, block::uid, "");                    // all NUL: 0
  TarEntry entry = parse_tar(archive, "test").items.at(0).entry;
  EXPECT_EQ(entry.mode, 0755u);
  EXPECT_EQ(entry.size, 10u);
  EXPECT_EQ(entry.uid, 0u);
}

TEST(TarReader, ModeKeepsPermissionBitsOnly) {
  std::string archive = make_archive({{file_entry("a", 0), ""}});
  patch_field(archive, 0, block::mode, "0100644");  // S_IFREG | 0644, as some writers put it
  EXPECT_EQ(parse_tar(archive, "test").items.at(0).entry.mode, 0644u);
}

TEST(TarReader, BadNumericFieldIsAnError) {
  std::string archive = make_archive({{file_entry("a", 0), ""}});
  patch_field(archive, 0, block::uid, "12x4");
  EXPECT_THAT(parse_error(archive), HasSubstr("bad tar header uid field at offset 0 (entry 'a')"));
  archive = make_archive({{file_entry("a", 0), ""}});
  patch_field(archive, 0, block::size, std::string_view("0000\0 12", 8));  // digits after the end
  EXPECT_THAT(parse_error(archive), HasSubstr("bad tar header size field"));
}

TEST(TarReader, GnuBase256Numbers) {
  std::string archive = make_archive({{file_entry("big", 0), ""}});
  // uid 2^32 - 1 and mtime -2 in GNU base-256 (first byte 0x80 positive, 0xff negative).
  patch_field(archive, 0, block::uid, std::string_view("\x80\0\0\0\xff\xff\xff\xff", 8));
  patch_field(archive, 0, block::mtime, std::string(11, '\xff') + "\xfe");
  TarEntry entry = parse_tar(archive, "test").items.at(0).entry;
  EXPECT_EQ(entry.uid, 4294967295u);
  EXPECT_EQ(entry.mtime, -2);
  patch_field(archive, 0, block::uid, std::string_view("\x80\0\0\1\0\0\0\0", 8));  // 2^32: too large
  EXPECT_THAT(parse_error(archive), HasSubstr("bad tar header uid field"));
}

TEST(TarReader, OtherRegularTypeflags) {
  std::string archive = raw_entry("contiguous", '7', "abc") + raw_entry("old", '\0', "de") + end;
  ParsedTar parsed = parse_tar(archive, "test");
  ASSERT_EQ(parsed.items.size(), 2u);
  EXPECT_EQ(parsed.items[0].entry.type, TarType::regular);
  EXPECT_EQ(parsed.items[0].data, "abc");
  EXPECT_EQ(parsed.items[1].entry.type, TarType::regular);
  EXPECT_EQ(parsed.items[1].data, "de");
}

TEST(TarReader, GlobalHeadersLongLinksAndUnknownTypesAreSkipped) {
  std::string archive = pax_entry("pax_global_header", {{"path", "ignored"}, {"comment", "x"}})  // 'x' below
                            .replace(156, 1, "g");
  fix_checksum(archive, 0);
  archive += raw_entry("././@LongLink", 'K', std::string(200, 't') + '\0');
  archive += raw_entry("label", 'V', "");
  std::string symlink = raw_header("link", '2', 0);
  symlink.replace(block::linkname.offset, 5, "short");
  fix_checksum(symlink, 0);
  archive += symlink + end;
  ParsedTar parsed = parse_tar(archive, "test");
  ASSERT_EQ(parsed.items.size(), 1u);
  EXPECT_EQ(parsed.items[0].entry.path, "link");
  EXPECT_EQ(parsed.items[0].entry.link_target, "short");  // apk-tools ignores `K`
  EXPECT_TRUE(parsed.items[0].entry.other_pax.empty());
  EXPECT_EQ(parsed.items[0].header_offset, 1024u);  // the `K` header belongs to it
}

TEST(TarReader, GnuLongName) {
  std::string long_name = "usr/lib/" + std::string(300, 'n');
  std::string archive = raw_entry("././@LongLink", 'L', long_name + '\0') +
                        raw_entry(std::string_view(long_name).substr(0, 100), '0', "data") + end;
  ParsedTar parsed = parse_tar(archive, "test");
  ASSERT_EQ(parsed.items.size(), 1u);
  EXPECT_EQ(parsed.items[0].entry.path, long_name);
  EXPECT_EQ(parsed.items[0].data, "data");
  EXPECT_EQ(parsed.items[0].header_offset, 0u);
}

TEST(TarReader, PaxPathWinsOverGnuLongNameAndPrefix) {
  std::string archive = raw_entry("././@LongLink", 'L', "from-L") + pax_entry("x", {{"path", "from-pax"}}) +
                        raw_entry("from-header", '0', "") + end;
  EXPECT_EQ(parse_tar(archive, "test").items.at(0).entry.path, "from-pax");

  std::string prefixed = raw_header("name", '0', 0);
  prefixed.replace(block::prefix.offset, 6, "prefix");
  fix_checksum(prefixed, 0);
  EXPECT_EQ(parse_tar(prefixed, "test").items.at(0).entry.path, "prefix/name");
}

TEST(TarReader, PaxRecordsApplyToTheNextEntryOnly) {
  std::string archive = pax_entry("PaxHeaders.0/a", {{"path", "renamed"},
                                                    {"linkpath", "target"},
                                                    {"uid", "4000000000"},
                                                    {"gid", "7"},
                                                    {"uname", "a-very-long-user-name-over-32-bytes"},
                                                    {"gname", "grp"},
                                                    {"mtime", "1700000000.987654321"},
                                                    {"atime", "1700000001.5"},
                                                    {"ctime", "0"},
                                                    {"SCHILY.xattr.user.x", std::string("v\0\n", 3)},
                                                    {"APK-TOOLS.checksum.SHA1", "abc"},
                                                    {"APK-TOOLS.checksum.MD5", "def"}}) +
                        raw_entry("a", '2', "") + raw_entry("b", '0', "") + end;
  ParsedTar parsed = parse_tar(archive, "test");
  ASSERT_EQ(parsed.items.size(), 2u);
  const TarEntry& entry = parsed.items[0].entry;
  EXPECT_EQ(entry.path, "renamed");
  EXPECT_EQ(entry.type, TarType::symlink);
  EXPECT_EQ(entry.link_target, "target");
  EXPECT_EQ(entry.uid, 4000000000u);
  EXPECT_EQ(entry.gid, 7u);
  EXPECT_EQ(entry.uname, "a-very-long-user-name-over-32-bytes");
  EXPECT_EQ(entry.gname, "grp");
  EXPECT_EQ(entry.mtime, 1700000000);
  EXPECT_EQ(entry.xattrs, (std::vector<std::pair<std::string, std::string>>{{"user.x", std::string("v\0\n", 3)}}));
  EXPECT_EQ(entry.checksum_sha1, "abc");
  EXPECT_EQ(entry.other_pax, (PaxRecords{{"atime", "1700000001.5"}, {"ctime", "0"}, {"APK-TOOLS.checksum.MD5", "def"}}));
  const TarEntry& next = parsed.items[1].entry;
  EXPECT_EQ(next.path, "b");
  EXPECT_EQ(next.uid, 0u);
  EXPECT_TRUE(next.xattrs.empty());
  EXPECT_TRUE(next.checksum_sha1.empty());
  EXPECT_TRUE(next.other_pax.empty());
}

TEST(TarReader, PaxSizeDecidesTheDataLength) {
  std::string archive = pax_entry("x", {{"size", "5"}}) + raw_header("a", '0', 0) + "hello" +
                        std::string(tar_padding(5)) + end;
  ParsedTar parsed = parse_tar(archive, "test");
  ASSERT_EQ(parsed.items.size(), 1u);
  EXPECT_EQ(parsed.items[0].entry.size, 5u);
  EXPECT_EQ(parsed.items[0].data, "hello");
}

TEST(TarReader, PaxTimesAndEmptyValues) {
  struct Case {
    const char* mtime;
    int64_t expected;
  };
  for (Case c : {Case{"0", 0}, Case{"1.000", 1}, Case{"-1.5", -2}, Case{"-3", -3}, Case{"-3.0", -3},
                 Case{"", 0}}) {  // empty: the header's value stands (POSIX)
    SCOPED_TRACE(c.mtime);
    std::string archive = pax_entry("x", {{"mtime", c.mtime}, {"path", ""}}) + raw_entry("a", '0', "");
    TarEntry entry = parse_tar(archive, "test").items.at(0).entry;
    EXPECT_EQ(entry.mtime, c.expected);
    EXPECT_EQ(entry.path, "a");
  }
}

TEST(TarReader, LaterPaxHeaderReplacesEarlier) {
  std::string archive = pax_entry("x1", {{"path", "one"}, {"SCHILY.xattr.user.a", "1"}}) +
                        pax_entry("x2", {{"path", "two"}, {"path", "three"}}) + raw_entry("a", '0', "");
  TarEntry entry = parse_tar(archive, "test").items.at(0).entry;
  EXPECT_EQ(entry.path, "three");
  EXPECT_TRUE(entry.xattrs.empty());
}

TEST(TarReader, MalformedPaxIsAnErrorNamingTheHeader) {
  std::string bad_syntax = raw_entry("etc/PaxHeaders.0/passwd", 'x', "99 path=a\n") + raw_entry("etc/passwd", '0', "");
  EXPECT_THAT(parse_error(bad_syntax),
              HasSubstr("test.apk: PAX header 'etc/PaxHeaders.0/passwd' at offset 0: malformed PAX record"));
  for (PaxRecords records : {PaxRecords{{"size", "12a"}}, PaxRecords{{"uid", "-1"}},
                             PaxRecords{{"gid", "4294967296"}}, PaxRecords{{"mtime", "1.2.3"}},
                             PaxRecords{{"mtime", "1."}}, PaxRecords{{"SCHILY.xattr.", "v"}},
                             PaxRecords{{"path", std::string("a\0b", 3)}}}) {
    SCOPED_TRACE(records[0].first + "=" + records[0].second);
    std::string archive = pax_entry("x", records) + raw_entry("etc/passwd", '0', "");
    EXPECT_THAT(parse_error(archive), HasSubstr("malformed PAX record"));
    EXPECT_THAT(parse_error(archive), HasSubstr("for tar entry "));
  }
}

TEST(TarReader, NamesAreCleanedButKeptByteExact) {
  std::string archive = raw_entry("./etc/", '5', "") + raw_entry("./", '5', "") + raw_entry("./a/../../b", '0', "") +
                        raw_entry("/abs\xff", '0', "") + raw_entry("dir/", '0', "");
  std::string hardlink = raw_header("./h", '1', 0);
  hardlink.replace(block::linkname.offset, 5, "./a/x");
  fix_checksum(hardlink, 0);
  std::string symlink = raw_header("s", '2', 0);
  symlink.replace(block::linkname.offset, 3, "./x");
  fix_checksum(symlink, 0);
  ParsedTar parsed = parse_tar(archive + hardlink + symlink, "test");
  ASSERT_EQ(parsed.items.size(), 7u);
  EXPECT_EQ(parsed.items[0].entry.path, "etc");
  EXPECT_EQ(parsed.items[1].entry.path, ".");
  EXPECT_EQ(parsed.items[2].entry.path, "a/../../b");  // safety is the package reader's call
  EXPECT_EQ(parsed.items[3].entry.path, "/abs\xff");
  EXPECT_EQ(parsed.items[4].entry.path, "dir/");        // not a directory: left alone
  EXPECT_EQ(parsed.items[5].entry.path, "h");
  EXPECT_EQ(parsed.items[5].entry.link_target, "a/x");  // hard link targets name entries
  EXPECT_EQ(parsed.items[6].entry.link_target, "./x");  // symlink targets are verbatim
}

TEST(TarReader, OverlongNamesAreAnError) {
  std::string ok(4085, 'n');
  std::string too_long(4086, 'n');
  EXPECT_EQ(parse_tar(pax_entry("x", {{"path", ok}}) + raw_entry("a", '0', ""), "test").items.at(0).entry.path, ok);
  EXPECT_THAT(parse_error(pax_entry("x", {{"path", too_long}}) + raw_entry("a", '0', "")),
              HasSubstr("too long (4086 bytes)"));
  EXPECT_THAT(parse_error(pax_entry("x", {{"linkpath", too_long}}) + raw_entry("a", '2', "")),
              HasSubstr("too long"));
  EXPECT_THAT(parse_error(raw_entry("././@LongLink", 'L', too_long) + raw_entry("a", '0', "")),
              HasSubstr("too long"));
}

TEST(TarReader, CorruptInputOnlyEverThrowsError) {
  // Every truncation, and every header byte set to a few interesting values (with the checksum
  // fixed so parsing goes past it): parse_tar returns or throws lupine::Error, nothing else.
  TarEntry pax = file_entry("usr/" + std::string(150, 'p'), 3);
  pax.xattrs = {{"user.a", "1"}};
  pax.checksum_sha1 = std::string(40, 'c');
  std::string archive = raw_entry("././@LongLink", 'L', "long") +
                        make_archive({{pax, "abc"}, {typed_entry("l", TarType::symlink, "t"), ""}});
  std::vector<size_t> headers = {0, 1024, 2048, 3072};  // L, x, ustar, symlink
  auto parses_or_fails_cleanly = [](std::string_view stream) {
    try {
      parse_tar(stream, "fuzz");
    } catch (const Error&) {
    }
  };
  for (size_t cut = 0; cut <= archive.size(); ++cut) parses_or_fails_cleanly(std::string_view(archive).substr(0, cut));
  for (size_t header : headers) {
    for (size_t i = 0; i < 512; ++i) {
      if (i >= block::checksum.offset && i < block::checksum.offset + block::checksum.size) continue;
      for (char value : {'\0', ' ', '7', '9', 'x', '\x80', '\xff'}) {
        std::string mutated = archive;
        mutated[header + i] = value;
        fix_checksum(mutated, header);
        parses_or_fails_cleanly(mutated);
      }
    }
  }
  // And the PAX data itself.
  for (size_t i = 1536; i < 1536 + 160; ++i) {
    for (char value : {'\0', ' ', '=', '\n', '9'}) {
      std::string mutated = archive;
      mutated[i] = value;
      parses_or_fails_cleanly(mutated);
    }
  }
}

TEST(TarReader, IncrementalReading) {
  std::string archive =
      make_archive({{file_entry("a", 1), "x"}, {typed_entry("d", TarType::directory), ""}, {file_entry("b", 0), ""}});
  TarReader reader(archive, "test");
  auto first = reader.next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->entry.path, "a");
  EXPECT_EQ(reader.offset(), 1024u);
  auto second = reader.next();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->entry.type, TarType::directory);
  EXPECT_EQ(second->header_offset, 1024u);
  ASSERT_TRUE(reader.next());
  EXPECT_FALSE(reader.end_of_archive());
  EXPECT_FALSE(reader.next());
  EXPECT_TRUE(reader.end_of_archive());
  EXPECT_EQ(reader.offset(), archive.size());
  EXPECT_FALSE(reader.next());  // stays ended
}

}  // namespace
}  // namespace lupine::apk
