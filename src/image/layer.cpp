#include "image/layer.h"

#include "apk/gzip.h"
#include "apk/tar.h"
#include "common/encoding.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/process.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <thread>
#include <vector>

namespace lupine::image {
namespace {

bool image_xattr(std::string_view name) {
  return name.starts_with("user.") || name.starts_with("trusted.") || name == "security.capability";
}

class LayerWriter {
 public:
  LayerWriter(const LayerOptions& options, AtomicFile& file)
      : options_(options),
        file_(file),
        gzip_([this](std::string_view bytes) { compressed(bytes); }, options.level,
              options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency())) {}

  void walk(const std::filesystem::path& dir, const std::string& relative) {
    std::vector<std::string> names;
    DIR* handle = ::opendir(dir.c_str());
    if (!handle) fail_errno("cannot read " + dir.string());
    while (dirent* entry = ::readdir(handle)) {
      std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    ::closedir(handle);
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      throw_if_interrupted();  // an image build holds an InterruptGuard: stop between entries
      std::filesystem::path path = dir / name;
      std::string rel = relative.empty() ? name : relative + "/" + name;
      if (options_.only && !options_.only->count(rel)) continue;
      if (add(path, rel)) walk(path, rel);
    }
  }

  LayerBlob finish() {
    tar(apk::tar_end_of_archive());
    gzip_.finish();
    LayerBlob blob;
    blob.diff_id = "sha256:" + hex_encode(tar_hash_.finish());
    blob.digest = "sha256:" + hex_encode(gzip_hash_.finish());
    blob.size = compressed_size_;
    blob.entries = entries_;
    return blob;
  }

 private:
  // Adds one entry; true when it is a directory to descend into.
  bool add(const std::filesystem::path& path, const std::string& relative) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) fail_errno("cannot stat " + path.string());
    apk::TarEntry entry;
    entry.path = relative;
    entry.mtime = options_.mtime;
    entry.mode = st.st_mode & 07777;
    if (auto it = options_.owners->find(relative); it != options_.owners->end()) {
      entry.uid = it->second.uid;
      entry.gid = it->second.gid;
      entry.mode = it->second.mode & 07777;
    }
    if (auto it = options_.user_names.find(entry.uid); it != options_.user_names.end()) entry.uname = it->second;
    if (auto it = options_.group_names.find(entry.gid); it != options_.group_names.end()) entry.gname = it->second;

    bool descend = false;
    std::string link_data;
    if (S_ISDIR(st.st_mode)) {
      entry.type = apk::TarType::directory;
      entry.xattrs = read_xattrs(path, image_xattr);
      descend = true;
    } else if (S_ISLNK(st.st_mode)) {
      entry.type = apk::TarType::symlink;
      std::error_code error;
      entry.link_target = std::filesystem::read_symlink(path, error).string();
      if (error) fail("cannot read symlink {}: {}", path.string(), error.message());
      entry.mode = 0777;
    } else if (S_ISREG(st.st_mode)) {
      auto key = std::make_pair(static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino));
      if (st.st_nlink > 1) {
        auto [it, inserted] = inodes_.try_emplace(key, relative);
        if (!inserted) {
          entry.type = apk::TarType::hardlink;
          entry.link_target = it->second;
        }
      }
      if (entry.type == apk::TarType::regular) {
        entry.size = static_cast<uint64_t>(st.st_size);
        entry.xattrs = read_xattrs(path, image_xattr);
      }
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
      entry.type = S_ISCHR(st.st_mode) ? apk::TarType::chardev : apk::TarType::blockdev;
      entry.devmajor = major(st.st_rdev);
      entry.devminor = minor(st.st_rdev);
    } else if (S_ISFIFO(st.st_mode)) {
      entry.type = apk::TarType::fifo;
    } else {
      return false;  // sockets are not archive content
    }
    tar(apk::tar_header(entry));
    ++entries_;
    if (entry.type == apk::TarType::regular) copy(path, entry.size);
    return descend;
  }

  void copy(const std::filesystem::path& path, uint64_t size) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) fail_errno("cannot open " + path.string());
    uint64_t left = size;
    while (left > 0) {
      ssize_t got = ::read(fd, buffer_.data(), std::min<uint64_t>(buffer_.size(), left));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        ::close(fd);
        fail("{} changed while the layer was written", path.string());
      }
      tar(std::string_view(buffer_.data(), static_cast<size_t>(got)));
      left -= static_cast<uint64_t>(got);
    }
    ::close(fd);
    tar(apk::tar_padding(size));
  }

  void tar(std::string_view bytes) {
    tar_hash_.update(bytes);
    gzip_.write(bytes);
  }

  void compressed(std::string_view bytes) {
    gzip_hash_.update(bytes);
    compressed_size_ += bytes.size();
    file_.write(bytes);
  }

  const LayerOptions& options_;
  AtomicFile& file_;
  Hasher tar_hash_{HashAlgorithm::sha256};
  Hasher gzip_hash_{HashAlgorithm::sha256};
  apk::GzipMemberWriter gzip_;
  uint64_t compressed_size_ = 0;
  uint64_t entries_ = 0;
  std::map<std::pair<uint64_t, uint64_t>, std::string> inodes_;
  std::vector<char> buffer_ = std::vector<char>(1 << 20);
};

}  // namespace

LayerBlob write_layer(const std::filesystem::path& root, const LayerOptions& options, const std::filesystem::path& output) {
  static const OwnerMap no_owners;
  LayerOptions resolved = options;
  if (!resolved.owners) resolved.owners = &no_owners;
  AtomicFile file(output, 0644);
  LayerWriter writer(resolved, file);
  writer.walk(root, "");
  LayerBlob blob = writer.finish();
  file.commit();
  return blob;
}

std::map<uint32_t, std::string> names_by_id(std::string_view text) {
  std::map<uint32_t, std::string> names;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    size_t first = line.find(':');
    size_t second = first == std::string_view::npos ? first : line.find(':', first + 1);
    size_t third = second == std::string_view::npos ? second : line.find(':', second + 1);
    if (third == std::string_view::npos) continue;
    uint32_t id = 0;
    std::string_view digits = line.substr(second + 1, third - second - 1);
    auto [ptr, error] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (error != std::errc() || ptr != digits.data() + digits.size()) continue;
    names.try_emplace(id, std::string(line.substr(0, first)));
  }
  return names;
}

}  // namespace lupine::image
