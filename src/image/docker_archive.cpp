#include "image/docker_archive.h"

#include "apk/tar.h"
#include "common/error.h"
#include "common/fs.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>

namespace lupine::image {
namespace {

std::string blob_path(const std::string& digest) {
  if (!digest.starts_with("sha256:")) fail("not a sha256 digest: {}", digest);
  return "blobs/sha256/" + digest.substr(7);
}

}  // namespace

std::string docker_manifest_json(const std::vector<DockerImage>& images) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& image : images) {
    nlohmann::ordered_json entry;
    entry["Config"] = blob_path(image.config_digest);
    entry["RepoTags"] = image.repo_tags;
    nlohmann::ordered_json layers = nlohmann::ordered_json::array();
    for (const auto& layer : image.layer_digests) layers.push_back(blob_path(layer));
    entry["Layers"] = layers;
    out.push_back(entry);
  }
  return out.dump();
}

void write_docker_archive(const std::filesystem::path& layout_dir, const std::vector<DockerImage>& images,
                          int64_t mtime, const std::filesystem::path& output) {
  // Every file of the layout, sorted, plus manifest.json; directories before their contents.
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(layout_dir))
    if (entry.is_regular_file()) files.push_back(std::filesystem::relative(entry.path(), layout_dir).generic_string());
  std::string manifest = docker_manifest_json(images);
  files.push_back("manifest.json");
  std::sort(files.begin(), files.end());

  AtomicFile file(output, 0644);
  auto directory = [&](const std::string& path) {
    apk::TarEntry entry;
    entry.path = path;
    entry.type = apk::TarType::directory;
    entry.mode = 0755;
    entry.mtime = mtime;
    file.write(apk::tar_header(entry));
  };
  directory("blobs");
  directory("blobs/sha256");
  std::vector<char> buffer(1 << 20);
  for (const auto& path : files) {
    bool is_manifest = path == "manifest.json";
    apk::TarEntry entry;
    entry.path = path;
    entry.mode = 0644;
    entry.mtime = mtime;
    entry.size = is_manifest ? manifest.size() : std::filesystem::file_size(layout_dir / path);
    file.write(apk::tar_header(entry));
    if (is_manifest) {
      file.write(manifest);
    } else {
      // Layers can be large: copied in chunks, never held whole.
      std::ifstream in(layout_dir / path, std::ios::binary);
      uint64_t left = entry.size;
      while (left > 0) {
        in.read(buffer.data(), static_cast<std::streamsize>(std::min<uint64_t>(buffer.size(), left)));
        if (in.gcount() <= 0) fail("{} changed while the archive was written", (layout_dir / path).string());
        file.write(std::string_view(buffer.data(), static_cast<size_t>(in.gcount())));
        left -= static_cast<uint64_t>(in.gcount());
      }
    }
    file.write(apk::tar_padding(entry.size));
  }
  file.write(apk::tar_end_of_archive());
  file.commit();
}

}  // namespace lupine::image
