// gzip members: exact member boundaries when reading, and a writer whose output is one member that
// depends only on the input bytes and the level.
#include "apk/gzip.h"

#include "apk/gzip_chunk.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/hash.h"
#include "support/fixtures.h"
#include "support/run.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <random>
#include <set>
#include <thread>

namespace lupine::apk {
namespace {

using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::HasSubstr;

constexpr size_t kChunk = gzip_chunk_size;
const std::string kOrigin = "some/dir/pkg-1.0-r0.apk";

// ---- test data ---------------------------------------------------------------------------------

std::string random_bytes(size_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(size, '\0');
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<char>(rng() & 0xff);
  return out;
}

// Words and lines, compressible like source code or documentation.
std::string text_like(size_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::string> words;
  for (int i = 0; i < 600; ++i) {
    std::string word(2 + rng() % 9, 'a');
    for (char& c : word) c = static_cast<char>('a' + rng() % 26);
    words.push_back(word);
  }
  std::string out;
  out.reserve(size + 16);
  while (out.size() < size) {
    out += words[rng() % words.size()];
    out += rng() % 12 == 0 ? '\n' : ' ';
  }
  out.resize(size);
  return out;
}

// 64 KiB runs of text, random bytes, zeros and repetitive binary records, in turn.
std::string mixed(size_t size, uint64_t seed) {
  std::string out;
  out.reserve(size);
  for (uint64_t part = 0; out.size() < size; ++part) {
    const size_t n = std::min<size_t>(64 * 1024, size - out.size());
    switch (part % 4) {
      case 0: out += text_like(n, seed + part); break;
      case 1: out += random_bytes(n, seed + part); break;
      case 2: out.append(n, '\0'); break;
      default:
        for (size_t i = 0; i < n; ++i) out += static_cast<char>((i % 16 < 4) ? part & 0xff : i % 7);
    }
  }
  return out;
}

// ---- helpers -----------------------------------------------------------------------------------

std::string write_with(std::string_view data, int level, unsigned threads, const std::vector<size_t>& pieces) {
  std::string out;
  GzipMemberWriter writer([&out](std::string_view bytes) { out.append(bytes); }, level, threads);
  size_t i = 0;
  while (!data.empty()) {
    const size_t n = pieces.empty() ? data.size() : std::min(pieces[i++ % pieces.size()], data.size());
    writer.write(data.substr(0, n));
    data.remove_prefix(n);
  }
  writer.finish();
  return out;
}

// An independent decoder: zlib's inflate with the gzip wrapper, which must consume every byte.
std::string zlib_gunzip_single_member(std::string_view member) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 16 + 15), Z_OK);
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(member.data()));
  z.avail_in = static_cast<uInt>(member.size());
  int rc = Z_OK;
  char buffer[1 << 16];
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - z.avail_out);
  }
  EXPECT_EQ(rc, Z_STREAM_END) << (z.msg ? z.msg : "");
  EXPECT_EQ(z.avail_in, 0u) << "bytes after the first member";
  inflateEnd(&z);
  return out;
}

// A second independent decoder: libdeflate, with the exact output size.
std::string libdeflate_gunzip(std::string_view member, size_t size) {
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  std::string out(size, '\0');
  size_t in_used = 0, out_used = 0;
  const auto rc = libdeflate_gzip_decompress_ex(d, member.data(), member.size(), out.data(), out.size(),
                                                &in_used, &out_used);
  libdeflate_free_decompressor(d);
  EXPECT_EQ(rc, LIBDEFLATE_SUCCESS);
  EXPECT_EQ(in_used, member.size());
  out.resize(out_used);
  return out;
}

// Runs the `gzip` program: `gzip -t` on the bytes, then returns `gzip -dc` of them.
std::string gzip_program_decompress(std::string_view compressed) {
  TempDir dir("lupine-gzip-test");
  const auto path = dir.path() / "member.gz";
  write_file_atomic(path, compressed);
  const auto test = testing::run({"gzip", "-t", path.string()});
  EXPECT_EQ(test.exit_code, 0) << test.err;
  const auto out = testing::run({"gzip", "-dc", path.string()});
  EXPECT_EQ(out.exit_code, 0) << out.err;
  EXPECT_EQ(out.err, "");
  return out.out;
}

