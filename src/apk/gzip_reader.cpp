// read_gzip_members: zlib inflate, one member at a time, recording exactly how many input bytes
// each member used (header to trailer) — the unit every APK hash is computed over.
#include "apk/gzip.h"

#include "common/error.h"

#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <optional>

namespace lupine::apk {

namespace {

// zlib's avail_in / avail_out are 32-bit: larger buffers are fed in pieces of this size.
constexpr size_t kMaxStride = size_t{1} << 30;
constexpr size_t kInitialContentSize = 64 * 1024;
// A member that has already produced this much may be the big one: jump to the size hint.
constexpr size_t kUseHintAbove = 256 * 1024;
// Deflate cannot expand data by more than 1032:1 (a 258-byte match costs at least 2 bits).
constexpr uint64_t kMaxDeflateRatio = 1032;

// A gzip-wrapped zlib inflater (windowBits 16 + 15: gzip header and CRC-32/ISIZE trailer only).
class GzipInflater {
 public:
  GzipInflater() {
    if (inflateInit2(&stream_, 16 + 15) != Z_OK) fail("zlib: cannot initialise inflate");
  }
  ~GzipInflater() { inflateEnd(&stream_); }
  GzipInflater(const GzipInflater&) = delete;
  GzipInflater& operator=(const GzipInflater&) = delete;
  z_stream& stream() { return stream_; }

 private:
  z_stream stream_{};
};

struct MemberContext {
  const std::string& origin;
  size_t number;       // 1-based member number, for messages
  size_t offset;       // where the member starts in the whole input
  uint64_t allowed;    // content bytes still allowed under max_content
  uint64_t max_content;
  uint64_t size_hint;  // the ISIZE at the end of the input: exact if this member is the last one
};

[[noreturn]] void fail_limit(const MemberContext& context) {
  fail("{}: decompressed size exceeds limit of {} bytes (in gzip member #{} at offset {})", context.origin,
       context.max_content, context.number, context.offset);
}

// Makes room for more content: doubling, or straight to the hinted size for a member that is
// already large (so the usual single big data member is allocated once, at its exact size).
void grow(std::string& content, const MemberContext& context) {
  const size_t produced = content.size();
  uint64_t target = std::max<uint64_t>(uint64_t{produced} * 2, kInitialContentSize);
  if (produced >= kUseHintAbove && context.size_hint > produced) target = std::max(target, context.size_hint);
  // Room for one byte past the limit, so that exceeding it is noticed rather than stalled on.
  const uint64_t cap = context.allowed == std::numeric_limits<uint64_t>::max() ? context.allowed
                                                                              : context.allowed + 1;
  target = std::min({target, cap, uint64_t{content.max_size()}});
  if (target <= produced) fail_limit(context);
  content.resize(static_cast<size_t>(target));
}

// Inflates the member at the start of `input` into `content`; returns its compressed size.
size_t inflate_member(GzipInflater& inflater, std::string_view input, const MemberContext& context,
                      std::string& content) {
  z_stream& z = inflater.stream();
  if (inflateReset(&z) != Z_OK) fail("zlib: cannot reset inflate");
  auto next_in = reinterpret_cast<const unsigned char*>(input.data());
  size_t in_left = input.size();
  z.avail_in = 0;
  size_t produced = 0;
  content.clear();

  for (;;) {
    if (z.avail_in == 0 && in_left > 0) {
      const size_t stride = std::min(in_left, kMaxStride);
      z.next_in = const_cast<unsigned char*>(next_in);
      z.avail_in = static_cast<uInt>(stride);
      next_in += stride;
      in_left -= stride;
    }
    if (produced == content.size()) grow(content, context);
    const size_t room = std::min(content.size() - produced, kMaxStride);
    z.next_out = reinterpret_cast<unsigned char*>(content.data() + produced);
    z.avail_out = static_cast<uInt>(room);
    const int rc = inflate(&z, Z_NO_FLUSH);
    produced += room - z.avail_out;
    if (produced > context.allowed) fail_limit(context);

    switch (rc) {
      case Z_STREAM_END:
        content.resize(produced);
        // A wrong size hint (the big member was a later one) must not pin a large buffer.
        if (content.capacity() > kUseHintAbove && content.capacity() / 2 > produced) content.shrink_to_fit();
        return z.total_in;
      case Z_OK:
        break;
      case Z_BUF_ERROR:  // no progress possible: more output room is made above; no more input is fatal
        if (z.avail_in == 0 && in_left == 0)
          fail("{}: truncated gzip member #{} (starting at offset {}, {} bytes available)", context.origin,
               context.number, context.offset, input.size());
        break;
      case Z_DATA_ERROR:
        fail("{}: corrupt gzip member #{} at offset {}: {}", context.origin, context.number, context.offset,
             z.msg ? z.msg : "invalid data");
      case Z_MEM_ERROR:
        fail("{}: out of memory inflating gzip member #{}", context.origin, context.number);
      default:
        fail("{}: zlib error {} inflating gzip member #{}", context.origin, rc, context.number);
    }
  }
}

// Fast path: libdeflate inflates the whole member in one call. It is only trusted when it
// succeeds within the limit; every failure (corrupt, truncated, too large) is redone by the zlib
// inflater above, so errors and their messages are exactly zlib's. Members with a header CRC
// (FHCRC), which libdeflate skips rather than checks, always take the zlib path.
class FastInflater {
 public:
  FastInflater() : decompressor_(libdeflate_alloc_decompressor()) {}
  ~FastInflater() {
    if (decompressor_) libdeflate_free_decompressor(decompressor_);
  }
  FastInflater(const FastInflater&) = delete;
  FastInflater& operator=(const FastInflater&) = delete;

