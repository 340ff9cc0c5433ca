#include "apk/package.h"

#include "common/encoding.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/path.h"

#include <array>

namespace lupine::apk {

namespace {
constexpr std::array<std::string_view, 7> kScriptNames = {
    ".pre-install", ".post-install", ".pre-deinstall", ".post-deinstall",
    ".pre-upgrade", ".post-upgrade", ".trigger"};

}  // namespace

bool is_script_name(std::string_view name) {
  for (auto script : kScriptNames)
    if (name == script) return true;
  return false;
}

Package Package::read(const std::filesystem::path& path, const PackageReadOptions& options) {
  return parse(read_file(path), path.string(), options);
}

namespace {

bool is_signature_tar(const ParsedTar& tar) {
  return !tar.items.empty() && tar.items.front().entry.path.starts_with(".SIGN.");
}

std::string member_origin(const std::string& origin, size_t number) {
  return fmt::format("{} (gzip member #{})", origin, number);
}

}  // namespace

Package Package::parse(std::string bytes, const std::string& origin, const PackageReadOptions& options) {
  Package package;
  package.origin_ = origin;
  package.bytes_ = std::make_unique<std::string>(std::move(bytes));
  if (package.bytes_->size() < 2 || (*package.bytes_)[0] != '\x1f' || (*package.bytes_)[1] != '\x8b')
    fail("{}: not an APK package (no gzip data at the start)", origin);

  std::vector<ParsedTar> parsed;
  if (options.inflate_data) {
    package.members_ = read_gzip_members(*package.bytes_, origin);
    for (const auto& member : package.members_)
      parsed.push_back(parse_tar(member.content, member_origin(origin, parsed.size() + 1)));
  } else {
    // Inflate up to the control member (the first that is not a signature member); the rest of
    // the file is the data member, kept compressed.
    GzipMemberReader reader(*package.bytes_, origin);
    package.members_.reserve(4);  // parsed items point into the contents: no reallocation wanted
    while (!reader.done()) {
      package.members_.push_back(reader.next());
      parsed.push_back(parse_tar(package.members_.back().content, member_origin(origin, parsed.size() + 1)));
      if (!is_signature_tar(parsed.back())) break;
    }
    if (!reader.done()) {
      const std::string_view data = reader.rest();
      if (data.size() < 2 || data[0] != '\x1f' || data[1] != '\x8b')
        fail("{}: trailing garbage after gzip member #{} at offset {} ({} bytes)", origin, package.members_.size(),
             reader.offset(), data.size());
      GzipMember member;
      member.compressed = data;
      package.members_.push_back(std::move(member));
      parsed.emplace_back();  // stands for the data member's tar, which is not read
      package.data_inflated_ = false;
    }
  }

  // Signature members come first: every member whose entries are all `.SIGN.*` files.
  size_t index = 0;
  for (; index < parsed.size(); ++index) {
    const auto& items = parsed[index].items;
    if (items.empty() || !items.front().entry.path.starts_with(".SIGN.")) break;
    for (const auto& item : items) {
      auto signature = parse_signature_name(item.entry.path);
      if (!signature)
        fail("{}: signature member #{} holds '{}', expected only .SIGN.* entries", origin, index + 1,
             item.entry.path);
      if (parsed[index].end_of_archive)
        fail("{}: signature member #{} ends with end-of-archive blocks, which would hide the rest", origin,
             index + 1);
      signature->blob = std::string(item.data);
      package.signatures_.push_back(std::move(*signature));
    }
  }
  if (index >= parsed.size()) fail("{}: no control member (.PKGINFO) after the signature", origin);
  package.control_index_ = index;
  const auto& control = parsed[index];
  if (control.items.empty() || control.items.front().entry.path != ".PKGINFO")
    fail("{}: control member #{} does not start with .PKGINFO (found '{}')", origin, index + 1,
         control.items.empty() ? std::string("nothing") : control.items.front().entry.path);
  for (const auto& item : control.items) {
    const auto& name = item.entry.path;
    if (name == ".INSTALL") fail("{}: .INSTALL in control is an obsolete APK v1 format", origin);
    if (!name.starts_with('.') || name.find('/') != std::string::npos)
      fail("{}: control member holds '{}', expected only dot files (.PKGINFO, scripts)", origin, name);
    if (item.entry.type != TarType::regular)
      fail("{}: control entry '{}' is not a regular file", origin, name);
  }
  package.control_entries_ = control.items;
  package.info_ = parse_pkginfo(control.items.front().data, origin + ":.PKGINFO");
  if (package.info_.pkgname.empty()) fail("{}: .PKGINFO has no pkgname", origin);
  if (package.info_.pkgver.empty()) fail("{}: .PKGINFO has no pkgver", origin);

  size_t data_members = parsed.size() - index - 1;
  if (data_members > 1)
    fail("{}: {} gzip members after the control member; the data part must be exactly one member", origin,
         data_members);
  if (control.end_of_archive && data_members == 1)
    fail("{}: control member ends with end-of-archive blocks, which would hide the data", origin);
  if (data_members == 1 && !package.data_inflated_) {
    package.data_index_ = index + 1;
  } else if (data_members == 1) {
    package.data_index_ = index + 1;
    const auto& data = parsed[index + 1];
    if (!data.end_of_archive) fail("{}: data member does not end with the tar end-of-archive blocks", origin);
    for (const auto& item : data.items) {
      if (item.entry.path.starts_with(".SIGN.") || item.entry.path == ".PKGINFO")
        fail("{}: data member holds control entry '{}'", origin, item.entry.path);
    }
    package.data_entries_ = data.items;
  } else if (!package.info_.datahash.empty()) {
    fail("{}: .PKGINFO has a datahash but the package has no data member", origin);
  }
  // The parsed items point into members_' contents, which the Package owns.
  return package;
}

std::string_view Package::data_member() const {
  return data_index_ ? members_[*data_index_].compressed : std::string_view();
}

std::string_view Package::signed_bytes() const {
  std::string_view control = control_member();
  if (!info_.datahash.empty() || !data_index_) return control;
  // Legacy packages without datahash: the signature spans control and data (adjacent in the file).
  std::string_view data = data_member();
  return std::string_view(control.data(), static_cast<size_t>(data.data() + data.size() - control.data()));
}

std::string Package::identity() const { return "Q1" + base64_encode(sha1(control_member())); }

std::vector<std::pair<std::string, std::string_view>> Package::scripts() const {
  std::vector<std::pair<std::string, std::string_view>> scripts;
  for (const auto& item : control_entries_)
    if (is_script_name(item.entry.path)) scripts.emplace_back(item.entry.path, item.data);
  return scripts;
}

std::optional<std::string_view> Package::control_file(std::string_view name) const {
  for (const auto& item : control_entries_)
    if (item.entry.path == name) return std::string_view(item.data);
  return std::nullopt;
}

VerifyReport verify_package(const Package& package, const Keyring& keyring, const VerifyOptions& options) {
  const std::string& origin = package.origin();
  VerifyReport report;
  report.signature = check_signatures(package.signatures(), package.signed_bytes(), keyring);
  switch (report.signature.status) {
    case SignatureStatus::verified: break;
    case SignatureStatus::bad:
      fail("{}: BAD signature: the control member does not match the signature by {}", origin,
           report.signature.key_name);
    case SignatureStatus::untrusted:
      if (!options.allow_untrusted)
        fail("{}: untrusted signature: signed by {}, which is not in the keyring", origin,
             report.signature.detail);
      break;
    case SignatureStatus::unsigned_:
      if (!options.allow_untrusted) fail("{}: unsigned package (no .SIGN.* entry)", origin);
      break;
  }

  const PkgInfo& info = package.info();
  if (!info.datahash.empty()) {
    std::string actual = sha256_hex(package.data_member());
    if (actual != info.datahash)
      fail("{}: datahash mismatch: .PKGINFO says {}, the data member hashes to {}", origin, info.datahash,
           actual);
  }
  for (const auto& item : package.data_entries()) {
    const TarEntry& entry = item.entry;
    if (auto reason = unsafe_path_reason(entry.path))
      fail("{}: unsafe entry '{}' in data: {}", origin, entry.path, *reason);
    if (entry.type == TarType::hardlink) {
      if (auto reason = unsafe_path_reason(entry.link_target))
        fail("{}: hard link '{}' points to unsafe '{}': {}", origin, entry.path, entry.link_target, *reason);
      continue;
    }
    bool hashed = entry.type == TarType::regular || entry.type == TarType::symlink;
    if (!hashed) continue;
    std::string_view content = entry.type == TarType::symlink ? std::string_view(entry.link_target) : item.data;
    if (entry.checksum_sha1.empty()) {
      // apk-tools 3 refuses regular files without one (APKE_FORMAT_OBSOLETE); symlinks may lack it.
      if (entry.type == TarType::regular)
        fail("{}: '{}' has no APK-TOOLS.checksum.SHA1 record", origin, entry.path);
      continue;
    }
    std::string actual = sha1_hex(content);
    if (actual != entry.checksum_sha1)
      fail("{}: checksum mismatch for '{}': the header says {}, the contents hash to {}", origin, entry.path,
           entry.checksum_sha1, actual);
    ++report.files_checked;
  }
  return report;
}

}  // namespace lupine::apk
