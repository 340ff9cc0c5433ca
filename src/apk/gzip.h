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
// Throws lupine::Error naming `origin` on bad magic, corrupt or truncated data, or when the total
// decompressed size would exceed `max_content` bytes (a bound against gzip bombs).
std::vector<GzipMember> read_gzip_members(std::string_view bytes, const std::string& origin,
                                          uint64_t max_content = uint64_t{1} << 34);

// One gzip member of `data` at `level`, with a fixed header (no name, mtime 0): same input, same bytes.
std::string gzip_member(std::string_view data, int level = 9);

// Streams one gzip member to `sink`, compressing fixed-size chunks of the input on up to `threads`
// threads as pigz does. The output is one valid member and depends only on the input bytes and
// the level — never on the thread count or on how the input was split into write() calls.
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
