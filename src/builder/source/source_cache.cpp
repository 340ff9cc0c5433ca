#include "builder/source/source_cache.h"

#include "common/encoding.h"
#include "common/error.h"
#include "common/fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <system_error>

namespace fs = std::filesystem;

namespace lupine::builder {

std::string_view Checksum::algorithm_name() const { return algorithm == HashAlgorithm::sha512 ? "sha512" : "sha256"; }

std::string Checksum::key() const { return std::string(algorithm_name()) + ":" + hex; }

Checksum make_checksum(HashAlgorithm algorithm, std::string_view hex, std::string_view what) {
  if (algorithm != HashAlgorithm::sha256 && algorithm != HashAlgorithm::sha512)
    fail("{}: only sha256 and sha512 checksums are supported", what);
  size_t digits = algorithm == HashAlgorithm::sha256 ? 64 : 128;
  Checksum checksum{algorithm, {}};
  for (char c : hex) {
    if (!std::isxdigit(static_cast<unsigned char>(c)))
      fail("{}: expected-{} must be {} hex digits, got '{}'", what, checksum.algorithm_name(), digits, hex);
    checksum.hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (checksum.hex.size() != digits)
    fail("{}: expected-{} must be {} hex digits, got {} ('{}')", what, checksum.algorithm_name(), digits, hex.size(), hex);
  return checksum;
}

std::string file_digest_hex(HashAlgorithm algorithm, const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail_errno("cannot open " + path.string());
  Hasher hasher(algorithm);
  std::string buffer(1 << 16, '\0');
  for (;;) {
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int saved = errno;
      ::close(fd);
      errno = saved;
      fail_errno("cannot read " + path.string());
    }
    if (n == 0) break;
    hasher.update(buffer.data(), static_cast<size_t>(n));
  }
  ::close(fd);
  return hex_encode(hasher.finish());
}

SourceCache::SourceCache(fs::path dir) : dir_(std::move(dir)) {
  std::error_code error;
  fs::create_directories(dir_, error);
  if (error) fail("cannot create the cache directory {}: {}", dir_.string(), error.message());
}

fs::path SourceCache::entry_path(const Checksum& checksum) const { return dir_ / checksum.key(); }

std::optional<fs::path> SourceCache::lookup(const Checksum& checksum) const {
  fs::path path = entry_path(checksum);
  std::error_code error;
  if (!fs::is_regular_file(path, error)) return std::nullopt;
  if (file_digest_hex(checksum.algorithm, path) != checksum.hex) {
    fs::remove(path, error);  // damaged: fetched again
    return std::nullopt;
  }
  return path;
}

fs::path SourceCache::insert(const fs::path& verified, const Checksum& checksum) const {
  fs::path path = entry_path(checksum);
  ::chmod(verified.c_str(), 0644);
  if (::rename(verified.c_str(), path.c_str()) != 0) fail_errno("cannot move " + verified.string() + " into the cache");
  return path;
}

fs::path SourceCache::git_mirror_path(std::string_view repository) const {
  // A readable tail of the URL (host/path characters only) and a hash that makes it unique.
  std::string readable;
  std::string_view rest = repository;
  if (auto scheme = rest.find("://"); scheme != std::string_view::npos) rest.remove_prefix(scheme + 3);
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.size() > 4 && rest.substr(rest.size() - 4) == ".git") rest.remove_suffix(4);
  for (char c : rest) {
    bool plain = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
    readable += plain ? c : '_';
  }
  if (readable.size() > 80) readable = readable.substr(readable.size() - 80);
  return dir_ / "git" / (readable + "-" + sha256_hex(repository).substr(0, 16) + ".git");
}

void SourceCache::set_origin(const Checksum& checksum, const std::string& origin) const {
  fs::create_directories(dir_ / "origins");
  write_file_atomic(dir_ / "origins" / checksum.key(), origin + "\n");
}

std::string SourceCache::origin(const Checksum& checksum) const {
  fs::path path = dir_ / "origins" / checksum.key();
  std::error_code error;
  if (!fs::is_regular_file(path, error)) return "";
  std::string text = read_file(path);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

}  // namespace lupine::builder
