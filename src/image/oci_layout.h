// OCI image layout (image-spec v1.1 image-layout.md): `oci-layout`, `index.json` and
// content-addressed `blobs/sha256/<hex>`, plus the JSON documents lupine puts in it — image config,
// manifest, image index (reference/apko.md §2.4). JSON is written compactly with keys in a fixed
// order (nlohmann::ordered_json), so the same image gives the same digests.
//
// Output is staged: everything is written into a temporary directory beside the destination and
// renamed into place only when complete (StagedDirectory), so a failed build never leaves an
// output that looks complete.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lupine::image {

namespace media_type {
inline constexpr std::string_view index = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view manifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view config = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view layer_gzip = "application/vnd.oci.image.layer.v1.tar+gzip";
}  // namespace media_type

// The annotation `skopeo oci:DIR:TAG` and `umoci --image DIR:TAG` look references up by.
inline constexpr std::string_view ref_name_annotation = "org.opencontainers.image.ref.name";

struct Platform {
  std::string architecture;  // Go name: amd64, arm64, arm
  std::string os = "linux";
  std::string variant;       // v6, v7 for arm
};

// "amd64" → {amd64}, "arm/v7" → {arm, v7}.
Platform platform_of(const std::string& go_arch);

struct Descriptor {
  std::string media_type;
  std::string digest;  // "sha256:<hex>"
  uint64_t size = 0;
  std::optional<Platform> platform;
  std::map<std::string, std::string> annotations;
};

// blobs/sha256 of a layout directory.
class BlobStore {
 public:
  explicit BlobStore(std::filesystem::path layout_dir);
  Descriptor add(std::string_view bytes, std::string_view media_type);
  std::filesystem::path path(std::string_view digest) const;  // where a "sha256:<hex>" blob lives
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

struct ImageConfigInputs {
  Platform platform;
  int64_t created = 0;
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env;
  std::string user;
  std::string working_dir;
  std::string stop_signal;
  std::vector<std::string> volumes;
  std::map<std::string, std::string> labels;
  std::vector<std::string> diff_ids;  // each layer's, bottom first
};

std::string image_config_json(const ImageConfigInputs& inputs);
std::string manifest_json(const Descriptor& config, const std::vector<Descriptor>& layers,
                          const std::map<std::string, std::string>& annotations);
std::string index_json(const std::vector<Descriptor>& manifests, const std::map<std::string, std::string>& annotations);

// Writes `oci-layout` and `index.json` (listing `entries`) into `layout_dir`.
void write_layout_files(const std::filesystem::path& layout_dir, const std::vector<Descriptor>& entries);

// A temporary directory beside `destination`, renamed over it by commit(); removed if never
// committed. An existing destination is replaced only if it is empty or an OCI layout (has
// `oci-layout`); it is moved aside first and removed after the rename.
class StagedDirectory {
 public:
  explicit StagedDirectory(std::filesystem::path destination);
  ~StagedDirectory();
  StagedDirectory(const StagedDirectory&) = delete;
  StagedDirectory& operator=(const StagedDirectory&) = delete;

  const std::filesystem::path& path() const { return staging_; }
  void commit();

 private:
  std::filesystem::path destination_;
  std::filesystem::path staging_;
  bool committed_ = false;
};

}  // namespace lupine::image