std::string read_error(std::string_view bytes, uint64_t max_content = uint64_t{1} << 34) {
  try {
    read_gzip_members(bytes, kOrigin, max_content);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

uint32_t le32(std::string_view bytes, size_t at) {
  uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

// Block boundaries of a member's deflate stream (after the 10-byte header written here):
// (bytes inflated so far, whether the stream is byte-aligned there).
std::vector<std::pair<uint64_t, bool>> block_boundaries(std::string_view member) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, -15), Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(member.data() + 10));
  z.avail_in = static_cast<uInt>(member.size() - 10);
  std::vector<unsigned char> out(1 << 16);
  std::vector<std::pair<uint64_t, bool>> boundaries;
  for (;;) {
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&z, Z_BLOCK);
    if (rc == Z_STREAM_END) break;
    EXPECT_EQ(rc, Z_OK);
    if (rc != Z_OK) break;
    if (z.data_type & 128) boundaries.emplace_back(z.total_out, (z.data_type & 7) == 0);
  }
  inflateEnd(&z);
  return boundaries;
}

// ---- gzip_member -------------------------------------------------------------------------------

TEST(GzipMember, HasTheFixedHeaderOfGzipDashN) {
  const std::string data = text_like(5000, 1);
  for (auto [level, xfl] : {std::pair{1, 4}, std::pair{6, 0}, std::pair{9, 2}}) {
    const std::string member = gzip_member(data, level);
    const std::string expected_header{'\x1f', '\x8b', '\x08', '\x00', '\x00', '\x00',
                                      '\x00', '\x00', static_cast<char>(xfl), '\x03'};
    EXPECT_EQ(member.substr(0, 10), expected_header) << "level " << level;
    const uint32_t crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(data.data()),
                                                     static_cast<uInt>(data.size())));
    EXPECT_EQ(le32(member, member.size() - 8), crc);
    EXPECT_EQ(le32(member, member.size() - 4), data.size());
  }
}

TEST(GzipMember, RoundTripsAtEveryLevel) {
  const std::string data = mixed(300 * 1024, 2);
  size_t previous_size = 0;
  for (int level = 0; level <= 9; ++level) {
    const std::string member = gzip_member(data, level);
    EXPECT_TRUE(zlib_gunzip_single_member(member) == data) << "level " << level;
    auto members = read_gzip_members(member, kOrigin);
    ASSERT_EQ(members.size(), 1u);
    EXPECT_TRUE(members[0].content == data);
    if (level == 0) {
      EXPECT_GT(member.size(), data.size());  // stored blocks
    } else if (level == 1) {
      EXPECT_LT(member.size(), previous_size);
    }
    previous_size = member.size();
  }
}

TEST(GzipMember, RejectsLevelsOutsideZeroToNine) {
  EXPECT_THROW(gzip_member("x", -1), Error);
  EXPECT_THROW(gzip_member("x", 10), Error);
  EXPECT_THROW(GzipMemberWriter([](std::string_view) {}, 12, 2), Error);
}

TEST(GzipMember, EmptyInputIsAValidMember) {
  const std::string member = gzip_member("", 6);
  auto members = read_gzip_members(member, kOrigin);
  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(members[0].content, "");
  EXPECT_EQ(members[0].compressed, member);
  EXPECT_EQ(zlib_gunzip_single_member(member), "");
  EXPECT_EQ(gzip_program_decompress(member), "");
}

TEST(GzipMember, RoundTripsSizesAroundChunkBoundaries) {
  const std::string data = mixed(3 * kChunk + 1, 3);
  for (size_t size : {size_t{1}, size_t{2}, kChunk - 1, kChunk, kChunk + 1, 2 * kChunk, 3 * kChunk + 1}) {
    const std::string_view input = std::string_view(data).substr(0, size);
    const std::string member = gzip_member(input, 6);
    EXPECT_TRUE(zlib_gunzip_single_member(member) == input) << size;
    EXPECT_TRUE(libdeflate_gunzip(member, size) == input) << size;
  }
}

TEST(GzipMember, IsDeterministicAndEqualToTheWriter) {
  const std::string data = mixed(2 * kChunk + 12345, 4);
  const std::string member = gzip_member(data, 9);
  EXPECT_TRUE(gzip_member(data, 9) == member);
  EXPECT_TRUE(write_with(data, 9, 2, {}) == member);
  EXPECT_FALSE(gzip_member(data, 6) == member);  // the level is part of the output
}

