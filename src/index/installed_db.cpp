#include "index/installed_db.h"

#include "common/encoding.h"
#include "common/error.h"
#include "common/hash.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <set>

namespace lupine::index {

namespace {

void split_words(std::vector<std::string>& out, std::string_view value) {
  size_t pos = 0;
  while (pos < value.size()) {
    size_t start = value.find_first_not_of(' ', pos);
    if (start == std::string_view::npos) break;
    size_t end = value.find(' ', start);
    if (end == std::string_view::npos) end = value.size();
    out.emplace_back(value.substr(start, end - start));
    pos = end;
  }
}

std::optional<uint32_t> take_number(std::string_view& text, int base) {
  uint32_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (error != std::errc() || end == text.data()) return std::nullopt;
  text.remove_prefix(static_cast<size_t>(end - text.data()));
  return value;
}

bool take_colon(std::string_view& text) {
  if (text.empty() || text.front() != ':') return false;
  text.remove_prefix(1);
  return true;
}

// `uid:gid:mode[:digest]` (mode octal), as apk_db_fdb_read pulls it.
FileAcl parse_acl(std::string_view value, const std::string& origin, size_t line, char key) {
  std::string_view rest = value;
  auto uid = take_number(rest, 10);
  bool ok = uid && take_colon(rest);
  auto gid = ok ? take_number(rest, 10) : std::nullopt;
  ok = gid && take_colon(rest);
  auto mode = ok ? take_number(rest, 8) : std::nullopt;
  ok = mode && *mode <= 07777;
  FileAcl acl;
  if (ok && !rest.empty()) {
    ok = take_colon(rest) && valid_digest(rest);
    acl.xattr_digest = rest;
  }
  if (!ok) fail("{}:{}: field {}: expected 'uid:gid:mode[:xattrdigest]', got '{}'", origin, line, key, value);
  acl.uid = *uid;
  acl.gid = *gid;
  acl.mode = *mode;
  return acl;
}

void append_field(std::string& out, char key, std::string_view value) {
  out.push_back(key);
  out.push_back(':');
  out.append(value);
  out.push_back('\n');
}

void append_words(std::string& out, char key, const std::vector<std::string>& words) {
  if (words.empty()) return;
  std::string joined;
  for (const auto& word : words) joined.append(joined.empty() ? "" : " ").append(word);
  append_field(out, key, joined);
}

// The stanza being read, with the directory and file the next M:/R:/a:/Z: lines belong to.
struct StanzaReader {
  const std::string& origin;
  std::vector<InstalledDbPackage>& packages;
  std::set<std::string, std::less<>> names;
  InstalledDbPackage current;
  bool started = false;
  InstalledDir* dir = nullptr;
  InstalledFile* file = nullptr;

  void field(size_t line, char key, std::string_view value) {
    if (!started) {
      current.record.line = line;
      started = true;
    }
    switch (key) {
      case 'F':
        current.dirs.push_back(InstalledDir{std::string(value), default_dir_acl(), {}});
        dir = &current.dirs.back();
        file = nullptr;
        return;
      case 'M':
        if (!dir) fail("{}:{}: M: (directory acl) before any F: (directory)", origin, line);
        dir->acl = parse_acl(value, origin, line, key);
        return;
      case 'R':
        if (!dir) fail("{}:{}: R: (file) before any F: (directory)", origin, line);
        if (value.empty() || value.find('/') != std::string_view::npos)
          fail("{}:{}: R: expects a file name without '/', got '{}'", origin, line, value);
        dir->files.push_back(InstalledFile{std::string(value), default_file_acl(), {}});
        file = &dir->files.back();
        return;
      case 'a':
        if (!file) fail("{}:{}: a: (file acl) before any R: (file)", origin, line);
        file->acl = parse_acl(value, origin, line, key);
        return;
      case 'Z':
        if (!file) fail("{}:{}: Z: (file digest) before any R: (file)", origin, line);
        if (!valid_digest(value)) fail("{}:{}: Z: expects a Q1... digest, got '{}'", origin, line, value);
        file->digest = value;
        return;
      case 'g': split_words(current.tags, value); return;
      case 's': current.repository_tag = value; return;
      case 'f':
        for (char flag : value) {
          switch (flag) {
            case 'f': current.broken_files = true; break;
            case 's': current.broken_script = true; break;
            case 'x': current.broken_xattr = true; break;
            case 'S': current.sha256_160 = true; break;
            default:
              fail("{}:{}: unknown package flag '{}' in f:{} (apk-tools: \"This apk-tools is too old to "
                   "handle installed packages\")",
                   origin, line, flag, value);
          }
        }
        return;
      default:
        if (!apply_index_field(current.record, key, value, origin, line))
          fail("{}:{}: unknown field '{}:' in an installed database (apk-tools: \"This apk-tools is too "
               "old to handle installed packages\")",
               origin, line, key);
    }
  }

