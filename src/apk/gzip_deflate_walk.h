// Internal to the gzip writer: finds where the final block of a raw deflate stream (RFC 1951)
// starts and ends, without inflating it.
//
// libdeflate compresses a whole chunk in one call and always ends it with a BFINAL block, but does
// not say where that block begins. This walker decodes block headers and Huffman symbols only to
// skip them — no output, no match copies — which makes it 2-2.5x faster than inflating with zlib's
// Z_BLOCK (measured: ~1.2 GB/s vs ~480 MB/s on text, ~870 vs ~430 MB/s on code).
#pragma once

#include <cstddef>
#include <cstdint>

namespace lupine::apk::detail {

struct FinalBlock {
  uint64_t header_bit;  // bit offset of the final block's header, i.e. of its BFINAL bit
  uint64_t end_bit;     // bit offset just past the final block (its end-of-block code or stored bytes)
};

// Bits are numbered from the least significant bit of data[0] (RFC 1951 §3.1.1). Throws
// lupine::Error if `data` is not a complete, valid deflate stream; never reads past `size`.
FinalBlock locate_final_block(const unsigned char* data, size_t size);

}  // namespace lupine::apk::detail
