#include "apk/package_writer.h"

#include "apk/gzip.h"
#include "apk/package.h"
#include "apk/signature.h"
#include "apk/tar.h"
#include "apk/tree.h"
#include "common/encoding.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/hash.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

namespace lupine::apk {

namespace {

// A read-only view of a file's contents, mapped when large.
class FileContents {
 public:
  FileContents(const std::filesystem::path& path, uint64_t expected_size) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) fail_errno(fmt::format("cannot open {}", path.string()));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || static_cast<uint64_t>(st.st_size) != expected_size) {
      ::close(fd);
      fail("{} changed while being packed", path.string());
    }
    size_ = expected_size;
    if (size_ >= (64u << 10)) {
      void* mapped = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (mapped == MAP_FAILED) {
        ::close(fd);
        fail_errno(fmt::format("cannot map {}", path.string()));
      }
      ::madvise(mapped, size_, MADV_SEQUENTIAL | MADV_WILLNEED);
      mapped_ = mapped;
      ::close(fd);
    } else {
      ::close(fd);
      buffer_ = read_file(path);
      if (buffer_.size() != size_) fail("{} changed while being packed", path.string());
    }
  }
  ~FileContents() {
    if (mapped_) ::munmap(mapped_, size_);
  }
  std::string_view view() const {
    return mapped_ ? std::string_view(static_cast<const char*>(mapped_), size_) : std::string_view(buffer_);
  }

 private:
  void* mapped_ = nullptr;
  uint64_t size_ = 0;
  std::string buffer_;
};

unsigned default_threads(unsigned requested) {
  if (requested) return requested;
  unsigned cores = std::thread::hardware_concurrency();
  return cores ? cores : 1;
}

std::string assemble(std::string_view signature, std::string_view control, std::string_view data) {
  std::string out;
  out.reserve(signature.size() + control.size() + data.size());
  out.append(signature).append(control).append(data);
  return out;
}

}  // namespace

std::string make_control_member(const PkgInfo& info,
                                const std::vector<std::pair<std::string, std::string>>& scripts, int64_t mtime,
                                const std::vector<std::pair<std::string, std::string>>& control_files) {
  struct Member {
    std::string_view name, contents;
    uint32_t mode;
  };
  std::vector<Member> members;
  for (const auto& [name, contents] : scripts) {
    if (!is_script_name(name)) fail("'{}' is not a scriptlet name (.pre-install, .post-install, ...)", name);
    members.push_back({name, contents, 0755});
  }
  for (const auto& [name, contents] : control_files) {
    if (name.size() < 2 || name[0] != '.' || name.find('/') != std::string::npos || name == ".PKGINFO" ||
        is_script_name(name) || name.rfind(".SIGN.", 0) == 0)
      fail("'{}' cannot be a control file: expected a name starting with '.' that is not .PKGINFO, a scriptlet "
           "or a signature (e.g. .melange.yaml)", name);
    members.push_back({name, contents, 0644});
  }
  std::sort(members.begin(), members.end(), [](const Member& a, const Member& b) { return a.name < b.name; });
  for (size_t i = 1; i < members.size(); ++i)
    if (members[i].name == members[i - 1].name) fail("the control member would hold {} twice", members[i].name);

  std::string tar;
  auto add = [&tar, mtime](std::string_view name, std::string_view contents, uint32_t mode) {
    TarEntry entry;
    entry.path = std::string(name);
    entry.mode = mode;
    entry.mtime = mtime;
    entry.size = contents.size();
    tar += tar_header(entry);
    tar += contents;
    tar += tar_padding(contents.size());
  };
  add(".PKGINFO", format_pkginfo(info), 0644);
  for (const Member& member : members) add(member.name, member.contents, member.mode);
  // No end-of-archive blocks: the data member continues this tar stream.
  return gzip_member(tar, 9);
}

PackResult pack_directory(const std::filesystem::path& root, const PackOptions& options,
                          const std::filesystem::path& output) {
  if (options.info.pkgname.empty()) fail("a package needs a name");
  if (options.info.pkgver.empty()) fail("package {} needs a version", options.info.pkgname);
  if (options.info.arch.empty()) fail("package {} needs an arch", options.info.pkgname);

  TreeOptions tree_options;
  tree_options.mtime = options.mtime;
  tree_options.keep_owners = options.keep_owners;
  tree_options.uid_map = options.uid_map;
  tree_options.gid_map = options.gid_map;
  std::vector<TreeEntry> entries = scan_tree(root, tree_options);

  PackResult result;
  result.info = options.info;
  if (!result.info.builddate) result.info.builddate = options.mtime;
  std::string data_member;
  Hasher data_hash(HashAlgorithm::sha256);
  uint64_t installed_size = 0;
  {
    GzipMemberWriter writer(
        [&](std::string_view bytes) {
          data_member.append(bytes);
          data_hash.update(bytes);
        },
        options.level, default_threads(options.threads));
    for (auto& item : entries) {
      TarEntry& entry = item.entry;
      if (entry.type == TarType::regular) {
        FileContents contents(item.source, entry.size);
        entry.checksum_sha1 = sha1_hex(contents.view());
        std::string header = tar_header(entry);
        writer.write(header);
        writer.write(contents.view());
        writer.write(tar_padding(entry.size));
        result.data_bytes += header.size() + entry.size + tar_padding(entry.size).size();
        installed_size += entry.size;
      } else {
        if (entry.type == TarType::symlink) entry.checksum_sha1 = sha1_hex(entry.link_target);
        std::string header = tar_header(entry);
        writer.write(header);
        result.data_bytes += header.size();
      }
    }
    writer.write(tar_end_of_archive());
    result.data_bytes += tar_end_of_archive().size();
    writer.finish();
  }

  // apk-tools 2 treats size 0 as a virtual package: a package with files or scripts is at least 1.
  if (installed_size == 0 && (!entries.empty() || !options.scripts.empty())) installed_size = 1;
  result.info.size = installed_size;
  result.info.datahash = hex_encode(data_hash.finish());

  std::string control = make_control_member(result.info, options.scripts, options.mtime, options.control_files);
  std::string signature;
  if (options.signer.key)
    signature = make_signature_member(*options.signer.key, options.signer.key_name, options.signer.hash, control,
                                      options.mtime);
  result.identity = "Q1" + base64_encode(sha1(control));
  result.file_size = signature.size() + control.size() + data_member.size();
  Hasher file_hash(HashAlgorithm::sha256);
  for (const std::string* member : {&signature, &control, &data_member}) file_hash.update(*member);
  result.file_sha256 = hex_encode(file_hash.finish());

  AtomicFile file(output);
  file.write(signature);
  file.write(control);
  file.write(data_member);
  file.commit();
  return result;
}

void resign_package(const std::filesystem::path& input, const PackageSigner& signer, int64_t mtime,
                    const std::filesystem::path& output) {
  if (!signer.key) fail("no signing key given");
  Package package = Package::read(input);
  if (package.info().datahash.empty())
    fail("{}: no datahash in .PKGINFO; a legacy package's signature would have to cover the data too",
         input.string());
  std::string signature =
      make_signature_member(*signer.key, signer.key_name, signer.hash, package.control_member(), mtime);
  write_file_atomic(output, assemble(signature, package.control_member(), package.data_member()));
}

}  // namespace lupine::apk