TEST(GzipMember, CompressesAboutAsWellAsZlibAtTheSameLevel) {
  // The libdeflate level mapping (gzip.h) must not cost noticeably more than zlib's ratio.
  const std::string data = text_like(3 * kChunk, 5) + mixed(kChunk, 6);
  for (int level : {1, 6, 9}) {
    uLongf zlib_size = compressBound(static_cast<uLong>(data.size()));
    std::string zlib_out(zlib_size, '\0');
    ASSERT_EQ(compress2(reinterpret_cast<Bytef*>(zlib_out.data()), &zlib_size,
                        reinterpret_cast<const Bytef*>(data.data()), static_cast<uLong>(data.size()), level),
              Z_OK);
    EXPECT_LT(gzip_member(data, level).size(), zlib_size * 1.02 + 64) << "level " << level;
  }
}

// ---- GzipMemberWriter --------------------------------------------------------------------------

TEST(GzipMemberWriter, SameBytesForAnyThreadCountAndWriteSplit) {
  const std::string data = mixed(5 * kChunk + kChunk / 2, 7);
  const std::string expected = gzip_member(data, 6);
  std::mt19937_64 rng(8);
  std::vector<size_t> random_pieces;
  for (int i = 0; i < 64; ++i) random_pieces.push_back(1 + rng() % (300 * 1024));
  const std::vector<std::vector<size_t>> splits = {
      {}, {kChunk}, {kChunk + 1}, {kChunk - 1}, {4093}, {1, 2, 3, 100000}, random_pieces};
  for (unsigned threads : {1u, 2u, 4u}) {
    for (size_t s = 0; s < splits.size(); ++s) {
      EXPECT_TRUE(write_with(data, 6, threads, splits[s]) == expected)
          << "threads " << threads << ", split #" << s;
    }
  }
}

TEST(GzipMemberWriter, OneMemberForInputsAtChunkBoundaries) {
  const std::string data = mixed(3 * kChunk + 1, 9);
  for (size_t chunks : {1u, 2u, 3u}) {
    for (size_t size : {chunks * kChunk - 1, chunks * kChunk, chunks * kChunk + 1}) {
      const std::string_view input = std::string_view(data).substr(0, size);
      const std::string out = write_with(input, 6, 2, {kChunk / 3});
      auto members = read_gzip_members(out, kOrigin);
      ASSERT_EQ(members.size(), 1u) << size;
      EXPECT_TRUE(members[0].content == input) << size;
      EXPECT_TRUE(out == gzip_member(input, 6)) << size;
    }
  }
}

TEST(GzipMemberWriter, ChunksEndByteAlignedAtFixedInputOffsets) {
  const std::string data = mixed(3 * kChunk + 1000, 10);
  const std::string out = write_with(data, 6, 2, {});
  const auto boundaries = block_boundaries(out);
  for (uint64_t k = 1; k <= 3; ++k) {
    const bool aligned_boundary_at_chunk_end =
        std::find(boundaries.begin(), boundaries.end(), std::pair{k * kChunk, true}) != boundaries.end();
    EXPECT_TRUE(aligned_boundary_at_chunk_end) << "chunk " << k;
  }
  // An empty stored block (LEN 0000, NLEN ffff) ends each of the three non-final chunks.
  size_t markers = 0;
  for (size_t at = out.find(std::string("\0\0\xff\xff", 4)); at != std::string::npos;
       at = out.find(std::string("\0\0\xff\xff", 4), at + 1))
    ++markers;
  EXPECT_GE(markers, 3u);
}

TEST(GzipMemberWriter, LargeInputIsAcceptedByGzipAndZlib) {
  const std::string data = random_bytes(8 << 20, 11) + text_like(8 << 20, 12) + mixed(4 << 20, 13);
  const std::string out = write_with(data, 6, 2, {65536});
  EXPECT_LT(out.size(), data.size() * 0.7);
  auto members = read_gzip_members(out, kOrigin);
  ASSERT_EQ(members.size(), 1u);
  EXPECT_TRUE(members[0].content == data);
  EXPECT_TRUE(zlib_gunzip_single_member(out) == data);
  EXPECT_TRUE(gzip_program_decompress(out) == data);
}