  void end(size_t) {
    const IndexRecord& record = current.record;
    if (record.name.empty()) fail("{}:{}: package stanza without P: (name)", origin, record.line);
    if (record.version.empty()) fail("{}:{}: package {} has no V: (version)", origin, record.line, record.name);
    if (record.identity.empty())
      fail("{}:{}: package {} has no C: (identity checksum)", origin, record.line, record.name);
    if (!names.insert(record.name).second)
      fail("{}:{}: package {} is listed twice", origin, record.line, record.name);
    packages.push_back(std::move(current));
    current = InstalledDbPackage();
    started = false;
    dir = nullptr;
    file = nullptr;
  }
};

}  // namespace

std::vector<std::string> InstalledDbPackage::file_paths() const {
  std::vector<std::string> paths;
  for (const auto& dir : dirs)
    for (const auto& file : dir.files) paths.push_back(dir.path.empty() ? file.name : dir.path + "/" + file.name);
  return paths;
}

std::vector<InstalledDbPackage> parse_installed_db(std::string_view text, const std::string& origin) {
  std::vector<InstalledDbPackage> packages;
  StanzaReader reader{origin, packages, {}, {}, false, nullptr, nullptr};
  for_each_index_line(
      text, origin, [&](size_t line, char key, std::string_view value) { reader.field(line, key, value); },
      [&](size_t line) { reader.end(line); });
  return packages;
}

std::string format_acl(const FileAcl& acl) {
  std::string text = fmt::format("{}:{}:{:o}", acl.uid, acl.gid, acl.mode);
  if (!acl.xattr_digest.empty()) text += ":" + acl.xattr_digest;
  return text;
}

void append_installed_package(std::string& out, const InstalledDbPackage& package) {
  // The header as in an index (apk_pkg_write_index_header), without its blank line; r and q
  // come after g here (apk_db_fdb_write).
  append_index_record(out, package.record, false);
  out.pop_back();
  append_words(out, 'g', package.tags);
  append_words(out, 'r', package.record.replaces);
  if (package.record.replaces_priority) append_field(out, 'q', std::to_string(package.record.replaces_priority));
  if (!package.repository_tag.empty()) append_field(out, 's', package.repository_tag);
  std::string flags;
  if (package.broken_files) flags += 'f';
  if (package.broken_script) flags += 's';
  if (package.broken_xattr) flags += 'x';
  if (package.sha256_160) flags += 'S';
  if (!flags.empty()) append_field(out, 'f', flags);
  for (const auto& dir : package.dirs) {
    append_field(out, 'F', dir.path);
    if (dir.acl != default_dir_acl()) append_field(out, 'M', format_acl(dir.acl));
    for (const auto& file : dir.files) {
      append_field(out, 'R', file.name);
      if (file.acl != default_file_acl()) append_field(out, 'a', format_acl(file.acl));
      if (!file.digest.empty()) append_field(out, 'Z', file.digest);
    }
  }
  out.push_back('\n');
}

std::string format_installed_db(const std::vector<InstalledDbPackage>& packages) {
  std::string out;
  for (const auto& package : packages) append_installed_package(out, package);
  return out;
}

void sort_installed_packages(std::vector<InstalledDbPackage>& packages) {
  std::stable_sort(packages.begin(), packages.end(),
                   [](const InstalledDbPackage& a, const InstalledDbPackage& b) { return index_record_less(a.record, b.record); });
}

std::string xattr_digest(std::vector<std::pair<std::string, std::string>> xattrs) {
  if (xattrs.empty()) return {};
  std::sort(xattrs.begin(), xattrs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  Hasher hasher(HashAlgorithm::sha1);
  auto put_length = [&hasher](size_t length) {
    unsigned char be[4] = {static_cast<unsigned char>(length >> 24), static_cast<unsigned char>(length >> 16),
                           static_cast<unsigned char>(length >> 8), static_cast<unsigned char>(length)};
    hasher.update(be, sizeof be);
  };
  for (const auto& [name, value] : xattrs) {
    put_length(name.size());
    hasher.update(name);
    put_length(value.size());
    hasher.update(value);
  }
  return q1_digest(hasher.finish());
}

std::string q1_digest(std::string_view raw_sha1) { return "Q1" + base64_encode(raw_sha1); }

bool valid_digest(std::string_view text) {
  if (text.size() < 3) return false;
  char kind = text[0];
  char algorithm = text[1];
  size_t expected = algorithm == '1' ? 20 : algorithm == '2' ? 32 : 0;
  if (expected == 0) return false;
  std::optional<std::string> raw;
  if (kind == 'Q') raw = base64_decode(text.substr(2));
  else if (kind == 'X') raw = hex_decode(text.substr(2));
  return raw && raw->size() == expected;
}

}  // namespace lupine::index
