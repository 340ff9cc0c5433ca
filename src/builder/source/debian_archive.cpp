#include "builder/source/debian_archive.h"

#include "common/error.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <charconv>

namespace lupine::builder {

namespace {
bool starts_with_field(std::string_view line, std::string_view field) {
  // deb822 field names are case-insensitive: "Package:" and "package:" are the same field.
  if (line.size() <= field.size() || line[field.size()] != ':') return false;
  for (size_t i = 0; i < field.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != std::tolower(static_cast<unsigned char>(field[i])))
      return false;
  return true;
}

std::string_view field_value(std::string_view line, std::string_view field) {
  std::string_view value = line.substr(field.size() + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r')) value.remove_suffix(1);
  return value;
}

struct Stanza {
  std::string package, version, directory;
  struct Line {
    std::string_view text;
    size_t number;
  };
  std::vector<Line> checksums;
  size_t first_line = 0;
};
}  // namespace

std::vector<DebianArchiveFile> parse_sources_index(std::string_view text, const std::string& suite,
                                                   const std::string& origin) {
  std::vector<DebianArchiveFile> files;
  Stanza stanza;
  bool in_checksums = false;
  auto finish = [&] {
    if (stanza.first_line == 0) return;
    if (stanza.package.empty() || stanza.directory.empty())
      fail("{}:{}: a stanza without Package or Directory", origin, stanza.first_line);
    for (const auto& line : stanza.checksums) {
      // " <sha256> <size> <name>"
      std::string_view rest = line.text;
      auto word = [&rest]() {
        while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
        size_t end = rest.find_first_of(" \t\r");
        std::string_view out = rest.substr(0, end);
        rest.remove_prefix(out.size());
        return out;
      };
      std::string_view sha = word(), size = word(), name = word();
      uint64_t bytes = 0;
      auto parsed = std::from_chars(size.data(), size.data() + size.size(), bytes);
      if (sha.size() != 64 || name.empty() || parsed.ec != std::errc() || parsed.ptr != size.data() + size.size() ||
          name.find('/') != std::string_view::npos)
        fail("{}:{}: expected \"<sha256> <size> <file name>\" in Checksums-Sha256", origin, line.number);
      files.push_back({suite, stanza.package, stanza.version, stanza.directory + "/" + std::string(name),
                       std::string(sha), bytes});
    }
    stanza = Stanza{};
  };
  size_t number = 0;
  for (size_t start = 0; start <= text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    if (line.empty() || line == "\r") {
      finish();
      in_checksums = false;
      if (end == text.size()) break;
      continue;
    }
    if (stanza.first_line == 0) stanza.first_line = number;
    if (line.front() == ' ' || line.front() == '\t') {
      if (in_checksums) stanza.checksums.push_back({line, number});
      continue;
    }
    in_checksums = starts_with_field(line, "Checksums-Sha256");
    if (starts_with_field(line, "Package")) stanza.package = field_value(line, "Package");
    else if (starts_with_field(line, "Version")) stanza.version = field_value(line, "Version");
    else if (starts_with_field(line, "Directory")) stanza.directory = field_value(line, "Directory");
    if (end == text.size()) break;
  }
  finish();
  return files;
}

std::string decompress_xz(std::string_view data, const std::string& origin) {
  struct archive* reader = archive_read_new();
  if (!reader) fail("{}: cannot start libarchive", origin);
  std::unique_ptr<struct archive, int (*)(struct archive*)> guard(reader, archive_read_free);
  archive_read_support_filter_all(reader);
  archive_read_support_format_raw(reader);
  struct archive_entry* entry = nullptr;
  if (archive_read_open_memory(reader, data.data(), data.size()) != ARCHIVE_OK ||
      archive_read_next_header(reader, &entry) != ARCHIVE_OK)
    fail("{}: not xz data: {}", origin, archive_error_string(reader) ? archive_error_string(reader) : "unreadable");
  // The raw format passes anything through unfiltered: only xz is accepted.
  if (archive_filter_code(reader, 0) != ARCHIVE_FILTER_XZ) fail("{}: not xz data", origin);
  std::string out;
  const void* block = nullptr;
  size_t size = 0;
  la_int64_t offset = 0;
  for (;;) {
    int status = archive_read_data_block(reader, &block, &size, &offset);
    if (status == ARCHIVE_EOF) break;
    if (status != ARCHIVE_OK) fail("{}: {}", origin, archive_error_string(reader) ? archive_error_string(reader) : "corrupt");
    out.append(static_cast<const char*>(block), size);
  }
  return out;
}

DebianArchiveOptions debian_archive_options(const std::filesystem::path& cache_dir) {
  DebianArchiveOptions options;
  options.http.cache_dir = cache_dir / "debian-archive";
  return options;
}

DebianArchive::DebianArchive(DebianArchiveOptions options) : options_(std::move(options)) {}

void DebianArchive::load(const Log& log) {
  size_t read = 0;
  std::string failures;
  for (const auto& suite : options_.suites) {
    for (const auto& component : options_.components) {
      std::string url = fmt::format("{}/dists/{}/{}/source/Sources.xz", options_.mirror, suite, component);
      try {
        index::FetchResult fetched = index::http_get(url, options_.http);
        if (!fetched.warning.empty() && log) log("debian archive: " + fetched.warning);
        for (auto& file : parse_sources_index(decompress_xz(fetched.body, url), suite, url))
          by_sha256_.try_emplace(file.sha256_hex, std::move(file));  // the first suite wins
        ++read;
        if (log) log(fmt::format("debian archive: read {}", url));
      } catch (const Error& e) {
        failures += fmt::format("\n  {}", e.what());
      }
    }
  }
  if (read == 0) fail("no Debian Sources index could be read:{}", failures);
  if (!failures.empty() && log) log("debian archive: some indexes could not be read:" + failures);
}

std::optional<DebianArchiveFile> DebianArchive::find(const std::string& sha256_hex, const Log& log) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!loaded_) {
    load(log);
    loaded_ = true;
  }
  auto found = by_sha256_.find(sha256_hex);
  if (found == by_sha256_.end()) return std::nullopt;
  return found->second;
}