  // Returns the member's compressed size, or 0 when the zlib path must decide.
  //
  // Small members (signatures, control, most of a repository's packages) are inflated into a
  // reused scratch buffer and copied out at their exact size: sizing `content` up front would
  // zero-fill 64 KB per member, which cost more than the inflating when indexing many packages.
  size_t inflate(std::string_view input, const MemberContext& context, std::string& content) {
    if (!decompressor_ || input.size() < 18) return 0;
    if (static_cast<unsigned char>(input[3]) & 0x02) return 0;  // FHCRC
    const uint64_t cap = context.allowed == std::numeric_limits<uint64_t>::max() ? context.allowed
                                                                                : context.allowed + 1;
    const size_t scratch_size = static_cast<size_t>(std::min<uint64_t>(kInitialContentSize, cap));
    if (!scratch_) scratch_ = std::make_unique_for_overwrite<char[]>(kInitialContentSize);
    size_t in_used = 0;
    size_t out_used = 0;
    libdeflate_result rc = libdeflate_gzip_decompress_ex(decompressor_, input.data(), input.size(), scratch_.get(),
                                                         scratch_size, &in_used, &out_used);
    if (rc == LIBDEFLATE_SUCCESS) {
      if (out_used > context.allowed || in_used == 0) return 0;
      content.assign(scratch_.get(), out_used);
      return in_used;
    }
    if (rc != LIBDEFLATE_INSUFFICIENT_SPACE || scratch_size >= cap) return 0;
    // A large member: inflate straight into `content`, at the size hint when it is the larger.
    uint64_t size = std::min<uint64_t>(std::max<uint64_t>(uint64_t{scratch_size} * 2, context.size_hint), cap);
    for (;;) {
      size = std::min<uint64_t>(size, content.max_size());
      content.resize(static_cast<size_t>(size));
      rc = libdeflate_gzip_decompress_ex(decompressor_, input.data(), input.size(), content.data(), content.size(),
                                         &in_used, &out_used);
      if (rc == LIBDEFLATE_SUCCESS) {
        if (out_used > context.allowed || in_used == 0) break;
        content.resize(out_used);
        if (content.capacity() > kUseHintAbove && content.capacity() / 2 > out_used) content.shrink_to_fit();
        return in_used;
      }
      if (rc != LIBDEFLATE_INSUFFICIENT_SPACE || size >= cap || size >= content.max_size()) break;
      uint64_t next = size * 2;
      if (context.size_hint > next) next = context.size_hint;
      size = std::min(next, cap);
    }
    content.clear();
    return 0;
  }

