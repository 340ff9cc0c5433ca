// apko's lock file, version v1 (reference/apko.md §3.2, pkg/lock/lock.go): the config it was
// made for (name + deep checksum), the keyring with each key's content embedded, the
// repositories per arch, and every package of every arch pinned by name, version, URL and C:
// checksum ("Q1<base64 sha1 of the control member>"), in install order. apko also records the
// byte ranges of the signature/control/data members; lupine writes them when it has the
// package bytes and reads them when present, but does not need them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lupine::image {

struct LockedKey {
  std::string name;
  std::string url;
  std::string content;
};

struct LockedRepository {
  std::string name;  // base location + "/" + arch
  std::string url;   // the APKINDEX.tar.gz
  std::string architecture;
};

struct LockedRange {
  std::string range;     // "bytes=0-646"
  std::string checksum;  // "sha1-<b64>" / "sha256-<b64>"
  bool operator==(const LockedRange&) const = default;
};

struct LockedPackage {
  std::string name;
  std::string url;
  std::string version;
  std::string architecture;
  std::optional<LockedRange> signature, control, data;
  std::string checksum;  // C:
  bool operator==(const LockedPackage&) const = default;
};

struct Lock {
  std::string version = "v1";
  std::string config_name;
  std::string config_checksum;
  std::vector<LockedKey> keyring;
  std::vector<LockedRepository> build_repositories;
  std::vector<LockedRepository> runtime_repositories;
  std::vector<LockedRepository> repositories;
  std::vector<LockedPackage> packages;  // all archs, each arch's in install order

  std::vector<LockedPackage> packages_for(std::string_view arch) const;
};

// Pretty JSON (2 spaces) with a trailing newline, as apko writes it.
std::string lock_to_json(const Lock& lock);

// Throws lupine::Error naming `origin` for malformed JSON, a version other than v1, or a package
// without name, version, architecture or checksum.
Lock lock_from_json(std::string_view text, const std::string& origin);

}  // namespace lupine::image
