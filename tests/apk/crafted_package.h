// Builds packages entry by entry for tests, including malformed ones the writer never makes.
#pragma once

#include "apk/pkginfo.h"
#include "apk/tar.h"
#include "common/rsa.h"

#include <string>
#include <vector>

namespace lupine::apk::testing {

struct CraftedEntry {
  TarEntry entry;
  std::string data;
};

CraftedEntry crafted_dir(const std::string& path);
CraftedEntry crafted_file(const std::string& path, const std::string& data, uint32_t mode = 0644);
CraftedEntry crafted_symlink(const std::string& path, const std::string& target);

// The data member: every regular file and symlink gets its SHA-1 record unless it already has one.
std::string crafted_data_member(const std::vector<CraftedEntry>& entries);

// A whole package: signature (when `key`), control (.PKGINFO with datahash) and data members.
std::string crafted_package(PkgInfo info, const std::vector<CraftedEntry>& entries, const RsaPrivateKey* key,
                            const std::string& key_name = "test.rsa.pub");

// A 2048-bit key made once per test binary (key generation is slow).
const RsaPrivateKey& test_key();

}  // namespace lupine::apk::testing
