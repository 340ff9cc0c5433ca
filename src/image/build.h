// `lupine image build`: an apko config → one root filesystem per arch → OCI image layout (or a
// docker-archive tar), with an SPDX SBOM per arch (reference/apko.md §2).
//
// Per arch: a fresh root in a temporary directory; the packages solved and installed by
// src/index's verified installer (no scriptlet runs; packages of any arch install without
// emulation); dev/ and proc/; runtime keys; accounts; paths; etc/apk/{world,repositories,keys,arch}
// and lib/apk/db/* as the installer writes them, so scanners see every package; then the layer,
// the config and the manifest. Then the image index over all archs, sorted by Go arch name.
//
// The build date: SOURCE_DATE_EPOCH when set; otherwise, as apko (GetBuildDateEpoch), the newest
// build time (`t:`) of the installed packages — the same packages give the same image without any
// environment variable. The index's date is the newest of its archs'.
//
// Output is all-or-nothing: an OCI layout is written into a staging directory beside OUT and
// renamed into place when complete; a docker archive is written under a temporary name.
#pragma once

#include "apk/package_writer.h"
#include "image/config.h"
#include "image/layer.h"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lupine::image {

enum class OutputFormat { oci, docker };

struct BuildOptions {
  std::vector<std::string> archs;  // overrides the config's (apk or Go names)
  std::string tag;                 // "name:tag"; the layout's ref.name is the tag part
  OutputFormat format = OutputFormat::oci;
  // Where the SBOMs go; empty: OUT/sboms for a layout, <dir of OUT>/sboms for a docker archive.
  std::filesystem::path sbom_dir;
  std::optional<std::filesystem::path> lockfile;
  std::filesystem::path cache_dir;  // download cache; empty = index::default_cache_dir()
  unsigned threads = 0;             // gzip threads; 0 = one per core
  bool require_provenance = false;  // every package's signed provenance must verify (apk/provenance.h)
  bool allow_stale_index = false;   // a rolled-back or expired index is a warning (index/index_freshness.h)
  // With a key: the image's SLSA provenance, signed, beside the output (<OUT>.intoto.jsonl;
  // image_provenance.h).
  apk::PackageSigner signer;
  std::function<void(const std::string&)> on_progress;
  std::function<void(const std::string&)> on_warning;
};

struct ArchResult {
  std::string apk_arch;
  std::string go_arch;
  int64_t created = 0;
  std::string manifest_digest;
  std::string config_digest;
  LayerBlob layer;                // the top layer (the only one without layering:)
  std::vector<LayerBlob> layers;  // every layer, bottom first
  std::vector<std::string> packages;  // "name-version", in install order
  // The same packages with their C: identities and, with require_provenance, the sha256 of the
  // provenance envelope each was verified with (for the image's own provenance).
  struct Package {
    std::string name, version, identity, provenance_sha256;
  };
  std::vector<Package> package_records;
  std::filesystem::path sbom;
};

struct BuildResult {
  std::filesystem::path output;
  std::filesystem::path provenance;  // "" without a signer
  std::string index_digest;
  std::vector<ArchResult> archs;
};

BuildResult build_image(const ImageConfig& config, const std::filesystem::path& out, const BuildOptions& options);

// "name:tag" → {"name", "tag"}; a reference without a tag gets "latest".
std::pair<std::string, std::string> split_tag(const std::string& reference);

}  // namespace lupine::image