TEST(GzipMemberWriter, EmptyInputWithThreads) {
  const std::string out = write_with("", 6, 4, {});
  EXPECT_EQ(out, gzip_member("", 6));
  EXPECT_EQ(read_gzip_members(out, kOrigin).at(0).content, "");
}

TEST(GzipMemberWriter, StreamsWithBoundedChunksInFlightOnTheCallersThread) {
  const unsigned threads = 2;
  const std::string data = mixed(10 * kChunk + 1, 14);
  size_t sink_calls = 0;
  std::set<std::thread::id> sink_threads;
  GzipMemberWriter writer(
      [&](std::string_view) {
        ++sink_calls;
        sink_threads.insert(std::this_thread::get_id());
      },
      6, threads);
  writer.write(data);
  // The header, then one call per emitted chunk: all but the pending one and those in flight.
  EXPECT_GE(sink_calls, 1 + 10 - 2 * threads);
  writer.finish();
  EXPECT_EQ(sink_calls, 1 + 11 + 1);  // header, 11 chunks, trailer
  EXPECT_EQ(sink_threads, std::set{std::this_thread::get_id()});
}

TEST(GzipMemberWriter, FailureOnAWorkerReachesTheCaller) {
  const std::string data = mixed(6 * kChunk, 15);
  for (unsigned threads : {1u, 2u}) {
    detail::deflate_failure_countdown = 3;
    std::string out;
    GzipMemberWriter writer([&out](std::string_view bytes) { out.append(bytes); }, 6, threads);
    try {
      writer.write(data);
      writer.finish();
      ADD_FAILURE() << "no exception, threads " << threads;
    } catch (const Error& e) {
      EXPECT_THAT(e.what(), HasSubstr("injected deflate failure"));
    }
    detail::deflate_failure_countdown = 0;
    EXPECT_THROW(writer.write("more"), Error);  // unusable after a failure
    EXPECT_THROW(writer.finish(), Error);
  }
}

TEST(GzipMemberWriter, FailureInTheSinkPropagates) {
  const std::string data = mixed(5 * kChunk, 16);
  int calls = 0;
  GzipMemberWriter writer(
      [&calls](std::string_view) {
        if (++calls == 3) throw Error("disk full");
      },
      6, 2);
  EXPECT_THROW(
      {
        writer.write(data);
        writer.finish();
      },
      Error);
  EXPECT_THROW(writer.finish(), Error);
}

TEST(GzipMemberWriter, AbandonedWriterStopsCleanly) {
  const std::string data = mixed(9 * kChunk, 17);
  for (int i = 0; i < 3; ++i) {
    GzipMemberWriter writer([](std::string_view) {}, 6, 4);
    writer.write(data);
  }  // destroyed without finish(): workers are stopped and joined
}

TEST(GzipMemberWriter, NoWritesAfterFinish) {
  GzipMemberWriter writer([](std::string_view) {}, 6, 1);
  writer.write("abc");
  writer.finish();
  EXPECT_THROW(writer.write("x"), Error);
  EXPECT_THROW(writer.finish(), Error);
}

// ---- read_gzip_members -------------------------------------------------------------------------

TEST(ReadGzipMembers, SplitsConcatenatedMembersAtExactBoundaries) {
  const std::string a = text_like(10000, 18), b = "", c = mixed(kChunk + 77, 19);
  // A member from the gzip program, with the original file name in its header (FLG.FNAME).
  TempDir dir("lupine-gzip-test");
  write_file_atomic(dir.path() / "named.txt", a);
  const auto named = testing::run({"gzip", "-c", (dir.path() / "named.txt").string()});
  ASSERT_EQ(named.exit_code, 0) << named.err;
  ASSERT_EQ(static_cast<unsigned char>(named.out[3]) & 0x08, 0x08) << "expected FNAME set";

  const std::vector<std::string> parts = {gzip_member(a, 9), gzip_member(b, 1), named.out, gzip_member(c, 6)};
  std::string all;
  for (const auto& part : parts) all += part;
  const auto members = read_gzip_members(all, kOrigin);
  ASSERT_EQ(members.size(), 4u);
  std::string joined;
  size_t offset = 0;
  for (size_t i = 0; i < members.size(); ++i) {
    EXPECT_EQ(members[i].compressed, parts[i]) << i;
    EXPECT_EQ(members[i].compressed.data(), all.data() + offset) << "a view into the input";
    offset += parts[i].size();
    joined += members[i].compressed;
  }
  EXPECT_EQ(joined, all);
  EXPECT_EQ(members[0].content, a);
  EXPECT_EQ(members[1].content, b);
  EXPECT_EQ(members[2].content, a);
  EXPECT_TRUE(members[3].content == c);
}

