#include "crafted_package.h"

#include "apk/gzip.h"
#include "apk/package_writer.h"
#include "apk/signature.h"
#include "common/hash.h"

namespace lupine::apk::testing {

CraftedEntry crafted_dir(const std::string& path) {
  CraftedEntry item;
  item.entry.path = path;
  item.entry.type = TarType::directory;
  item.entry.mode = 0755;
  return item;
}

CraftedEntry crafted_file(const std::string& path, const std::string& data, uint32_t mode) {
  CraftedEntry item;
  item.entry.path = path;
  item.entry.mode = mode;
  item.entry.size = data.size();
  item.data = data;
  return item;
}

CraftedEntry crafted_symlink(const std::string& path, const std::string& target) {
  CraftedEntry item;
  item.entry.path = path;
  item.entry.type = TarType::symlink;
  item.entry.mode = 0777;
  item.entry.link_target = target;
  return item;
}

std::string crafted_data_member(const std::vector<CraftedEntry>& entries) {
  std::string tar;
  for (const auto& item : entries) {
    TarEntry entry = item.entry;
    if (entry.checksum_sha1.empty() && entry.type == TarType::regular) entry.checksum_sha1 = sha1_hex(item.data);
    if (entry.checksum_sha1.empty() && entry.type == TarType::symlink)
      entry.checksum_sha1 = sha1_hex(entry.link_target);
    tar += tar_header(entry);
    tar += item.data;
    tar += tar_padding(item.data.size());
  }
  tar += tar_end_of_archive();
  return gzip_member(tar, 6);
}

std::string crafted_package(PkgInfo info, const std::vector<CraftedEntry>& entries, const RsaPrivateKey* key,
                            const std::string& key_name) {
  std::string data = crafted_data_member(entries);
  info.datahash = sha256_hex(data);
  if (info.arch.empty()) info.arch = "noarch";
  std::string control = make_control_member(info, {}, 0);
  std::string signature = key ? make_signature_member(*key, key_name, HashAlgorithm::sha256, control, 0) : "";
  return signature + control + data;
}

const RsaPrivateKey& test_key() {
  static const RsaPrivateKey key = RsaPrivateKey::generate(2048);
  return key;
}

}  // namespace lupine::apk::testing
