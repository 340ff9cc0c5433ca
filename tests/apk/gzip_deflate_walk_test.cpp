// The deflate block walker (gzip_deflate_walk.h) against zlib's inflate(Z_BLOCK) as the oracle,
// and the chunk tail (end_without_final_block) that lets independently compressed chunks follow
// each other in one deflate stream.
#include "apk/gzip_chunk.h"
#include "apk/gzip_deflate_walk.h"

#include "common/error.h"

#include <gtest/gtest.h>
#include <libdeflate.h>
#include <zlib.h>

#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace lupine::apk::detail {
namespace {

using Bytes = std::vector<unsigned char>;

// zlib's view of a raw deflate stream: with Z_BLOCK, inflate stops after every block with bit 7
// of data_type set, bit 6 if it was the final block, and the unused bits of the last byte below.
std::optional<FinalBlock> zlib_final_block(const Bytes& data) {
  z_stream z{};
  if (inflateInit2(&z, -15) != Z_OK) return std::nullopt;
  z.next_in = const_cast<unsigned char*>(data.data());
  z.avail_in = static_cast<uInt>(data.size());
  std::vector<unsigned char> out(1 << 16);
  uint64_t header_bit = 0;
  std::optional<FinalBlock> result;
  for (;;) {
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    if (inflate(&z, Z_BLOCK) != Z_OK) break;
    if (z.data_type & 128) {
      const uint64_t bit = uint64_t{z.total_in} * 8 - (z.data_type & 7);
      if (z.data_type & 64) {
        result = FinalBlock{header_bit, bit};
        break;
      }
      header_bit = bit;
    }
  }
  inflateEnd(&z);
  return result;
}

std::optional<FinalBlock> walk(const Bytes& data) {
  try {
    return locate_final_block(data.data(), data.size());
  } catch (const Error&) {
    return std::nullopt;
  }
}

// On every stream zlib accepts, the walker must agree exactly.
void expect_agrees_with_zlib(const Bytes& stream, const std::string& what) {
  const auto expected = zlib_final_block(stream);
  ASSERT_TRUE(expected) << what << ": zlib rejects the test stream";
  const auto actual = walk(stream);
  ASSERT_TRUE(actual) << what;
  EXPECT_EQ(actual->header_bit, expected->header_bit) << what;
  EXPECT_EQ(actual->end_bit, expected->end_bit) << what;
}

Bytes libdeflate_stream(const std::string& input, int level) {
  libdeflate_compressor* compressor = libdeflate_alloc_compressor(level);
  Bytes out(libdeflate_deflate_compress_bound(compressor, input.size()) + 5);
  const size_t size = libdeflate_deflate_compress(compressor, input.data(), input.size(), out.data(), out.size());
  libdeflate_free_compressor(compressor);
  out.resize(size);
  return out;
}

// zlib output, with a flush of kind `flush` every `flush_every` bytes (multi-block streams,
// empty stored blocks from Z_SYNC_FLUSH, partial-byte block ends from Z_BLOCK).
Bytes zlib_stream(const std::string& input, int level, int strategy, int flush, size_t flush_every) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, level, Z_DEFLATED, -15, 8, strategy), Z_OK);
  Bytes out(deflateBound(&z, static_cast<uLong>(input.size())) + 64 * (input.size() / flush_every + 2));
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  for (size_t at = 0; at < input.size(); at += flush_every) {
    const size_t n = std::min(flush_every, input.size() - at);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data() + at));
    z.avail_in = static_cast<uInt>(n);
    EXPECT_EQ(deflate(&z, flush), Z_OK);
  }
  z.avail_in = 0;
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  return out;
}

std::string sample(const std::string& kind, size_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(size, '\0');
  if (kind == "random") {
    for (char& c : out) c = static_cast<char>(rng());
  } else if (kind == "text") {
    const std::string words[] = {"package ", "lupine ", "deflate ", "the ", "of ", "block\n", "x", "Huffman "};
    out.clear();
    while (out.size() < size) out += words[rng() % 8];
    out.resize(size);
  } else if (kind == "skewed") {  // few symbols, very uneven: long codes for the rare ones
    for (char& c : out) {
      const uint64_t r = rng() % 100000;
      c = static_cast<char>(r < 90000 ? 'a' : r < 99000 ? 'b' : static_cast<char>(r % 256));
    }
  }  // "zeros" stays zero
  return out;
}

TEST(GzipDeflateWalk, AgreesWithZlibOnLibdeflateOutputAtEveryLevel) {
  for (const std::string kind : {"random", "text", "skewed", "zeros"}) {
    for (size_t size : {size_t{0}, size_t{1}, size_t{100}, size_t{70000}, size_t{1} << 20}) {
      const std::string input = sample(kind, size, size + 1);
      for (int level = 0; level <= 12; ++level)
        expect_agrees_with_zlib(libdeflate_stream(input, level),
                                kind + " " + std::to_string(size) + " level " + std::to_string(level));
    }
  }
}

