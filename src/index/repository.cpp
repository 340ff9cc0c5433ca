#include "index/repository.h"

#include "apk/package.h"
#include "common/encoding.h"
#include "common/error.h"
#include "common/words.h"
#include "common/fs.h"
#include "common/hash.h"
#include "index/index_archive.h"

#include <cerrno>
#include <cstring>
#include <optional>

namespace lupine::index {

namespace {

std::vector<std::string_view> split_words(std::string_view line) { return lupine::split_words(line, " \t\r"); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// file:///abs/path or file://localhost/abs/path → /abs/path (percent-escapes decoded).
std::string file_url_path(std::string_view url) {
  std::string_view rest = url.substr(std::strlen("file://"));
  if (rest.starts_with("localhost/")) rest.remove_prefix(std::strlen("localhost"));
  if (!rest.starts_with('/')) fail("repository '{}': a file:// URL needs an absolute path (file:///dir)", url);
  std::string path;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%' && i + 2 < rest.size() && hex_value(rest[i + 1]) >= 0 && hex_value(rest[i + 2]) >= 0) {
      path.push_back(static_cast<char>(hex_value(rest[i + 1]) * 16 + hex_value(rest[i + 2])));
      i += 2;
    } else {
      path.push_back(rest[i]);
    }
  }
  return path;
}

// Reads one resource of a repository: a local file, or HTTP through the cache.
FetchResult fetch_location(const Repository& repository, const std::string& location, const FetchOptions& options) {
  if (repository.kind() == Repository::Kind::http) return http_get(location, options);
  std::error_code error;
  if (!std::filesystem::exists(location, error))
    throw FetchError(FetchErrorKind::not_found, 0, location + ": not found");
  FetchResult result;
  result.source = FetchSource::local;
  result.body = read_file(location);
  return result;
}

}  // namespace

Repository Repository::parse(std::string_view line) {
  auto words = split_words(line);
  if (!words.empty() && words.front() == "v2") words.erase(words.begin());
  if (words.empty()) fail("repository line '{}': no location", line);
  if (words.front() == "v3" || words.front() == "ndx")
    fail("repository line '{}': the {} repository format is not supported (only v2 APKINDEX.tar.gz)", line,
         words.front());
  Repository repository;
  if (words.front().starts_with('@')) {
    repository.tag_ = words.front().substr(1);
    if (repository.tag_.empty()) fail("repository line '{}': empty tag after '@'", line);
    words.erase(words.begin());
    if (words.empty()) fail("repository line '{}': tag @{} without a location", line, repository.tag_);
  }
  if (words.size() > 1)
    fail("repository line '{}': unexpected '{}' after the location (components are not supported)", line, words[1]);
  std::string location(words.front());
  while (location.size() > 1 && location.back() == '/') location.pop_back();
  repository.location_ = location;
  if (location.starts_with("http://") || location.starts_with("https://")) {
    repository.kind_ = Kind::http;
    repository.base_ = location;
  } else if (location.starts_with("file://")) {
    repository.kind_ = Kind::local;
    repository.base_ = file_url_path(location);
  } else if (size_t scheme = location.find("://"); scheme != std::string::npos) {
    fail("repository '{}': unsupported URL scheme '{}' (use http, https, file or a directory)", location,
         location.substr(0, scheme));
  } else {
    repository.kind_ = Kind::local;
    repository.base_ = location;
  }
  return repository;
}

std::vector<Repository> Repository::parse_list(std::string_view text, const std::string& origin) {
  std::vector<Repository> repositories;
  size_t line_number = 0;
  while (!text.empty()) {
    size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    ++line_number;
    if (size_t hash = line.find('#'); hash != std::string_view::npos && split_words(line.substr(0, hash)).empty())
      continue;
    if (split_words(line).empty()) continue;
    try {
      repositories.push_back(parse(line));
    } catch (const Error& e) {
      fail("{}:{}: {}", origin, line_number, e.what());
    }
  }
  return repositories;
}

std::string Repository::join(std::string_view arch, std::string_view file) const {
  if (arch.empty() || arch.find('/') != std::string_view::npos || arch == "." || arch == "..")
    fail("repository {}: invalid architecture '{}'", location_, arch);
  std::string out = base_;
  if (!out.ends_with('/')) out += '/';
  out += arch;
  out += '/';
  out += file;
  return out;
}

std::string Repository::index_location(std::string_view arch) const { return join(arch, "APKINDEX.tar.gz"); }

std::string Repository::package_location(std::string_view arch, const IndexRecord& record) const {
  // Names and versions come from a signed index, but a path must still never leave the repository.
  std::string file = record.name + "-" + record.version + ".apk";
  if (file.find('/') != std::string::npos || record.name.empty() || record.name.starts_with('.'))
    fail("repository {}: package name '{}' cannot be a file name", location_, record.name);
  return join(arch, file);
}

std::string Repository::to_line() const { return tag_.empty() ? location_ : "@" + tag_ + " " + location_; }

LoadedIndex load_index(const Repository& repository, std::string_view arch, const apk::Keyring& keyring,
                       bool allow_untrusted, const FetchOptions& options) {
  std::string location = repository.index_location(arch);
  FetchResult fetched = fetch_location(repository, location, options);
  IndexArchive archive = parse_index_archive(fetched.body, location);
  LoadedIndex loaded;
  loaded.signature = verify_index_signature(archive, keyring, allow_untrusted);
  loaded.repository = repository;
  loaded.arch = arch;
  loaded.description = std::move(archive.description);
  loaded.records = std::move(archive.records);
  loaded.source = fetched.source;
  loaded.warning = std::move(fetched.warning);
  return loaded;
}

std::string fetch_package(const Repository& repository, std::string_view arch, const IndexRecord& record,
                          const FetchOptions& options) {
  std::string location = repository.package_location(arch, record);
  FetchResult fetched = fetch_location(repository, location, options);
  if (record.file_size && fetched.body.size() != record.file_size)
    fail("{}: {} bytes, but the index says {} (S:); the repository changed or the download is damaged", location,
         fetched.body.size(), record.file_size);
  return std::move(fetched.body);
}

std::optional<std::string> fetch_provenance(const Repository& repository, std::string_view arch,
                                            const IndexRecord& record, const FetchOptions& options) {
  std::string location = repository.package_location(arch, record) + ".intoto.jsonl";
  try {
    return std::move(fetch_location(repository, location, options).body);
  } catch (const FetchError& error) {
    if (error.kind() == FetchErrorKind::not_found) return std::nullopt;
    throw;
  }
}

void check_package_matches(const apk::Package& package, const IndexRecord& record) {
  const apk::PkgInfo& info = package.info();
  if (info.pkgname != record.name || info.pkgver != record.version)
    fail("{}: is {}-{}, but the index lists {}-{}", package.origin(), info.pkgname, info.pkgver, record.name,
         record.version);
  // Compared as digests: indexes may hold non-canonical base64 (reference/apk.md §1.8) or X1 hex.
  std::string actual = sha1(package.control_member());
  std::optional<std::string> listed;
  std::string_view id = record.identity;
  if (id.starts_with("Q1")) listed = base64_decode(id.substr(2));
  else if (id.starts_with("X1")) listed = hex_decode(id.substr(2));
  if (!listed || *listed != actual) {
    std::string identity = package.identity();
    fail("{}: identity {} differs from the index's C:{}; the package is not the one the index vouches for",
         package.origin(), identity, record.identity);
  }
}

}  // namespace lupine::index
