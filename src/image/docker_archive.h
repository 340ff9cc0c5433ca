// A `docker load` archive (docker image save format, as moby's image/tarexport reads it): a tar
// with `manifest.json` — one object per image with Config, RepoTags and Layers, each a path inside
// the tar — and the blobs. lupine writes the whole OCI layout into the same tar (oci-layout,
// index.json, blobs/sha256/...) and points manifest.json at those blobs, so the archive is both a
// docker-archive (`docker load`, `skopeo copy docker-archive:`) and an OCI archive. Entries are
// sorted, owned by root, and stamped with SOURCE_DATE_EPOCH; the tar is not compressed (its layer
// blobs already are).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace lupine::image {

struct DockerImage {
  std::string config_digest;               // "sha256:<hex>", a blob of the layout
  std::vector<std::string> layer_digests;  // in order
  std::vector<std::string> repo_tags;      // "name:tag"
};

// manifest.json's text.
std::string docker_manifest_json(const std::vector<DockerImage>& images);

// Tars `layout_dir` (an OCI layout) plus manifest.json into `output`, atomically.
void write_docker_archive(const std::filesystem::path& layout_dir, const std::vector<DockerImage>& images,
                          int64_t mtime, const std::filesystem::path& output);

}  // namespace lupine::image
