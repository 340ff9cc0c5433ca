#include "apk/gzip_chunk.h"

#include "apk/gzip_deflate_walk.h"
#include "common/error.h"

#include <libdeflate.h>

namespace lupine::apk::detail {

namespace {

// An empty stored block needs at most one byte to finish its 3 header bits (plus padding to the
// byte boundary), then LEN and NLEN: 4 bytes.
constexpr size_t kEmptyStoredBlockMaxBytes = 5;

}  // namespace

void check_gzip_level(int level) {
  if (level < 0 || level > 9) fail("gzip compression level {} is out of range (0-9)", level);
}

int libdeflate_level(int level) {
  check_gzip_level(level);
  if (level <= 1) return level;
  return level - 1;
}

std::string gzip_header(int level) {
  check_gzip_level(level);
  // XFL: 2 = "compressor used maximum compression", 4 = "fastest algorithm"; gzip -9 / -1 set them.
  const char xfl = level == 9 ? 2 : level == 1 ? 4 : 0;
  return std::string{'\x1f', '\x8b', '\x08', '\x00', '\x00', '\x00', '\x00', '\x00', xfl, '\x03'};
}

std::string gzip_trailer(uint32_t crc, uint64_t size) {
  std::string out(8, '\0');
  const uint32_t isize = static_cast<uint32_t>(size);  // ISIZE is the size modulo 2^32
  for (int i = 0; i < 4; ++i) {
    out[i] = static_cast<char>(crc >> (8 * i));
    out[4 + i] = static_cast<char>(isize >> (8 * i));
  }
  return out;
}

ChunkDeflater::ChunkDeflater(int level) {
  compressor_ = libdeflate_alloc_compressor(libdeflate_level(level));
  if (!compressor_) fail("libdeflate: cannot allocate a compressor for level {}", level);
}

ChunkDeflater::~ChunkDeflater() { libdeflate_free_compressor(compressor_); }

void ChunkDeflater::deflate(std::string_view input, bool final, std::string& out) {
  if (deflate_failure_countdown.load(std::memory_order_relaxed) > 0 &&
      deflate_failure_countdown.fetch_sub(1) == 1)
    fail("injected deflate failure (test hook)");

  const size_t bound = libdeflate_deflate_compress_bound(compressor_, input.size());
  out.resize(bound + kEmptyStoredBlockMaxBytes);
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  size_t size = libdeflate_deflate_compress(compressor_, input.data(), input.size(), bytes, bound);
  if (size == 0) fail("libdeflate: a {}-byte chunk did not fit its own output bound", input.size());
  if (!final) size = end_without_final_block(bytes, size);
  out.resize(size);
}

// The tail written here is the one zlib writes for Z_SYNC_FLUSH.
size_t end_without_final_block(unsigned char* data, size_t size) {
  const FinalBlock block = locate_final_block(data, size);
  if ((block.end_bit + 7) / 8 != size)
    fail("internal error: {} bytes follow the final deflate block", size - (block.end_bit + 7) / 8);

  // RFC 1951 §3.1.1: bits fill each byte from the least significant bit up. §3.2.3: the first
  // header bit of a block is BFINAL.
  data[block.header_bit / 8] &= static_cast<unsigned char>(~(1u << (block.header_bit % 8)));

  // The empty stored block (§3.2.4): 3 header bits 0 (BFINAL 0, BTYPE 00), skip to the byte
  // boundary, then LEN = 0000 and NLEN = ffff. The header bits go into the unused high bits of the
  // last byte when at least 3 are free, else they spill into one more zero byte.
  const unsigned used_bits = static_cast<unsigned>(block.end_bit % 8);  // 0: last byte is full
  const unsigned free_bits = used_bits == 0 ? 0 : 8 - used_bits;
  if (used_bits != 0) data[size - 1] &= static_cast<unsigned char>((1u << used_bits) - 1);
  if (free_bits < 3) data[size++] = 0x00;
  data[size++] = 0x00;
  data[size++] = 0x00;
  data[size++] = 0xff;
  data[size++] = 0xff;
  return size;
}

}  // namespace lupine::apk::detail
