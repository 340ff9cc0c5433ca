#include "test_packages.h"

#include "common/fs.h"

#include <fstream>

namespace lupine::index::test {

const RsaPrivateKey& test_key() {
  static const RsaPrivateKey key = RsaPrivateKey::generate(2048);
  return key;
}

const RsaPrivateKey& other_test_key() {
  static const RsaPrivateKey key = RsaPrivateKey::generate(2048);
  return key;
}

std::filesystem::path write_key_pair(const std::filesystem::path& dir, const std::string& name,
                                     const RsaPrivateKey& key) {
  std::filesystem::create_directories(dir);
  auto private_path = dir / (name + ".rsa");
  write_file_atomic(private_path, key.to_pem(), 0600);
  write_file_atomic(dir / (name + ".rsa.pub"), key.public_pem(), 0644);
  return private_path;
}

apk::PackageSigner signer_for(const std::string& name, const RsaPrivateKey& key) {
  apk::PackageSigner signer;
  signer.key = &key;
  signer.key_name = name + ".rsa.pub";
  signer.hash = HashAlgorithm::sha256;
  return signer;
}

std::filesystem::path make_package(const std::filesystem::path& dir, const PackageSpec& spec) {
  TempDir tree("lupine-test-tree");
  std::filesystem::create_directories(tree.path() / "usr/share" / spec.name);
  std::ofstream(tree.path() / "usr/share" / spec.name / "file") << spec.content;
  apk::PackOptions options;
  options.info.pkgname = spec.name;
  options.info.pkgver = spec.version;
  options.info.arch = spec.arch;
  options.info.pkgdesc = "test package " + spec.name;
  options.info.license = "MIT";
  options.info.origin = spec.name;
  options.info.depends = spec.depends;
  options.info.provides = spec.provides;
  options.info.replaces = spec.replaces;
  options.mtime = 1700000000;
  options.threads = 1;
  if (spec.sign) options.signer = signer_for("test");
  std::filesystem::create_directories(dir);
  auto output = dir / (spec.name + "-" + spec.version + ".apk");
  apk::pack_directory(tree.path(), options, output);
  return output;
}

apk::Keyring test_keyring(const std::filesystem::path& dir) {
  write_key_pair(dir, "test");
  apk::Keyring keyring;
  keyring.add(dir / "test.rsa.pub");
  return keyring;
}

}  // namespace lupine::index::test
