#include "image/oci_layout.h"

#include "apk/spdx.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/hash.h"
#include "index/root_fs.h"

#include <nlohmann/json.hpp>

namespace lupine::image {
namespace {

using json = nlohmann::ordered_json;

json descriptor(const Descriptor& d) {
  json out;
  out["mediaType"] = d.media_type;
  out["size"] = d.size;
  out["digest"] = d.digest;
  if (!d.annotations.empty()) out["annotations"] = d.annotations;
  if (d.platform) {
    json platform;
    platform["architecture"] = d.platform->architecture;
    platform["os"] = d.platform->os;
    if (!d.platform->variant.empty()) platform["variant"] = d.platform->variant;
    out["platform"] = platform;
  }
  return out;
}

}  // namespace

Platform platform_of(const std::string& go_arch) {
  Platform platform;
  size_t slash = go_arch.find('/');
  platform.architecture = go_arch.substr(0, slash);
  if (slash != std::string::npos) platform.variant = go_arch.substr(slash + 1);
  return platform;
}

BlobStore::BlobStore(std::filesystem::path layout_dir) : dir_(layout_dir / "blobs" / "sha256") {
  std::filesystem::create_directories(dir_);
}

Descriptor BlobStore::add(std::string_view bytes, std::string_view media_type) {
  Descriptor d;
  d.media_type = media_type;
  d.digest = "sha256:" + sha256_hex(bytes);
  d.size = bytes.size();
  write_file_atomic(path(d.digest), bytes, 0644);
  return d;
}

std::filesystem::path BlobStore::path(std::string_view digest) const {
  if (!digest.starts_with("sha256:")) fail("not a sha256 digest: {}", digest);
  return dir_ / std::string(digest.substr(7));
}

std::string image_config_json(const ImageConfigInputs& in) {
  json config = json::object();
  if (!in.user.empty()) config["User"] = in.user;
  if (!in.env.empty()) config["Env"] = in.env;
  if (!in.entrypoint.empty()) config["Entrypoint"] = in.entrypoint;
  if (!in.cmd.empty()) config["Cmd"] = in.cmd;
  if (!in.volumes.empty()) {
    json volumes = json::object();
    for (const auto& volume : in.volumes) volumes[volume] = json::object();
    config["Volumes"] = volumes;
  }
  if (!in.working_dir.empty()) config["WorkingDir"] = in.working_dir;
  if (!in.labels.empty()) config["Labels"] = in.labels;
  if (!in.stop_signal.empty()) config["StopSignal"] = in.stop_signal;

  std::string created = apk::rfc3339_utc(in.created);
  json out;
  out["created"] = created;
  out["author"] = "lupine";
  out["architecture"] = in.platform.architecture;
  if (!in.platform.variant.empty()) out["variant"] = in.platform.variant;
  out["os"] = in.platform.os;
  out["config"] = config;
  out["rootfs"] = {{"type", "layers"}, {"diff_ids", in.diff_ids}};
  out["history"] = json::array(
      {{{"created", created}, {"created_by", "lupine image build"}, {"comment", "lupine single-layer image"}}});
  return out.dump();
}

std::string manifest_json(const Descriptor& config, const std::vector<Descriptor>& layers,
                          const std::map<std::string, std::string>& annotations) {
  json out;
  out["schemaVersion"] = 2;
  out["mediaType"] = media_type::manifest;
  out["config"] = descriptor(config);
  json list = json::array();
  for (const auto& layer : layers) list.push_back(descriptor(layer));
  out["layers"] = list;
  if (!annotations.empty()) out["annotations"] = annotations;
  return out.dump();
}

std::string index_json(const std::vector<Descriptor>& manifests, const std::map<std::string, std::string>& annotations) {
  json out;
  out["schemaVersion"] = 2;
  out["mediaType"] = media_type::index;
  json list = json::array();
  for (const auto& manifest : manifests) list.push_back(descriptor(manifest));
  out["manifests"] = list;
  if (!annotations.empty()) out["annotations"] = annotations;
  return out.dump();
}

void write_layout_files(const std::filesystem::path& layout_dir, const std::vector<Descriptor>& entries) {
  write_file_atomic(layout_dir / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})", 0644);
  write_file_atomic(layout_dir / "index.json", index_json(entries, {}), 0644);
}

StagedDirectory::StagedDirectory(std::filesystem::path destination) : destination_(std::move(destination)) {
  destination_ = std::filesystem::absolute(destination_).lexically_normal();
  if (destination_.filename().empty()) destination_ = destination_.parent_path();
  std::error_code error;
  if (std::filesystem::exists(destination_)) {
    if (!std::filesystem::is_directory(destination_)) fail("{} exists and is not a directory", destination_.string());
    if (!std::filesystem::is_empty(destination_) && !std::filesystem::exists(destination_ / "oci-layout"))
      fail("{} exists and is not an OCI layout: refusing to replace it", destination_.string());
  }
  std::filesystem::create_directories(destination_.parent_path());
  staging_ = destination_.parent_path() / ("." + destination_.filename().string() + ".lupine-" + index::random_token());
  std::filesystem::create_directory(staging_);
}

StagedDirectory::~StagedDirectory() {
  if (committed_) return;
  std::error_code error;
  std::filesystem::remove_all(staging_, error);
}

void StagedDirectory::commit() {
  std::filesystem::path aside;
  if (std::filesystem::exists(destination_)) {
    aside = destination_.parent_path() / ("." + destination_.filename().string() + ".old-" + index::random_token());
    std::filesystem::rename(destination_, aside);
  }
  std::filesystem::rename(staging_, destination_);
  committed_ = true;
  if (!aside.empty()) std::filesystem::remove_all(aside);
}

}  // namespace lupine::image
