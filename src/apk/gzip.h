// gzip members with exact boundaries (reference/apk.md §1.2): an .apk and an APKINDEX.tar.gz are
// concatenated gzip members, and every hash (signature, identity, datahash) is over the raw
// compressed bytes of whole members.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lupine::apk {

struct GzipMember {
  std::string_view compressed;  // the member's raw bytes, header to trailer, within the input
  std::string content;          // its decompressed bytes
};

// Splits `bytes` into its gzip members, inflating each and checking its CRC-32 and size trailer.
// Throws lupine::Error naming `origin` (and the member number and offset) on bad magic, bytes after
// the last member that are not another member (even zeros), corrupt or truncated data, or when the
// total decompressed size would exceed `max_content` bytes (a bound against gzip bombs).
std::vector<GzipMember> read_gzip_members(std::string_view bytes, const std::string& origin,
                                          uint64_t max_content = uint64_t{1} << 34);

// The same, one member at a time, for readers that stop early (`lupine index` inflates a package's
// signature and control members but not its data member). Errors are read_gzip_members'.
class GzipMemberReader {
 public:
  GzipMemberReader(std::string_view bytes, const std::string& origin, uint64_t max_content = uint64_t{1} << 34);
  ~GzipMemberReader();
  GzipMemberReader(const GzipMemberReader&) = delete;
  GzipMemberReader& operator=(const GzipMemberReader&) = delete;

  bool done() const { return offset_ >= bytes_.size(); }
  size_t offset() const { return offset_; }  // where the next member starts
  std::string_view rest() const { return bytes_.substr(offset_); }
  GzipMember next();  // inflates the member at offset(); not to be called when done()

  struct Inflaters;  // zlib and libdeflate state, reused across readers on one thread

 private:
  std::string_view bytes_;
  std::string origin_;
  uint64_t max_content_;
  uint64_t total_ = 0;
  size_t offset_ = 0;
  size_t members_ = 0;
  uint32_t isize_ = 0;
  std::unique_ptr<Inflaters> inflaters_;
};

// Compression levels are zlib's 0-9 (0 = stored, 1 = fastest, 9 = smallest); anything else throws.
// The encoder is libdeflate, one level lower (level L uses libdeflate level max(1, L-1); 0 stays 0):
// measured on text and binaries that matches or beats zlib's ratio at L (within ~1%) at 2-4x the speed.
//
// Every member written here has the fixed 10-byte header of `gzip -n` (RFC 1952 §2.3):
// 1f 8b 08 00 00000000 XFL 03 (no flags, mtime 0, XFL 2 at level 9 and 4 at level 1, OS Unix).
//
// The deflate body is cut into chunks of gzip_chunk_size input bytes, compressed independently (no
// shared history, as pigz -i), each but the last ending byte-aligned with an empty stored block.
// The chunking is part of the output format: changing this constant changes the bytes written.
inline constexpr size_t gzip_chunk_size = size_t{1} << 20;

// One gzip member of `data` at `level`, with a fixed header (no name, mtime 0): same input, same bytes.
// The result is byte-identical to what GzipMemberWriter writes for the same data and level.
std::string gzip_member(std::string_view data, int level = 9);

// Streams one gzip member to `sink`, compressing fixed-size chunks of the input on up to `threads`
// threads as pigz does. The output is one valid member and depends only on the input bytes and
// the level — never on the thread count or on how the input was split into write() calls.
// The sink is only ever called on the caller's thread, from write() and finish(). Memory stays
// bounded: at most 2 × threads chunks are in flight. An exception from a worker or from the sink
// is rethrown by write()/finish(); the writer is then unusable (further calls throw).
// With threads <= 1, or when the whole input fits in one chunk, no thread is started.
class GzipMemberWriter {
 public:
  using Sink = std::function<void(std::string_view)>;
  GzipMemberWriter(Sink sink, int level, unsigned threads);
  ~GzipMemberWriter();
  GzipMemberWriter(const GzipMemberWriter&) = delete;
  GzipMemberWriter& operator=(const GzipMemberWriter&) = delete;

  void write(std::string_view data);
  void finish();  // flushes everything and writes the trailer; no write() after it

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lupine::apk
