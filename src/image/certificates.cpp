#include "image/certificates.h"

#include "common/error.h"
#include "index/root_fs.h"

#include <sys/stat.h>

#include <array>

namespace lupine::image {

namespace {
constexpr const char* kCertificateDir = "usr/local/share/ca-certificates";
constexpr std::array<const char*, 2> kBundles = {"etc/ssl/certs/ca-certificates.crt",
                                                 "var/lib/ecs/deps/execute-command/certs/tls-ca-bundle.pem"};

// `relative`, or what it links to when it is a symlink (one level, resolved in the root).
std::string follow_in_root(const index::RootDir& dir, const std::string& relative) {
  auto stat = dir.lstat(relative);
  if (!stat || stat->type != S_IFLNK) return relative;
  std::error_code error;
  std::filesystem::path target = std::filesystem::read_symlink(dir.path() / relative, error);
  if (error) fail("cannot read the symlink {}: {}", dir.display(relative), error.message());
  std::filesystem::path resolved = target.is_absolute() ? target.relative_path()
                                                        : std::filesystem::path(relative).parent_path() / target;
  resolved = resolved.lexically_normal();
  if (resolved.empty() || *resolved.begin() == "..")
    fail("certificates: {} links outside the image root ({})", dir.display(relative), target.string());
  return resolved.string();
}
}  // namespace

void install_certificates(const ImageConfig& config, const std::filesystem::path& root) {
  if (config.certificates.empty()) return;
  index::RootDir dir(root);
  std::string appended;
  dir.make_dirs(kCertificateDir, 0755);
  for (const auto& entry : config.certificates) {
    const PemCertificate& certificate = entry.certificate;
    std::string file = std::string(kCertificateDir) + "/" + entry.name + "-" + certificate.sha256_hex + ".crt";
    dir.write_file_atomic(file, certificate.pem, 0644);
    appended += certificate.pem + "\n";
  }
  for (const char* bundle_path : kBundles) {
    std::string bundle = follow_in_root(dir, bundle_path);
    auto stat = dir.lstat(bundle);
    if (!stat) continue;
    if (stat->type != S_IFREG) fail("certificates: {} is not a regular file", dir.display(bundle));
    dir.write_file_atomic(bundle, dir.read_file(bundle).value_or("") + appended, stat->mode);
  }
}

}  // namespace lupine::image
