// Internal to the gzip writer (gzip_writer.cpp): the fixed member header and trailer, and the
// compression of one chunk into raw deflate blocks (RFC 1951) that the next chunk's blocks can
// follow directly. Not part of the apk layer's interface; included by tests for the test hook.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

struct libdeflate_compressor;

namespace lupine::apk::detail {

// Throws unless 0 <= level <= 9.
void check_gzip_level(int level);

// The libdeflate level used for zlib-style `level` (see gzip.h).
int libdeflate_level(int level);

// `gzip -n`'s header: 1f 8b, CM 8 (deflate), FLG 0, MTIME 0, XFL, OS 3 (Unix) (RFC 1952 §2.3.1).
std::string gzip_header(int level);

// CRC-32 then ISIZE (input size mod 2^32), both little-endian (RFC 1952 §2.3.1).
std::string gzip_trailer(uint32_t crc, uint64_t size);

// Compresses chunks with libdeflate. libdeflate always ends its output with a BFINAL block; for a
// chunk that is not the last one, that block's BFINAL bit is cleared (found by
// gzip_deflate_walk.h) and an empty stored block is appended, which leaves the stream
// byte-aligned for the next chunk's first block header. One instance per thread.
class ChunkDeflater {
 public:
  explicit ChunkDeflater(int level);
  ~ChunkDeflater();
  ChunkDeflater(const ChunkDeflater&) = delete;
  ChunkDeflater& operator=(const ChunkDeflater&) = delete;

  // Replaces the contents of `out` (whose capacity is reused) with the deflate blocks of `input`.
  void deflate(std::string_view input, bool final, std::string& out);

 private:
  libdeflate_compressor* compressor_ = nullptr;
};

// Turns a complete deflate stream of `size` bytes at `data` into one that continues: its final
// block loses the BFINAL bit and an empty non-final stored block follows. `data` must have room
// for 5 more bytes. Returns the new size.
size_t end_without_final_block(unsigned char* data, size_t size);

// Test hook: while positive, counts down once per deflated chunk; the chunk that brings it to zero
// throws. Lets tests check that a failure on a worker thread reaches the caller.
inline std::atomic<int> deflate_failure_countdown{0};

}  // namespace lupine::apk::detail
