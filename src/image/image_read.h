// Reading an image back: an OCI image layout (`DIR[:TAG]`, image-spec image-layout.md) or a
// docker archive (`docker save`'s tar: manifest.json, the config and layer tars), as `lupine image
// check` and `image diff` take them. Every blob of an OCI layout is checked against its digest
// before it is used; an image index is followed to the manifest of the wanted architecture.
#pragma once

#include "image/image_tree.h"
#include "index/index_record.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lupine::image {

struct ReadImage {
  std::string reference;         // as given
  std::string manifest_digest;   // "sha256:<hex>" (OCI layouts; "" for docker archives)
  nlohmann::json config;         // the image config (architecture, config.User, Entrypoint, ...)
  std::vector<std::string> layers;  // each layer's tar, decompressed, bottom first
  std::vector<uint64_t> layer_sizes;  // each layer as stored (compressed) in bytes
};

// `reference`: a docker archive file, or an OCI layout directory with an optional `:TAG` (the
// ref.name annotation of index.json; without it the layout's only image). `go_arch` picks a
// manifest from an image index (amd64, arm64, arm/v7); "" takes an index's only manifest. Throws
// Error naming the reference and what is missing, mismatched or malformed.
ReadImage read_image(const std::string& reference, const std::string& go_arch);

// The image's root filesystem: its layers applied in order (image_tree.h).
ImageTree root_of(const ReadImage& image);

// The packages of a root's installed database (lib/apk/db/installed), by name; none without one.
std::map<std::string, index::IndexRecord> installed_packages(const ImageTree& tree, const std::string& origin);

}  // namespace lupine::image
