#include "apk/gzip_chunk.h"

#include "common/error.h"

#include <libdeflate.h>

#include <climits>

namespace lupine::apk::detail {

namespace {

// An empty stored block needs at most one byte to finish its 3 header bits (plus padding to the
// byte boundary), then LEN and NLEN: 4 bytes.
constexpr size_t kEmptyStoredBlockMaxBytes = 5;

// The walker's output buffer. zlib keeps its own copy of the last 32 KiB for back-references,
// so this only has to be large enough for inflate to run in long strides.
constexpr size_t kScratchSize = 256 * 1024;

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

ChunkDeflater::~ChunkDeflater() {
  libdeflate_free_compressor(compressor_);
  if (walker_ready_) inflateEnd(&walker_);
}

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

// Turns libdeflate's complete stream into one that continues: the last block loses its BFINAL
// bit and is followed by an empty non-final stored block, which ends byte-aligned. This is the
// same tail zlib writes for Z_SYNC_FLUSH. Returns the new size.
size_t ChunkDeflater::end_without_final_block(unsigned char* data, size_t size) {
  const FinalBlock block = locate_final_block(data, size);
  if ((block.end_bit + 7) / 8 != size)
    fail("libdeflate: output has {} bytes after its final block", size - (block.end_bit + 7) / 8);

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

// libdeflate does not report where it put its block boundaries, so inflate the chunk with
// Z_BLOCK: inflate then returns after every end-of-block code with bit 7 (128) of data_type set,
// bit 6 (64) set if that block was the final one, and the number of unused bits of the last input
// byte (< 8 at such a stop) in the low bits (zlib.h, inflate()).
ChunkDeflater::FinalBlock ChunkDeflater::locate_final_block(const unsigned char* data, size_t size) {
  if (!walker_ready_) {
    if (inflateInit2(&walker_, -15) != Z_OK) fail("zlib: cannot initialise inflate");
    walker_ready_ = true;
    scratch_.resize(kScratchSize);
  } else {
    inflateReset(&walker_);
  }
  if (size > UINT_MAX) fail("internal error: a deflate chunk of {} bytes is too large", size);
  walker_.next_in = const_cast<unsigned char*>(data);
  walker_.avail_in = static_cast<uInt>(size);

  uint64_t header_bit = 0;  // the first block starts at bit 0
  for (;;) {
    walker_.next_out = scratch_.data();
    walker_.avail_out = static_cast<uInt>(scratch_.size());
    const int rc = inflate(&walker_, Z_BLOCK);
    if (rc != Z_OK)
      fail("internal error: libdeflate's output does not inflate: {}",
           walker_.msg ? walker_.msg : fmt::format("zlib error {}", rc));
    if (walker_.data_type & 128) {
      const uint64_t bit = uint64_t{walker_.total_in} * 8 - (walker_.data_type & 7);
      if (walker_.data_type & 64) return {header_bit, bit};
      header_bit = bit;  // a non-final block ended: the next block's header starts here
    }
  }
}

}  // namespace lupine::apk::detail
