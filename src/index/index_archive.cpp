#include "index/index_archive.h"

#include "apk/gzip.h"
#include "apk/tar.h"
#include "common/error.h"
#include "common/fs.h"

#include <algorithm>
#include <optional>

namespace lupine::index {

namespace {

// The index member's compression level (libdeflate level 5, see apk/gzip.h). Every incremental
// run recompresses the whole index, so this is a large part of its cost. Measured (libdeflate,
// best of 20) on a generated 1,000-package index (160 KB) and on Alpine 3.16's (1.9 MB):
// level 5 takes 0.64 / 15.3 ms, level 6 0.94 / 18.0 ms, level 9 6.6 / 31 ms; the output is 1.1%
// larger than level 6's (2% than level 9's), still smaller than apk-tools' `apk index` (zlib 9).
constexpr int kIndexGzipLevel = 6;

// A bound on the decompressed index (Alpine's largest, community, is ~20 MB; apko caps at 300 MB).
constexpr uint64_t kMaxIndexContent = uint64_t{1} << 30;

bool starts_with_gzip_magic(std::string_view bytes) {
  return bytes.size() >= 2 && bytes[0] == '\x1f' && bytes[1] == '\x8b';
}

bool is_signature_member(const apk::ParsedTar& tar) {
  return !tar.items.empty() && tar.items.front().entry.path.starts_with(".SIGN.");
}

std::string member_origin(const std::string& origin, size_t index) {
  return fmt::format("{} (gzip member #{})", origin, index + 1);
}

void append_tar_header(std::string& tar, const std::string& name, size_t size, int64_t mtime) {
  apk::TarEntry entry;
  entry.path = name;
  entry.mode = 0644;
  entry.uname = "root";
  entry.gname = "root";
  entry.mtime = mtime;
  entry.size = size;
  tar += apk::tar_header(entry);
}

void append_tar_file(std::string& tar, const std::string& name, std::string_view data, int64_t mtime) {
  append_tar_header(tar, name, data.size(), mtime);
  tar += data;
  tar += apk::tar_padding(data.size());
}

void check_description(const std::string& description, const std::string& origin) {
  if (description.size() > max_description_size)
    fail("{}: DESCRIPTION is {} bytes, at most {} are allowed", origin, description.size(), max_description_size);
}

}  // namespace

bool is_index_archive(std::string_view bytes) {
  if (!starts_with_gzip_magic(bytes)) return false;
  try {
    auto members = apk::read_gzip_members(bytes, "index", kMaxIndexContent);
    for (const auto& member : members) {
      auto tar = apk::parse_tar(member.content, "index");
      if (is_signature_member(tar)) continue;
      return std::any_of(tar.items.begin(), tar.items.end(),
                         [](const apk::TarItem& item) { return item.entry.path == "APKINDEX"; });
    }
  } catch (const Error&) {
  }
  return false;
}

namespace {

// parse_index_archive but for the records: the APKINDEX text is left in `text` (the index member's
// content and where the text lies in it).
IndexArchive parse_index_structure(std::string_view bytes, const std::string& origin, IndexText& text) {
  if (!starts_with_gzip_magic(bytes)) fail("{}: not an APKINDEX.tar.gz (no gzip data at the start)", origin);
  auto members = apk::read_gzip_members(bytes, origin, kMaxIndexContent);
  IndexArchive index;
  index.origin = origin;

  size_t position = 0;
  std::optional<apk::ParsedTar> index_tar;
  for (; position < members.size(); ++position) {
    apk::ParsedTar tar = apk::parse_tar(members[position].content, member_origin(origin, position));
    if (!is_signature_member(tar)) {
      index_tar = std::move(tar);
      break;
    }
    for (const auto& item : tar.items) {
      auto signature = apk::parse_signature_name(item.entry.path);
      if (!signature || item.entry.type != apk::TarType::regular)
        fail("{}: signature member #{} holds '{}', expected only .SIGN.<ALG>.<key> files", origin, position + 1,
             item.entry.path);
      signature->blob = std::string(item.data);
      index.signatures.push_back(std::move(*signature));
    }
    // apk-tools would stop reading at these blocks and never see the index.
    if (tar.end_of_archive)
      fail("{}: signature member #{} ends with end-of-archive blocks, which would hide the index", origin,
           position + 1);
  }
  if (!index_tar) fail("{}: no index member after the signature", origin);
  if (size_t extra = members.size() - position - 1; extra > 0)
    fail("{}: {} gzip member(s) after the index member; an index is exactly one member after its signature",
         origin, extra);
  index.index_member = std::string(members[position].compressed);

  std::optional<std::string_view> apkindex;
  bool have_description = false;
  for (const auto& item : index_tar->items) {
    const std::string& name = item.entry.path;
    if (name != "APKINDEX" && name != "DESCRIPTION")
      fail("{}: unexpected entry '{}' in the index member (only DESCRIPTION and APKINDEX belong there)", origin,
           name);
    if (item.entry.type != apk::TarType::regular) fail("{}: index entry '{}' is not a regular file", origin, name);
    if (name == "APKINDEX") {
      if (apkindex) fail("{}: two APKINDEX entries", origin);
      apkindex = item.data;
    } else {
      if (have_description) fail("{}: two DESCRIPTION entries", origin);
      have_description = true;
      index.description = std::string(item.data);
      check_description(index.description, origin);
    }
  }
  if (!apkindex) fail("{}: the index member has no APKINDEX entry", origin);
  if (!index_tar->end_of_archive) fail("{}: the index member does not end with end-of-archive blocks", origin);
  text.offset = static_cast<size_t>(apkindex->data() - members[position].content.data());
  text.size = apkindex->size();
  text.content = std::move(members[position].content);  // a move: offset and size still hold
  return index;
}

}  // namespace

IndexArchive parse_index_archive(std::string_view bytes, const std::string& origin) {
  IndexText text;
  IndexArchive index = parse_index_structure(bytes, origin, text);
  index.records = parse_apkindex(text.apkindex(), origin + ":APKINDEX");
  return index;
}

IndexArchive read_index_archive(const std::filesystem::path& path) {
  return parse_index_archive(read_file(path), path.string());
}

IndexText read_index_text(const std::filesystem::path& path) {
  IndexText text;
  parse_index_structure(read_file(path), path.string(), text);
  return text;
}

apk::SignatureCheck verify_index_signature(const IndexArchive& index, const apk::Keyring& keyring,
                                           bool allow_untrusted) {
  apk::SignatureCheck check = apk::check_signatures(index.signatures, index.index_member, keyring, true);
  switch (check.status) {
    case apk::SignatureStatus::verified: break;
    case apk::SignatureStatus::bad:
      fail("{}: BAD signature: {} does not verify the index (corrupt or tampered)", index.origin, check.key_name);
    case apk::SignatureStatus::untrusted:
      if (!allow_untrusted)
        fail("{}: UNTRUSTED signature: signed by {}, none of which is in the keyring", index.origin, check.detail);
      break;
    case apk::SignatureStatus::unsigned_:
      if (!allow_untrusted) fail("{}: unsigned index (no .SIGN.* entry) and untrusted indexes are not allowed",
                                 index.origin);
      break;
  }
  return check;
}

std::string make_index_member(std::vector<IndexRecord> records, const std::string& description, int64_t mtime) {
  // Sorting pointers: an IndexRecord is a few hundred bytes, too many to move around in a sort.
  return make_index_member(pointers_to(records), description, mtime);
}

std::string make_index_member(std::vector<const IndexRecord*> records, const std::string& description,
                              int64_t mtime) {
  std::string storage;
  return make_index_member(index_stanzas(records, storage), description, mtime);
}

std::string make_index_member(std::vector<IndexStanza> stanzas, const std::string& description, int64_t mtime) {
  check_description(description, "index");
  // Packages are often given in order already (a shell glob of one repository, an old index):
  // checking costs n comparisons where the sort costs n log n.
  if (!std::is_sorted(stanzas.begin(), stanzas.end(), index_stanza_less))
    std::stable_sort(stanzas.begin(), stanzas.end(), index_stanza_less);
  size_t text_size = 0;
  for (const auto& stanza : stanzas) text_size += stanza.text.size();
  // The tar is written in place: the APKINDEX text is never a string of its own.
  std::string tar;
  tar.reserve(text_size + description.size() + 4096);
  if (!description.empty()) append_tar_file(tar, "DESCRIPTION", description, mtime);
  append_tar_header(tar, "APKINDEX", text_size, mtime);
  for (const auto& stanza : stanzas) tar += stanza.text;
  tar += apk::tar_padding(text_size);
  tar += apk::tar_end_of_archive();
  return apk::gzip_member(tar, kIndexGzipLevel);
}

std::string sign_index_member(std::string_view index_member, const apk::PackageSigner& signer, int64_t mtime) {
  if (!signer.key) return std::string(index_member);
  std::string out = apk::make_signature_member(*signer.key, signer.key_name, signer.hash, index_member, mtime);
  out += index_member;
  return out;
}

std::string make_index_archive(std::vector<IndexRecord> records, const std::string& description, int64_t mtime,
                               const apk::PackageSigner& signer) {
  return sign_index_member(make_index_member(std::move(records), description, mtime), signer, mtime);
}

std::string make_index_archive(std::vector<IndexStanza> stanzas, const std::string& description, int64_t mtime,
                               const apk::PackageSigner& signer) {
  return sign_index_member(make_index_member(std::move(stanzas), description, mtime), signer, mtime);
}

std::string resign_index_archive(std::string_view bytes, const std::string& origin,
                                 const apk::PackageSigner& signer, int64_t mtime) {
  IndexArchive index = parse_index_archive(bytes, origin);
  return sign_index_member(index.index_member, signer, mtime);
}

}  // namespace lupine::index
