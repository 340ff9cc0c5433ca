// Throwaway keys and small packages made at run time for the index tests.
#pragma once

#include "apk/keyring.h"
#include "apk/package_writer.h"
#include "common/rsa.h"

#include <filesystem>
#include <string>
#include <vector>

namespace lupine::index::test {

// A 2048-bit key generated once per test binary (generation is the slow part).
const RsaPrivateKey& test_key();
const RsaPrivateKey& other_test_key();

// Writes `<dir>/<name>.rsa` and `<dir>/<name>.rsa.pub` for `key`; returns the private key path.
std::filesystem::path write_key_pair(const std::filesystem::path& dir, const std::string& name,
                                     const RsaPrivateKey& key = test_key());

// Signs as `<name>.rsa.pub` with SHA-256, as `lupine index --signing-key <name>.rsa` does.
apk::PackageSigner signer_for(const std::string& name, const RsaPrivateKey& key = test_key());

struct PackageSpec {
  explicit PackageSpec(std::string package_name) : name(std::move(package_name)) {}
  PackageSpec& with_content(std::string text) { content = std::move(text); return *this; }
  PackageSpec& with_arch(std::string value) { arch = std::move(value); return *this; }
  PackageSpec& with_version(std::string value) { version = std::move(value); return *this; }
  PackageSpec& unsigned_() { sign = false; return *this; }

  std::string name;
  std::string version = "1.0-r0";
  std::string arch = "x86_64";
  std::string content = "hello\n";  // of usr/share/<name>/file
  std::vector<std::string> depends;
  std::vector<std::string> provides;
  std::vector<std::string> replaces;
  bool sign = true;  // with test_key() as "test.rsa.pub"
};

// Packs `spec` into `<dir>/<name>-<version>.apk` (SOURCE_DATE_EPOCH-style fixed mtime) and returns the path.
std::filesystem::path make_package(const std::filesystem::path& dir, const PackageSpec& spec);

// A keyring trusting test_key() as "test.rsa.pub" (its files live in `dir`).
apk::Keyring test_keyring(const std::filesystem::path& dir);

}  // namespace lupine::index::test