TEST(ReadGzipMembers, ALargeMemberBeforeASmallOne) {
  // The size hint (the last member's ISIZE) is wrong for every member but the last.
  const std::string big = mixed(3 * kChunk, 20), small = "tail";
  const auto members = read_gzip_members(gzip_member(small, 6) + gzip_member(big, 6) + gzip_member(small, 6), kOrigin);
  ASSERT_EQ(members.size(), 3u);
  EXPECT_EQ(members[0].content, small);
  EXPECT_TRUE(members[1].content == big);
  EXPECT_EQ(members[2].content, small);
}

TEST(ReadGzipMembers, EmptyInputIsNotGzip) {
  EXPECT_THAT(read_error(""), AllOf(HasSubstr(kOrigin), HasSubstr("not gzip data")));
}

TEST(ReadGzipMembers, BadMagicNamesTheOffset) {
  EXPECT_THAT(read_error("PK\x03\x04 a zip file"),
              AllOf(HasSubstr(kOrigin), HasSubstr("not gzip data (bad magic at offset 0)")));
  EXPECT_THAT(read_error("x"), HasSubstr("bad magic at offset 0"));
}

TEST(ReadGzipMembers, TrailingGarbageNamesTheOffset) {
  const std::string m1 = gzip_member("first", 6), m2 = gzip_member("second", 6);
  EXPECT_THAT(read_error(m1 + m2 + "garbage"),
              AllOf(HasSubstr(kOrigin),
                    HasSubstr(fmt::format("trailing garbage after gzip member #2 at offset {}", m1.size() + m2.size()))));
  EXPECT_THAT(read_error(m1 + std::string(512, '\0')),
              HasSubstr(fmt::format("trailing garbage after gzip member #1 at offset {}", m1.size())));
}

TEST(ReadGzipMembers, TruncationAtAnyPointIsReported) {
  const std::string m1 = gzip_member(text_like(20000, 21), 6), m2 = gzip_member(mixed(100000, 22), 6);
  const std::string all = m1 + m2;
  for (size_t cut : {size_t{1}, size_t{2}, size_t{9}, size_t{10}, size_t{11}, m1.size() / 2, m1.size() - 8,
                     m1.size() - 4, m1.size() - 1}) {
    EXPECT_THAT(read_error(std::string_view(all).substr(0, cut)),
                AllOf(HasSubstr(kOrigin), HasSubstr("truncated gzip member #1 (starting at offset 0")))
        << cut;
  }
  for (size_t cut : {m1.size() + 1, m1.size() + 10, m1.size() + m2.size() / 2, all.size() - 1}) {
    EXPECT_THAT(read_error(std::string_view(all).substr(0, cut)),
                AllOf(HasSubstr(kOrigin), HasSubstr(fmt::format("truncated gzip member #2 (starting at offset {}",
                                                                m1.size()))))
        << cut;
  }
}

TEST(ReadGzipMembers, CorruptTrailerIsReported) {
  const std::string member = gzip_member(text_like(5000, 23), 6);
  std::string bad_crc = member, bad_size = member;
  bad_crc[member.size() - 6] ^= 0x01;
  bad_size[member.size() - 2] ^= 0x40;
  const std::string first = gzip_member("ok", 6);
  EXPECT_THAT(read_error(first + bad_crc),
              AllOf(HasSubstr(kOrigin), HasSubstr(fmt::format("corrupt gzip member #2 at offset {}", first.size())),
                    HasSubstr("incorrect data check")));
  EXPECT_THAT(read_error(bad_size), AllOf(HasSubstr("corrupt gzip member #1"), HasSubstr("incorrect length check")));
}

TEST(ReadGzipMembers, CorruptHeaderIsReported) {
  std::string member = gzip_member("data", 6);
  member[2] = 7;  // CM must be 8 (deflate)
  EXPECT_THAT(read_error(member), AllOf(HasSubstr(kOrigin), HasSubstr("corrupt gzip member #1"),
                                        HasSubstr("unknown compression method")));
}

