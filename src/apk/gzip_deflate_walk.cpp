#include "apk/gzip_deflate_walk.h"

#include "common/error.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace lupine::apk::detail {

namespace {

constexpr unsigned kMaxCodeLength = 15;  // RFC 1951 §3.2.7
// Codes up to this length are found with one table lookup; longer ones (rare symbols) are decoded
// canonically one bit at a time. 10 bits keep both tables in L1 and cheap to rebuild per block.
constexpr unsigned kPrimaryBits = 10;

// What the walker needs of a decoded symbol: how many bits to skip (the code plus any extra bits
// that follow it) and what kind of symbol it is.
using Entry = uint16_t;
constexpr Entry kBitsMask = 0x1f;
constexpr Entry kKindMask = 0x60;
constexpr Entry kPlain = 0x00;       // a literal byte, or a distance
constexpr Entry kLength = 0x20;      // a match length: a distance code follows
constexpr Entry kEndOfBlock = 0x40;  // symbol 256
constexpr Entry kInvalid = 0x60;     // no such code, or a symbol that must not occur
constexpr Entry kLongCode = 0xffff;  // primary-table marker: the code is longer than kPrimaryBits
// Code-length alphabet entries hold the symbol instead of a kind: (symbol << 5) | code length;
// there a zero length means invalid.

// Extra bits after length symbols 257..285 and distance symbols 0..29 (§3.2.5).
constexpr uint8_t kLengthExtraBits[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                          2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr uint8_t kDistanceExtraBits[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                            6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

[[noreturn]] void invalid(const char* what) {
  fail("internal error: a compressed chunk is not a valid deflate stream ({})", what);
}

Entry literal_length_entry(unsigned symbol, unsigned length) {
  if (symbol < 256) return static_cast<Entry>(kPlain | length);
  if (symbol == 256) return static_cast<Entry>(kEndOfBlock | length);
  if (symbol <= 285) return static_cast<Entry>(kLength | (length + kLengthExtraBits[symbol - 257]));
  return kInvalid;  // 286 and 287 take part in the fixed code but never occur (§3.2.6)
}

Entry distance_entry(unsigned symbol, unsigned length) {
  if (symbol < 30) return static_cast<Entry>(kPlain | (length + kDistanceExtraBits[symbol]));
  return kInvalid;  // 30 and 31 likewise
}

Entry code_length_entry(unsigned symbol, unsigned length) { return static_cast<Entry>(symbol << 5 | length); }

// Reads the stream from the least significant bit of each byte up (§3.1.1), 56+ bits at a time.
class BitReader {
 public:
  BitReader(const unsigned char* data, size_t size) : data_(data), next_(data), end_(data + size) {}

  // Buffers at least 56 bits. Past the end it supplies zeros; a valid stream never consumes them.
  void refill() {
    if (end_ - next_ >= 8) {
      uint64_t word = 0;  // compilers turn this into one load on little-endian machines
      for (unsigned i = 0; i < 8; ++i) word |= uint64_t{next_[i]} << (8 * i);
      buffer_ |= word << available_;
      next_ += (63 - available_) >> 3;
      available_ |= 56;
      return;
    }
    while (available_ <= 56) {
      if (next_ < end_) {
        buffer_ |= uint64_t{*next_++} << available_;
      } else if (++zero_bytes_ > 8) {
        invalid("it ends inside a block");  // 8 bytes of read-ahead are normal, more are not
      }
      available_ += 8;
    }
  }

  uint64_t peek() const { return buffer_; }
  void skip(unsigned bits) {
    buffer_ >>= bits;
    available_ -= bits;
    position_ += bits;
  }
  unsigned take(unsigned bits) {
    const auto value = static_cast<unsigned>(buffer_ & ((uint64_t{1} << bits) - 1));
    skip(bits);
    return value;
  }
  void align_to_byte() { skip(static_cast<unsigned>((8 - position_ % 8) % 8)); }
  // Skips `count` whole bytes; the position must be byte-aligned.
  void skip_bytes(size_t count) {
    const uint64_t byte = position_ / 8 + count;
    if (byte > static_cast<uint64_t>(end_ - data_)) invalid("a stored block runs past the end");
    next_ = data_ + byte;
    buffer_ = 0;
    available_ = 0;
    position_ = byte * 8;
  }
  uint64_t position() const { return position_; }
  bool past_end() const { return position_ > static_cast<uint64_t>(end_ - data_) * 8; }

 private:
  const unsigned char* data_;
  const unsigned char* next_;
  const unsigned char* end_;
  uint64_t buffer_ = 0;
  unsigned available_ = 0;  // valid bits in buffer_
  uint64_t position_ = 0;   // bits consumed
  unsigned zero_bytes_ = 0; // bytes supplied past the end
};

// A canonical Huffman code (§3.2.2) mapping the next input bits to an Entry.
class HuffmanTable {
 public:
  template <typename EntryOf>
  void build(const uint8_t* lengths, unsigned count, EntryOf entry_of);

  Entry lookup(uint64_t bits) const {
    const Entry entry = primary_[bits & mask_];
    return entry == kLongCode ? lookup_long(bits) : entry;
  }

 private:
  Entry lookup_long(uint64_t bits) const;

  std::array<Entry, 1u << kPrimaryBits> primary_;
  uint64_t mask_ = 0;
  std::array<unsigned, kMaxCodeLength + 1> count_{};  // codes of each length
  std::array<Entry, 288> by_code_{};                    // entries ordered by code length, then symbol
};

template <typename EntryOf>
void HuffmanTable::build(const uint8_t* lengths, unsigned count, EntryOf entry_of) {
  count_.fill(0);
  unsigned max_length = 0;
  for (unsigned symbol = 0; symbol < count; ++symbol) {
    ++count_[lengths[symbol]];
    max_length = std::max<unsigned>(max_length, lengths[symbol]);
  }
  count_[0] = 0;
  // The first code of each length and the first slot in by_code_ for each length (§3.2.2 step 2).
  std::array<unsigned, kMaxCodeLength + 1> next_code{}, next_slot{};
  for (unsigned length = 1, code = 0, slot = 0; length <= kMaxCodeLength; ++length) {
    code = (code + count_[length - 1]) << 1;
    next_code[length] = code;
    next_slot[length] = slot;
    slot += count_[length];
  }
  const unsigned index_bits = std::clamp(max_length, 1u, kPrimaryBits);
  const unsigned size = 1u << index_bits;
  mask_ = size - 1;
  std::fill_n(primary_.begin(), size, max_length > kPrimaryBits ? kLongCode : kInvalid);
  for (unsigned symbol = 0; symbol < count; ++symbol) {
    const unsigned length = lengths[symbol];
    if (length == 0) continue;
    const unsigned code = next_code[length]++;
    if (code >= (1u << length)) invalid("over-subscribed Huffman code");
    const Entry entry = entry_of(symbol, length);
    by_code_[next_slot[length]++] = entry;
    if (length > index_bits) continue;
    // Codes are packed most significant bit first (§3.1.1): index the table by the reversed code,
    // once for every value of the bits that follow it.
    unsigned reversed = 0;
    for (unsigned i = 0, c = code; i < length; ++i, c >>= 1) reversed = (reversed << 1) | (c & 1);
    for (unsigned i = reversed; i < size; i += 1u << length) primary_[i] = entry;
  }
}

Entry HuffmanTable::lookup_long(uint64_t bits) const {
  // Canonical decoding: at each length, codes [first, first + count) belong to that length. As
  // no shorter code matched, code >= first holds throughout.
  unsigned code = 0, first = 0, index = 0;
  for (unsigned length = 1; length <= kMaxCodeLength; ++length, bits >>= 1) {
    code |= static_cast<unsigned>(bits & 1);
    if (code < first + count_[length]) return by_code_[index + (code - first)];
    index += count_[length];
    first = (first + count_[length]) << 1;
    code <<= 1;
  }
  return kInvalid;
}

struct FixedTables {
  HuffmanTable literal_length, distance;
  FixedTables() {
    // §3.2.6: literal/length code lengths 8, 9, 7, 8 for 0-143, 144-255, 256-279, 280-287;
    // all 32 distance codes 5 bits.
    uint8_t lengths[288];
    std::fill(lengths, lengths + 144, 8);
    std::fill(lengths + 144, lengths + 256, 9);
    std::fill(lengths + 256, lengths + 280, 7);
    std::fill(lengths + 280, lengths + 288, 8);
    literal_length.build(lengths, 288, literal_length_entry);
    std::fill(lengths, lengths + 32, 5);
    distance.build(lengths, 32, distance_entry);
  }
};

const FixedTables& fixed_tables() {
  static const FixedTables tables;
  return tables;
}

// Skips a block's symbols up to and including its end-of-block code.
void skip_symbols(BitReader& in, const HuffmanTable& literal_length, const HuffmanTable& distance) {
  for (;;) {
    in.refill();  // one length (15 + 5 bits) and one distance (15 + 13 bits) fit in 56
    const Entry entry = literal_length.lookup(in.peek());
    const Entry kind = entry & kKindMask;
    in.skip(entry & kBitsMask);
    // Branch-free on the common, unpredictable literal-or-match choice: the distance is always
    // looked up, and its bits are skipped only after a length.
    const Entry distance_code = distance.lookup(in.peek());
    const unsigned after_length = kind == kLength ? ~0u : 0u;
    in.skip(distance_code & kBitsMask & after_length);
    if (kind > kLength || (after_length && (distance_code & kKindMask) != kPlain)) [[unlikely]] {
      if (kind == kEndOfBlock) return;
      invalid(kind == kInvalid ? "bad literal/length code" : "bad distance code");
    }
  }
}

void skip_stored_block(BitReader& in) {
  // §3.2.4: to the byte boundary, then LEN and its one's complement NLEN, then LEN bytes.
  in.align_to_byte();
  in.refill();
  const unsigned length = in.take(16), complement = in.take(16);
  if ((length ^ 0xffffu) != complement) invalid("stored block length check");
  in.skip_bytes(length);
}

// Reads a dynamic block's code definitions (§3.2.7) into the two tables.
void read_dynamic_tables(BitReader& in, HuffmanTable& literal_length, HuffmanTable& distance) {
  in.refill();
  const unsigned hlit = in.take(5) + 257, hdist = in.take(5) + 1, hclen = in.take(4) + 4;
  if (hlit > 286 || hdist > 30) invalid("too many length or distance codes");

  static constexpr uint8_t kOrder[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
  uint8_t code_length_lengths[19] = {};
  for (unsigned i = 0; i < hclen; ++i) {
    in.refill();
    code_length_lengths[kOrder[i]] = static_cast<uint8_t>(in.take(3));
  }
  HuffmanTable code_lengths;
  code_lengths.build(code_length_lengths, 19, code_length_entry);

  uint8_t lengths[286 + 30] = {};
  for (unsigned n = 0; n < hlit + hdist;) {
    in.refill();
    const Entry entry = code_lengths.lookup(in.peek());
    if ((entry & kBitsMask) == 0) invalid("bad code length code");
    in.skip(entry & kBitsMask);
    const unsigned symbol = entry >> 5;
    if (symbol < 16) {
      lengths[n++] = static_cast<uint8_t>(symbol);
      continue;
    }
    uint8_t value = 0;
    unsigned repeat = 0;
    if (symbol == 16) {  // copy the previous length 3-6 times
      if (n == 0) invalid("repeat with no previous length");
      value = lengths[n - 1];
      repeat = 3 + in.take(2);
    } else if (symbol == 17) {  // 3-10 zeros
      repeat = 3 + in.take(3);
    } else {  // 18: 11-138 zeros
      repeat = 11 + in.take(7);
    }
    if (n + repeat > hlit + hdist) invalid("code lengths run past the declared count");
    std::memset(lengths + n, value, repeat);
    n += repeat;
  }
  if (lengths[256] == 0) invalid("no end-of-block code");
  literal_length.build(lengths, hlit, literal_length_entry);
  distance.build(lengths + hlit, hdist, distance_entry);
}

}  // namespace

FinalBlock locate_final_block(const unsigned char* data, size_t size) {
  BitReader in(data, size);
  HuffmanTable literal_length, distance;
  for (;;) {
    const uint64_t header_bit = in.position();
    in.refill();
    const bool final = in.take(1) != 0;  // §3.2.3: BFINAL, then BTYPE
    switch (in.take(2)) {
      case 0:
        skip_stored_block(in);
        break;
      case 1:
        skip_symbols(in, fixed_tables().literal_length, fixed_tables().distance);
        break;
      case 2:
        read_dynamic_tables(in, literal_length, distance);
        skip_symbols(in, literal_length, distance);
        break;
      default:
        invalid("reserved block type");
    }
    if (in.past_end()) invalid("it ends inside a block");
    if (final) return {header_bit, in.position()};
  }
}

}  // namespace lupine::apk::detail
