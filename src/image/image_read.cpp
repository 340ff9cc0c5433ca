#include "image/image_read.h"

#include "apk/gzip.h"
#include "apk/tar.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/hash.h"
#include "image/oci_layout.h"
#include "index/installed_db.h"

#include <fmt/format.h>

#include <filesystem>
#include <map>

namespace lupine::image {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json parse_json(const std::string& text, const std::string& what) {
  try {
    return json::parse(text);
  } catch (const json::exception& error) {
    fail("{}: not JSON: {}", what, error.what());
  }
}

// A layer as stored (gzip, or a plain tar in docker archives) → its tar.
std::string layer_tar(const std::string& bytes, const std::string& what) {
  if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f && static_cast<unsigned char>(bytes[1]) == 0x8b) {
    std::string tar;
    for (auto& member : apk::read_gzip_members(bytes, what)) tar += member.content;
    return tar;
  }
  return bytes;
}

class Layout {
 public:
  Layout(fs::path dir, std::string reference) : dir_(std::move(dir)), reference_(std::move(reference)) {}

  // The blob `descriptor` names, checked against its digest and size.
  std::string blob(const json& descriptor) const {
    std::string digest = descriptor.value("digest", "");
    if (digest.rfind("sha256:", 0) != 0 || digest.size() != 7 + 64)
      fail("{}: a descriptor without a sha256 digest: {}", reference_, descriptor.dump());
    fs::path path = dir_ / "blobs" / "sha256" / digest.substr(7);
    std::error_code error;
    if (!fs::is_regular_file(path, error)) fail("{}: blob {} is missing ({})", reference_, digest, path.string());
    std::string bytes = read_file(path);
    if (sha256_hex(bytes) != digest.substr(7))
      fail("{}: blob {} does not have that digest (sha256 {})", reference_, digest, sha256_hex(bytes));
    if (descriptor.contains("size") && descriptor["size"].get<uint64_t>() != bytes.size())
      fail("{}: blob {} has {} bytes, its descriptor says {}", reference_, digest, bytes.size(),
           descriptor["size"].get<uint64_t>());
    return bytes;
  }
  json document(const json& descriptor) const { return parse_json(blob(descriptor), reference_ + ": " + descriptor.value("digest", "")); }

 private:
  fs::path dir_;
  std::string reference_;
};

std::string platform_name(const json& descriptor) {
  if (!descriptor.contains("platform")) return "";
  const json& platform = descriptor["platform"];
  std::string name = platform.value("architecture", "");
  if (!platform.value("variant", "").empty()) name += "/" + platform.value("variant", "");
  return name;
}

ReadImage read_oci(const fs::path& dir, const std::string& tag, const std::string& reference, const std::string& go_arch) {
  Layout layout(dir, reference);
  json index = parse_json(read_file(dir / "index.json"), (dir / "index.json").string());
  std::vector<json> entries;
  for (const auto& entry : index.value("manifests", json::array())) {
    std::string name = entry.contains("annotations") ? entry["annotations"].value(std::string(ref_name_annotation), "") : "";
    if (tag.empty() || name == tag) entries.push_back(entry);
  }
  if (entries.size() != 1) {
    std::vector<std::string> tags;
    for (const auto& entry : index.value("manifests", json::array()))
      if (entry.contains("annotations")) tags.push_back(entry["annotations"].value(std::string(ref_name_annotation), "?"));
    if (entries.empty())
      fail("{}: no image tagged {} (tags: {})", reference, tag.empty() ? "(any)" : tag, tags.empty() ? "none" : fmt::format("{}", fmt::join(tags, ", ")));
    fail("{}: {} images in the layout: name one as DIR:TAG (tags: {})", reference, entries.size(), fmt::join(tags, ", "));
  }
  json descriptor = entries.front();
  ReadImage image;
  image.reference = reference;
  // An image index (possibly nested) down to the wanted platform's manifest.
  for (int depth = 0; descriptor.value("mediaType", "") == media_type::index; ++depth) {
    if (depth > 4) fail("{}: image indexes nested too deep", reference);
    json nested = layout.document(descriptor);
    std::vector<json> manifests = nested.value("manifests", json::array());
    std::vector<std::string> platforms;
    std::optional<json> chosen;
    for (const auto& manifest : manifests) {
      platforms.push_back(platform_name(manifest));
      if (!go_arch.empty() ? platform_name(manifest) == go_arch : manifests.size() == 1) chosen = manifest;
    }
    if (!chosen)
      fail("{}: no manifest for {} (the index has {})", reference, go_arch.empty() ? "one platform" : go_arch,
           fmt::join(platforms, ", "));
    descriptor = *chosen;
  }
  if (descriptor.value("mediaType", "") != media_type::manifest)
    fail("{}: expected an image manifest, found {}", reference, descriptor.value("mediaType", "(no media type)"));
  image.manifest_digest = descriptor.value("digest", "");
  json manifest = layout.document(descriptor);
  image.config = layout.document(manifest.at("config"));
  for (const auto& layer : manifest.value("layers", json::array())) {
    std::string bytes = layout.blob(layer);
    image.layer_sizes.push_back(bytes.size());
    image.layers.push_back(layer_tar(bytes, reference + ": layer " + layer.value("digest", "")));
  }
  return image;
}