TEST(ReadGzipMembers, EveryFlippedByteIsAnErrorNamingTheOrigin) {
  const std::string member = gzip_member(text_like(3000, 24), 6);
  for (size_t at = 0; at < member.size(); ++at) {
    std::string bad = member;
    bad[at] ^= 0x10;
    if (at == 3 || at == 8 || at == 9 || (at >= 4 && at < 8)) continue;  // FLG/MTIME/XFL/OS: still valid or ignored
    EXPECT_THAT(read_error(bad), AllOf(HasSubstr(kOrigin), AnyOf(HasSubstr("corrupt gzip member #1"),
                                                                 HasSubstr("truncated gzip member #1"),
                                                                 HasSubstr("bad magic"))))
        << "byte " << at;
  }
}

TEST(ReadGzipMembers, EnforcesTheDecompressedSizeLimit) {
  const std::string data = text_like(1000, 25);
  const std::string member = gzip_member(data, 6);
  EXPECT_EQ(read_gzip_members(member, kOrigin, 1000).at(0).content, data);
  EXPECT_THAT(read_error(member, 999), AllOf(HasSubstr(kOrigin), HasSubstr("decompressed size exceeds limit")));
  // The limit is on the total of all members.
  EXPECT_THAT(read_error(member + member, 1999), HasSubstr("exceeds limit of 1999 bytes (in gzip member #2"));
  EXPECT_EQ(read_gzip_members(member + member, kOrigin, 2000).size(), 2u);
  // A bomb: 100 MB of zeros in ~100 KB is refused after 1 MB, without inflating it all.
  const std::string bomb = gzip_member(std::string(100 << 20, '\0'), 1);
  EXPECT_THAT(read_error(bomb, 1 << 20), HasSubstr("exceeds limit"));
  EXPECT_THAT(read_error(bomb, 0), HasSubstr("exceeds limit"));
}

// ---- real packages -----------------------------------------------------------------------------

std::string datahash_of(const std::string& control_tar) {
  const std::string key = "\ndatahash = ";
  const size_t at = control_tar.find(key);
  if (at == std::string::npos) return "";
  return control_tar.substr(at + key.size(), 64);
}

void expect_members(const std::filesystem::path& file, size_t count) {
  const std::string bytes = read_file(file);
  const auto members = read_gzip_members(bytes, file.string());
  ASSERT_EQ(members.size(), count) << file;
  std::string joined;
  for (const auto& member : members) joined += member.compressed;
  EXPECT_EQ(joined, bytes) << file;
}

TEST(GzipFixtures, MelangePackagesHaveSignatureControlAndDataMembers) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  size_t checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(fixtures / "apk/apko-cli/packages/x86_64")) {
    if (entry.path().extension() != ".apk") continue;
    expect_members(entry.path(), 3);
    const std::string bytes = read_file(entry.path());
    const auto members = read_gzip_members(bytes, entry.path().string());
    EXPECT_EQ(members[0].content.substr(0, 6), ".SIGN.");
    EXPECT_EQ(members[1].content.substr(0, 8), ".PKGINFO");
    // datahash is the SHA-256 of the data member's compressed bytes: the boundary must be exact.
    EXPECT_EQ(datahash_of(members[1].content), sha256_hex(members[2].compressed)) << entry.path();
    ++checked;
  }
  EXPECT_EQ(checked, 4u);
}

TEST(GzipFixtures, UnsignedAndAbuildPackagesAndIndexes) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  expect_members(fixtures / "apk/apko-apk/hello-0.1.0-r0.apk", 2);
  expect_members(fixtures / "apk/apko-cli/packages/x86_64/APKINDEX.tar.gz", 2);
  expect_members(fixtures / "apk/apko-apk/alpine-316/APKINDEX.tar.gz", 2);

  const auto baselayout = fixtures / "apk/apko-apk/alpine-316/alpine-baselayout-3.2.0-r23.apk";
  expect_members(baselayout, 3);
  const std::string bytes = read_file(baselayout);
  const auto members = read_gzip_members(bytes, baselayout.string());
  EXPECT_EQ(datahash_of(members[1].content), sha256_hex(members[2].compressed));
}

}  // namespace
}  // namespace lupine::apk
