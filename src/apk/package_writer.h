// Writing an APK v2 package from a directory tree: data member (tar with per-file SHA-1 records,
// one gzip member, compressed in parallel), control member (.PKGINFO with size and datahash,
// scriptlets, no end-of-archive), and a signature member over the control member.
#pragma once

#include "apk/pkginfo.h"
#include "common/hash.h"
#include "common/rsa.h"

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace lupine::apk {

struct PackageSigner {
  const RsaPrivateKey* key = nullptr;
  std::string key_name;                        // public key file name, e.g. "melange.rsa.pub"
  HashAlgorithm hash = HashAlgorithm::sha256;  // sha1 only on request (legacy `.SIGN.RSA.`)
};

struct PackOptions {
  PkgInfo info;              // size and datahash are computed here
  int64_t mtime = 0;         // SOURCE_DATE_EPOCH: every timestamp in the package
  int level = 6;             // data member compression level
  unsigned threads = 0;      // compression threads; 0 = one per core
  bool keep_owners = false;  // false: every entry owned by root:root
  std::map<uint32_t, uint32_t> uid_map, gid_map;  // with keep_owners: ids recorded as others (TreeOptions)
  std::vector<std::pair<std::string, std::string>> scripts;  // {".post-install", contents}
  // Other files of the control member, as melange's {".melange.yaml", compiled recipe}: a name
  // starting with '.', no '/', neither .PKGINFO, a scriptlet nor a .SIGN. name. apk-tools ignores them.
  std::vector<std::pair<std::string, std::string>> control_files;
  PackageSigner signer;      // unsigned when key is null
};

struct PackResult {
  PkgInfo info;          // as written, with size and datahash
  std::string identity;  // Q1… of the control member
  uint64_t file_size = 0;
  std::string file_sha256;  // hex, of the whole file as written
  uint64_t data_bytes = 0;  // uncompressed tar size of the data member
};

// Packs `root` into `output` atomically (temp file + rename): the same tree, options and
// SOURCE_DATE_EPOCH give the same bytes.
PackResult pack_directory(const std::filesystem::path& root, const PackOptions& options,
                          const std::filesystem::path& output);

// The control member as one gzip member: .PKGINFO first, then the control files and scripts in
// bytewise name order (melange's: .PKGINFO, .melange.yaml, .post-install, ...; files 0644, scripts
// 0755), no end-of-archive blocks.
std::string make_control_member(const PkgInfo& info, const std::vector<std::pair<std::string, std::string>>& scripts,
                                int64_t mtime,
                                const std::vector<std::pair<std::string, std::string>>& control_files = {});

// Replaces a package's signature member(s) with one made by `signer` and writes the result
// atomically to `output` (which may be the input).
void resign_package(const std::filesystem::path& input, const PackageSigner& signer, int64_t mtime,
                    const std::filesystem::path& output);

}  // namespace lupine::apk