TEST(GzipDeflateWalk, AgreesWithZlibOnZlibOutputWithEveryStrategyAndFlush) {
  const std::string input = sample("text", 200000, 1) + sample("random", 30000, 2) + sample("skewed", 50000, 3);
  for (int strategy : {Z_DEFAULT_STRATEGY, Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE, Z_FIXED}) {
    for (int level : {0, 1, 6, 9}) {
      for (int flush : {Z_NO_FLUSH, Z_BLOCK, Z_SYNC_FLUSH, Z_FULL_FLUSH}) {
        for (size_t every : {size_t{777}, size_t{65536}}) {
          expect_agrees_with_zlib(zlib_stream(input, level, strategy, flush, every),
                                  "strategy " + std::to_string(strategy) + " level " + std::to_string(level) +
                                      " flush " + std::to_string(flush) + " every " + std::to_string(every));
        }
      }
    }
  }
}

TEST(GzipDeflateWalk, RejectsEveryTruncation) {
  for (const Bytes& stream : {libdeflate_stream(sample("text", 5000, 4), 6), libdeflate_stream(sample("random", 700, 5), 6),
                              libdeflate_stream(sample("text", 300, 6), 1), zlib_stream("abc", 0, 0, Z_NO_FLUSH, 10)}) {
    for (size_t size = 0; size < stream.size(); ++size) {
      const Bytes prefix(stream.begin(), stream.begin() + static_cast<ptrdiff_t>(size));
      // The streams end in their last byte, so no proper prefix holds a whole stream.
      EXPECT_FALSE(walk(prefix)) << size;
      EXPECT_FALSE(zlib_final_block(prefix)) << size;
    }
  }
}

TEST(GzipDeflateWalk, AgreesWithZlibOnEveryStreamItAcceptsAfterABitFlip) {
  // The walker checks less than inflate (e.g. distances against the output so far), so on corrupt
  // input it may accept what zlib rejects — but it must never crash, hang or read out of bounds,
  // and where zlib accepts, it must agree.
  const Bytes original = libdeflate_stream(sample("text", 3000, 7), 6);
  size_t accepted = 0;
  for (size_t bit = 0; bit < original.size() * 8; ++bit) {
    Bytes stream = original;
    stream[bit / 8] ^= static_cast<unsigned char>(1u << (bit % 8));
    const auto actual = walk(stream);
    if (const auto expected = zlib_final_block(stream)) {
      ++accepted;
      ASSERT_TRUE(actual) << bit;
      EXPECT_EQ(actual->header_bit, expected->header_bit) << bit;
      EXPECT_EQ(actual->end_bit, expected->end_bit) << bit;
    }
  }
  EXPECT_GT(accepted, 0u);
}

TEST(GzipDeflateWalk, RandomBytesNeverCrash) {
  std::mt19937_64 rng(8);
  for (int i = 0; i < 3000; ++i) {
    Bytes garbage(1 + rng() % 400);
    for (auto& b : garbage) b = static_cast<unsigned char>(rng());
    const auto actual = walk(garbage);
    if (const auto expected = zlib_final_block(garbage)) {
      ASSERT_TRUE(actual) << i;
      EXPECT_EQ(actual->end_bit, expected->end_bit) << i;
    }
  }
}

// end_without_final_block: chunk A made non-final, then chunk B (final) appended, inflates to A+B,
// for every bit alignment at which A can end.
TEST(GzipDeflateWalk, NonFinalChunkContinuesIntoTheNextAtEveryAlignment) {
  std::set<uint64_t> alignments;
  const std::string b = sample("text", 5000, 9);
  const Bytes b_stream = libdeflate_stream(b, 5);
  for (size_t size = 1; size < 200 && alignments.size() < 8; ++size) {
    for (int level : {1, 5, 9}) {
      const std::string a = sample(size % 2 ? "text" : "random", size, size);
      Bytes stream = libdeflate_stream(a, level);
      const FinalBlock final_block = locate_final_block(stream.data(), stream.size());
      alignments.insert(final_block.end_bit % 8);
      stream.resize(stream.size() + 5);
      stream.resize(end_without_final_block(stream.data(), stream.size() - 5));
      const auto tail = zlib_final_block(stream);
      EXPECT_FALSE(tail) << "no final block may be left";
      EXPECT_EQ(std::vector(stream.end() - 4, stream.end()), (Bytes{0x00, 0x00, 0xff, 0xff}));
      stream.insert(stream.end(), b_stream.begin(), b_stream.end());

      std::string out(a.size() + b.size() + 1, '\0');
      size_t out_size = 0;
      libdeflate_decompressor* d = libdeflate_alloc_decompressor();
      const auto rc = libdeflate_deflate_decompress(d, stream.data(), stream.size(), out.data(), out.size(), &out_size);
      libdeflate_free_decompressor(d);
      ASSERT_EQ(rc, LIBDEFLATE_SUCCESS) << size << " level " << level;
      out.resize(out_size);
      EXPECT_TRUE(out == a + b) << size << " level " << level;
    }
  }
  EXPECT_EQ(alignments.size(), 8u) << "every end-bit alignment should have been exercised";
}

}  // namespace
}  // namespace lupine::apk::detail
