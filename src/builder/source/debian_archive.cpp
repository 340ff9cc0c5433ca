#include "builder/source/debian_archive.h"

#include "builder/source/deb822.h"
#include "common/error.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <charconv>

namespace lupine::builder {

std::vector<DebianArchiveFile> parse_sources_index(std::string_view text, const std::string& suite,
                                                   const std::string& origin) {
  std::vector<DebianArchiveFile> files;
  for (const Deb822Stanza& stanza : parse_deb822(text)) {
    std::string package = value_of(stanza, "Package"), directory = value_of(stanza, "Directory");
    if (package.empty() || directory.empty())
      fail("{}:{}: a stanza without Package or Directory", origin, stanza.front().line);
    const Deb822Field* checksums = find_field(stanza, "Checksums-Sha256");
    if (!checksums) continue;
    std::string version = value_of(stanza, "Version");
    // Continuation lines " <sha256> <size> <name>", the first on the line after the field's name.
    std::vector<std::string_view> lines = lines_of(checksums->raw);
    for (size_t i = 1; i < lines.size(); ++i) {
      std::vector<std::string> words = split_words(lines[i]);
      uint64_t bytes = 0;
      bool size_ok = false;
      if (words.size() == 3) {
        auto parsed = std::from_chars(words[1].data(), words[1].data() + words[1].size(), bytes);
        size_ok = parsed.ec == std::errc() && parsed.ptr == words[1].data() + words[1].size();
      }
      if (!size_ok || words[0].size() != 64 || words[2].find('/') != std::string::npos)
        fail("{}:{}: expected \"<sha256> <size> <file name>\" in Checksums-Sha256", origin, checksums->line + i);
      files.push_back({suite, package, version, directory + "/" + words[2], words[0], bytes});
    }
  }
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
                       const FetchOptions& options) -> std::string {
    std::optional<DebianArchiveFile> file;
    try {
      if (!request.expected_sha256.empty()) file = archive->find(request.expected_sha256, options.log);
    } catch (const Error& e) {
      if (!next) throw;
      if (options.log) options.log(std::string("fetch: ") + e.what());  // no index could be read: try the next
    }
    if (!file) {
      std::string searched = request.expected_sha256.empty()
                                 ? "Debian's Sources indexes list sha256 only, and the recipe gives none"
                                 : fmt::format("no file with sha256 {} in the Sources indexes of Debian {}",
                                               request.expected_sha256, fmt::join(archive->suites(), ", "));
      if (!next) throw SourceError(SourceErrorKind::not_found, searched);
      try {
        return next->fetch(request, expected, cache, options);
      } catch (const Error& failure) {
        throw SourceError(SourceErrorKind::not_found, fmt::format("{}; {}: {}", searched, next->name, failure.what()));
      }
    }
    if (options.log)
      options.log(fmt::format("fetch: found in Debian {} ({} {}): {}", file->suite, file->package, file->version,
                              file->path));
    FetchRequest from_archive = request;
    from_archive.uri = archive->url(*file);
    FetchOptions without_fallback = options;
    without_fallback.fallback.reset();
    fetch_to_cache(from_archive, without_fallback);
    return fmt::format("Debian {} ({} {}): {}", file->suite, file->package, file->version, file->path);
  };
  return fallback;
}

}  // namespace lupine::builder