SourceFallback debian_archive_fallback(std::shared_ptr<DebianArchive> archive, std::optional<SourceFallback> next) {
  SourceFallback fallback;
  fallback.name = next ? "Debian (by checksum, else " + next->name + ")" : "Debian's archive (by checksum)";
  fallback.fetch = [archive = std::move(archive), next = std::move(next)](
                       const FetchRequest& request, const std::vector<Checksum>& expected, const SourceCache& cache,
                       const FetchOptions& options) -> std::filesystem::path {
    std::optional<DebianArchiveFile> file;
    try {
      if (!request.expected_sha256.empty()) file = archive->find(request.expected_sha256, options.log);
    } catch (const Error& e) {
      if (!next) throw;
      if (options.log) options.log(std::string("fetch: ") + e.what());  // no index could be read: try the next
    }
    if (!file) {
      if (next) return next->fetch(request, expected, cache, options);
      throw SourceError(SourceErrorKind::not_found,
                        request.expected_sha256.empty()
                            ? "Debian's Sources indexes list sha256 only, and the recipe gives none"
                            : "no Debian suite lists a file with sha256 " + request.expected_sha256);
    }
    if (options.log)
      options.log(fmt::format("fetch: found in Debian {} ({} {}): {}", file->suite, file->package, file->version,
                              file->path));
    FetchRequest from_archive = request;
    from_archive.uri = archive->url(*file);
    FetchOptions without_fallback = options;
    without_fallback.fallback.reset();
    return fetch_to_cache(from_archive, without_fallback).file;
  };
  return fallback;
}

}  // namespace lupine::builder