ReadImage read_docker_archive(const fs::path& file, const std::string& reference) {
  std::string bytes = read_file(file);
  std::map<std::string, std::string> members;
  apk::TarReader reader(bytes, file.string());
  while (auto item = reader.next())
    if (item->entry.type == apk::TarType::regular) members[item->entry.path] = std::string(item->data);
  auto member = [&](const std::string& name) -> const std::string& {
    auto found = members.find(name);
    if (found == members.end()) fail("{}: the docker archive has no {}", reference, name);
    return found->second;
  };
  json manifests = parse_json(member("manifest.json"), reference + ": manifest.json");
  if (!manifests.is_array() || manifests.empty()) fail("{}: manifest.json lists no image", reference);
  const json& manifest = manifests[0];
  ReadImage image;
  image.reference = reference;
  image.config = parse_json(member(manifest.value("Config", "")), reference + ": " + manifest.value("Config", ""));
  for (const auto& layer : manifest.value("Layers", json::array())) {
    const std::string& bytes = member(layer.get<std::string>());
    image.layer_sizes.push_back(bytes.size());
    image.layers.push_back(layer_tar(bytes, reference + ": " + layer.get<std::string>()));
  }
  return image;
}

}  // namespace

ReadImage read_image(const std::string& reference, const std::string& go_arch) {
  std::error_code error;
  if (fs::is_regular_file(reference, error)) return read_docker_archive(reference, reference);
  fs::path dir = reference;
  std::string tag;
  if (!fs::is_directory(dir, error)) {
    size_t colon = reference.rfind(':');
    if (colon != std::string::npos) {
      dir = reference.substr(0, colon);
      tag = reference.substr(colon + 1);
    }
  }
  if (!fs::is_regular_file(dir / "oci-layout", error))
    fail("{}: neither a docker archive nor an OCI image layout (DIR[:TAG] with an oci-layout file)", reference);
  return read_oci(dir, tag, reference, go_arch);
}

ImageTree root_of(const ReadImage& image) {
  ImageTree tree;
  for (size_t i = 0; i < image.layers.size(); ++i)
    tree.apply_layer(image.layers[i], fmt::format("{} layer {}", image.reference, i + 1));
  return tree;
}

std::map<std::string, index::IndexRecord> installed_packages(const ImageTree& tree, const std::string& origin) {
  std::map<std::string, index::IndexRecord> out;
  const TreeEntry* db = tree.find("lib/apk/db/installed");
  if (!db || db->type != apk::TarType::regular) return out;
  for (auto& package : index::parse_installed_db(db->data, origin + ": /lib/apk/db/installed"))
    out[package.record.name] = std::move(package.record);
  return out;
}

}  // namespace lupine::image