 private:
  libdeflate_decompressor* decompressor_;
  std::unique_ptr<char[]> scratch_;  // kInitialContentSize bytes, allocated on first use

 public:
  void release_scratch() { scratch_.reset(); }
};

// RFC 1952 §2.3.1: every member starts with ID1 = 0x1f, ID2 = 0x8b.
void check_magic(std::string_view bytes, size_t offset, size_t members_read, const std::string& origin) {
  const std::string_view rest = bytes.substr(offset);
  const bool magic = rest.size() >= 2 ? rest[0] == '\x1f' && rest[1] == '\x8b' : rest == "\x1f";
  if (magic) return;  // a lone 0x1f is reported as a truncated member
  if (members_read == 0) fail("{}: not gzip data (bad magic at offset {})", origin, offset);
  fail("{}: trailing garbage after gzip member #{} at offset {} ({} bytes)", origin, members_read, offset,
       rest.size());
}

uint32_t trailing_isize(std::string_view bytes) {
  if (bytes.size() < 4) return 0;
  uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[bytes.size() - 4 + i]);
  return value;
}

}  // namespace

struct GzipMemberReader::Inflaters {
  std::optional<GzipInflater> zlib;  // only for what libdeflate leaves to it (errors, FHCRC)
  FastInflater fast;
};

GzipMemberReader::GzipMemberReader(std::string_view bytes, const std::string& origin, uint64_t max_content)
    : bytes_(bytes), origin_(origin), max_content_(max_content), isize_(trailing_isize(bytes)) {
  if (bytes.empty()) fail("{}: not gzip data (empty)", origin);
}

namespace {
// One set of inflaters kept per thread between readers: allocating a libdeflate decompressor for
// every package cost as much as inflating its signature and control members when indexing
// thousands of packages. A reader takes the set and gives it back. (Not the 64 KB scratch
// buffer: kept alive on the heap it made glibc consolidate free chunks on later large
// allocations, which cost more than allocating it again.)
thread_local std::unique_ptr<GzipMemberReader::Inflaters> cached_inflaters;
}  // namespace

GzipMemberReader::~GzipMemberReader() {
  if (!inflaters_ || cached_inflaters) return;
  inflaters_->fast.release_scratch();
  cached_inflaters = std::move(inflaters_);
}

GzipMember GzipMemberReader::next() {
  if (!inflaters_) inflaters_ = cached_inflaters ? std::move(cached_inflaters) : std::make_unique<Inflaters>();
  check_magic(bytes_, offset_, members_, origin_);
  const std::string_view rest = bytes_.substr(offset_);
  // Trust the last member's ISIZE only as far as deflate could expand the remaining input.
  const uint64_t hint = std::min<uint64_t>(isize_, rest.size() * kMaxDeflateRatio);
  const MemberContext context{origin_, members_ + 1, offset_, max_content_ - total_, max_content_, hint};
  GzipMember member;
  size_t used = inflaters_->fast.inflate(rest, context, member.content);
  if (used == 0) {
    if (!inflaters_->zlib) inflaters_->zlib.emplace();
    used = inflate_member(*inflaters_->zlib, rest, context, member.content);
  }
  member.compressed = rest.substr(0, used);
  total_ += member.content.size();
  offset_ += used;
  ++members_;
  return member;
}

std::vector<GzipMember> read_gzip_members(std::string_view bytes, const std::string& origin,
                                          uint64_t max_content) {
  GzipMemberReader reader(bytes, origin, max_content);
  std::vector<GzipMember> members;
  while (!reader.done()) members.push_back(reader.next());
  return members;
}

}  // namespace lupine::apk
