// Reading an APK v2 package: members, signatures, .PKGINFO, control and data entries
// (reference/apk.md §1). Structure is checked on read; trust and integrity by verify_package.
#pragma once

#include "apk/gzip.h"
#include "apk/keyring.h"
#include "apk/pkginfo.h"
#include "apk/signature.h"
#include "apk/tar.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lupine::apk {

struct PackageReadOptions {
  // false: the data member is taken as the rest of the file after the control member, checked
  // to start like a gzip member but neither inflated nor parsed. Its datahash (SHA-256 of the
  // compressed bytes) and a signature over it still verify; data_entries() is empty, so the
  // per-file checksums are left to whoever extracts the package. What `lupine index` needs
  // (as `apk index`, which reads only the control member).
  bool inflate_data = true;
};

class Package {
 public:
  // Reads and structurally checks a package: gzip members, signature member(s) holding only
  // `.SIGN.*` entries, a control member starting with `.PKGINFO` and without end-of-archive blocks,
  // exactly one data member that ends with them. Each problem is an Error naming `origin`.
  static Package parse(std::string bytes, const std::string& origin, const PackageReadOptions& options = {});
  static Package read(const std::filesystem::path& path, const PackageReadOptions& options = {});

  const std::string& origin() const { return origin_; }
  const std::string& bytes() const { return *bytes_; }
  const PkgInfo& info() const { return info_; }
  const std::vector<Signature>& signatures() const { return signatures_; }
  const std::vector<TarItem>& control_entries() const { return control_entries_; }
  const std::vector<TarItem>& data_entries() const { return data_entries_; }
  size_t member_count() const { return members_.size(); }
  // False when read with inflate_data = false and the package has a data member.
  bool data_inflated() const { return data_inflated_; }

  std::string_view control_member() const { return members_[control_index_].compressed; }
  std::string_view data_member() const;  // empty when the package has no data member
  // The bytes the package signature covers: the control member, or (legacy, no datahash)
  // control and data members.
  std::string_view signed_bytes() const;
  // The index identity: "Q1" + base64(SHA-1 of the control member) (reference/apk.md §1.8).
  std::string identity() const;
  // Scriptlets in the control member (".pre-install" ... ".trigger") with their contents.
  std::vector<std::pair<std::string, std::string_view>> scripts() const;
  // A file of the control member by name (".melange.yaml"), nullopt when the package has none.
  std::optional<std::string_view> control_file(std::string_view name) const;

 private:
  std::string origin_;
  std::unique_ptr<std::string> bytes_;
  std::vector<GzipMember> members_;
  std::vector<Signature> signatures_;
  size_t control_index_ = 0;
  std::optional<size_t> data_index_;
  PkgInfo info_;
  std::vector<TarItem> control_entries_;
  std::vector<TarItem> data_entries_;
  bool data_inflated_ = true;
};

struct VerifyOptions {
  bool allow_untrusted = false;  // unsigned or unknown-key packages pass (integrity still checked)
};

struct VerifyReport {
  SignatureCheck signature;
  size_t files_checked = 0;
};

// Checks what a package claims: its signature against `keyring`, datahash against the data
// member, each file's APK-TOOLS.checksum.SHA1 against its contents, and that every entry name is
// a safe relative path. Throws an Error with a distinct message for each kind of failure.
// For a package whose data was not inflated (PackageReadOptions) only the first two are checked.
VerifyReport verify_package(const Package& package, const Keyring& keyring, const VerifyOptions& options);

bool is_script_name(std::string_view name);

}  // namespace lupine::apk
