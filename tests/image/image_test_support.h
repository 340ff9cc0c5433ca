// Helpers for the image tests: apko's own test config over the fixtures, reading layouts back.
#pragma once

#include "apk/tar.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace lupine::image::test {

// apko's internal/cli/testdata/apko.yaml, verbatim (reference: the brief of issue 6).
inline constexpr const char* apko_test_config = R"(contents:
  keyring:
    - ./testdata/melange.rsa.pub
  repositories:
    - ./testdata/packages
  packages:
    - replayout
entrypoint:
  command: /bin/sh -l
paths:
  - path: /run/nginx
    type: directory
    uid: 10000
    gid: 10000
    permissions: 0o755
archs:
- x86_64
- aarch64
)";

// Writes `config_text` as <dir>/apko.yaml beside a `testdata` directory whose `packages` and
// `melange.rsa.pub` are symlinks to the fixtures (never copies); returns the config path.
std::filesystem::path write_apko_config(const std::filesystem::path& dir, const std::filesystem::path& fixtures,
                                        const std::string& config_text = apko_test_config);

nlohmann::json read_json(const std::filesystem::path& path);

// The blob `digest` ("sha256:...") of a layout.
std::filesystem::path blob_path(const std::filesystem::path& layout, const std::string& digest);

// The manifest digests of the image index that index.json lists, by platform architecture.
std::map<std::string, std::string> manifests_by_arch(const std::filesystem::path& layout);

struct LayerEntry {
  apk::TarEntry entry;
  std::string data;
};
// The (single) layer of the manifest `manifest_digest`, unpacked in memory, by path.
std::map<std::string, LayerEntry> read_layer(const std::filesystem::path& layout, const std::string& manifest_digest);

// `text` with every line indented by `spaces`: the body of a YAML block scalar (`content: |`).
std::string indented(const std::string& text, size_t spaces);

// Every file under `dir` (relative path → contents), for byte-for-byte comparisons.
std::map<std::string, std::string> tree_contents(const std::filesystem::path& dir);

}  // namespace lupine::image::test
