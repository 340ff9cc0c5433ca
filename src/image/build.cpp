#include "image/build.h"

#include "apk/arch.h"
#include "apk/dsse.h"
#include "apk/spdx.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/process.h"
#include "common/source_date.h"
#include "image/accounts.h"
#include "image/certificates.h"
#include "image/docker_archive.h"
#include "image/image_provenance.h"
#include "image/image_sbom.h"
#include "image/layering.h"
#include "image/lock.h"
#include "image/oci_layout.h"
#include "image/owners.h"
#include "image/paths.h"
#include "image/resolve.h"
#include "index/root_fs.h"

#include <sys/stat.h>

#include <algorithm>
#include <ctime>
#include <set>

namespace lupine::image {
namespace {

struct Context {
  const ImageConfig& config;
  const BuildOptions& options;
  index::FetchOptions fetch;
  const ImageKeyring& keys;
  const Lock* lock = nullptr;
  BlobStore& blobs;
  std::filesystem::path sbom_dir;
  std::string image_name;
};

void progress(const Context& context, const std::string& line) {
  if (context.options.on_progress) context.options.on_progress(line);
}

// What apko lays out besides the packages (reference/apko.md §2.3) that matters to a runtime:
// mount points for /dev and /proc. Device nodes are left to the runtime (runc, docker mount /dev).
void base_directories(const std::filesystem::path& root) {
  index::RootDir dir(root);
  dir.make_dirs("dev", 0755);
  dir.make_dirs("proc", 0555);
  set_mode_in_root(dir, "proc", 0555);
}

void runtime_keys(const ImageConfig& config, const std::filesystem::path& root) {
  if (config.contents.runtime_keyring.empty()) return;
  index::RootDir dir(root);
  dir.make_dirs("etc/apk/keys", 0755);
  for (const auto& key : config.contents.runtime_keyring)
    dir.write_file_atomic("etc/apk/keys/" + key.name, key.content, 0644);
}

int64_t build_date(const std::vector<index::InstalledDbPackage>& installed) {
  if (auto epoch = source_date_epoch()) return *epoch;
  int64_t newest = 0;
  for (const auto& package : installed) newest = std::max(newest, package.record.build_time);
  return newest;
}

std::map<std::string, std::string> manifest_annotations(const ImageConfig& config, int64_t created) {
  std::map<std::string, std::string> annotations = config.annotations;
  annotations.try_emplace("org.opencontainers.image.created", apk::rfc3339_utc(created));
  if (!config.vcs_url.empty()) {
    size_t at = config.vcs_url.rfind('@');
    annotations.try_emplace("org.opencontainers.image.source", config.vcs_url.substr(0, at));
    if (at != std::string::npos) annotations.try_emplace("org.opencontainers.image.revision", config.vcs_url.substr(at + 1));
  }
  return annotations;
}

ArchResult build_arch(const Context& context, const std::string& apk_arch) {
  const ImageConfig& config = context.config;
  ArchResult result;
  result.apk_arch = apk_arch;
  result.go_arch = apk::parse_arch(apk_arch)->go;

  progress(context, fmt::format("{}: resolving {} package(s)", apk_arch, config.contents.packages.size()));
  std::vector<LockedPackage> locked;
  if (context.lock) locked = context.lock->packages_for(apk_arch);
  ArchSolution solution = resolve_arch(config, apk_arch, context.keys, context.fetch,
                                       context.lock ? &locked : nullptr, context.options.on_warning);

  TempDir work("lupine-image-root");
  std::filesystem::path root = work.path() / "rootfs";
  index::InstallOptions install;
  install.arch = apk_arch;
  install.repositories = runtime_repository_lines(config);
  install.keys = context.keys.files();
  install.skip_device_nodes = !install.privileged;
  install.on_warning = context.options.on_warning;
  install.require_provenance = context.options.require_provenance;
  size_t count = index::resulting_packages(solution.plan).size();
  progress(context, fmt::format("{}: installing {} package(s)", apk_arch, count));
  index::InstallReport report = index::apply_add(*solution.repos, solution.plan, root, install);

  base_directories(root);
  runtime_keys(config, root);
  std::vector<index::InstalledDbPackage> installed = index::load_root_state(root).installed;
  OwnerMap owners = owners_from_installed_db(installed);
  apply_accounts(root, config.accounts, owners);
  apply_paths(root, config.paths, owners);
  install_certificates(config, root);  // after the paths, as apko (mutatePaths, then installCertificates)
  for (const auto& change : solution.plan.solution.changes)
    if (change.new_package) {
      const index::IndexRecord& record = *change.new_package;
      result.packages.push_back(record.name + "-" + record.version);
      auto provenance = report.provenance_sha256.find(record.name + "-" + record.version);
      result.package_records.push_back({record.name, record.version, record.identity,
                                        provenance == report.provenance_sha256.end() ? "" : provenance->second});
    }

  index::RootDir dir(root);
  // apko's checkPaths: images without these confuse tools and runtimes (user lookups, scanners).
  for (const char* expected : {"etc/passwd", "etc/group", "etc/os-release"})
    if (!dir.lstat(expected) && context.options.on_warning)
      context.options.on_warning(fmt::format("{}: the image has no /{}", apk_arch, expected));
  std::string passwd = dir.read_file("etc/passwd").value_or("");
  std::string group = dir.read_file("etc/group").value_or("");
  result.created = build_date(installed);

  throw_if_interrupted();
  progress(context, fmt::format("{}: writing layer", apk_arch));
  LayerOptions layer_options;
  layer_options.mtime = result.created;
  layer_options.owners = &owners;
  layer_options.user_names = names_by_id(passwd);
  layer_options.group_names = names_by_id(group);
  layer_options.threads = context.options.threads;
  std::vector<std::set<std::string>> partition;
  if (config.layering_budget > 0) partition = partition_layers(root, installed, config.layering_budget);
  for (size_t i = 0; i < std::max<size_t>(1, partition.size()); ++i) {
    layer_options.only = partition.empty() ? nullptr : &partition[i];
    std::filesystem::path layer_file = context.blobs.dir() / fmt::format(".layer-{}-{}", apk_arch, i);
    result.layers.push_back(write_layer(root, layer_options, layer_file));
    std::filesystem::rename(layer_file, context.blobs.path(result.layers.back().digest));
  }
  result.layer = result.layers.back();

  ImageConfigInputs inputs;
  inputs.platform = platform_of(result.go_arch);
  inputs.created = result.created;
  inputs.entrypoint = image_entrypoint(config);
  inputs.cmd = image_cmd(config);
  inputs.env = image_environment(config);
  inputs.user = resolve_run_as(config.accounts.run_as, passwd);
  inputs.working_dir = config.work_dir;
  inputs.stop_signal = config.stop_signal;
  inputs.volumes = config.volumes;
  inputs.labels = config.annotations;
  for (const auto& blob : result.layers) inputs.diff_ids.push_back(blob.diff_id);
  Descriptor config_blob = context.blobs.add(image_config_json(inputs), media_type::config);
  std::vector<Descriptor> layers;
  for (const auto& blob : result.layers)
    layers.push_back({std::string(media_type::layer_gzip), blob.digest, blob.size, {}, {}});
  Descriptor manifest = context.blobs.add(
      manifest_json(config_blob, layers, manifest_annotations(config, result.created)), media_type::manifest);
  result.config_digest = config_blob.digest;
  result.manifest_digest = manifest.digest;

  ImageSbomInputs sbom;
  sbom.apk_arch = apk_arch;
  sbom.go_arch = result.go_arch;
  sbom.created = result.created;
  sbom.image_digest = manifest.digest;
  sbom.layer_digest = result.layer.digest;
  sbom.image_name = context.image_name;
  sbom.os = read_os_release(root);
  sbom.packages = &installed;
  sbom.root = root;
  std::filesystem::create_directories(context.sbom_dir);
  result.sbom = context.sbom_dir / image_sbom_file_name(apk_arch);
  write_file_atomic(result.sbom, make_image_sbom(sbom), 0644);
  return result;
}

}  // namespace

std::pair<std::string, std::string> split_tag(const std::string& reference) {
  size_t slash = reference.rfind('/');
  size_t colon = reference.rfind(':');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return {reference, "latest"};
  return {reference.substr(0, colon), reference.substr(colon + 1)};
}

BuildResult build_image(const ImageConfig& config, const std::filesystem::path& out, const BuildOptions& options) {
  // An interrupt stops the build at its next checkpoint (a package installed, a layer entry, an
  // arch) and the staging and temporary directories are removed on the way out.
  InterruptGuard interrupt_guard;
  const int64_t started_at = static_cast<int64_t>(::time(nullptr));  // for the provenance
  std::vector<std::string> archs = select_archs(config, options.archs);
  std::optional<Lock> lock;
  if (options.lockfile) {
    lock = lock_from_json(read_file(*options.lockfile), options.lockfile->string());
    if (!lock->config_checksum.empty() && lock->config_checksum != config.checksum)
      fail("{} was made for another version of {} (config checksum {}, now {}): run lupine image lock again",
           options.lockfile->string(), config.file.filename().string(), lock->config_checksum, config.checksum);
    for (const auto& arch : archs)
      if (lock->packages_for(arch).empty()) fail("{} pins no packages for {}", options.lockfile->string(), arch);
  }

  index::FetchOptions fetch;
  fetch.cache_dir = options.cache_dir.empty() ? index::default_cache_dir() : options.cache_dir;
  fetch.allow_stale_index = options.allow_stale_index;
  ImageKeyring keys(config, fetch);
  auto [name, tag] = split_tag(options.tag.empty() ? "image" : options.tag);
  std::string image_name = name.substr(name.rfind('/') + 1);

  // Everything goes to a staging directory; only a complete result is moved into place.
  std::optional<StagedDirectory> staged;
  std::optional<TempDir> docker_staging;
  std::filesystem::path layout_dir;
  std::filesystem::path absolute_out = std::filesystem::absolute(out).lexically_normal();
  if (absolute_out.filename().empty()) absolute_out = absolute_out.parent_path();
  if (options.format == OutputFormat::oci) {
    staged.emplace(absolute_out);
    layout_dir = staged->path();
  } else {
    if (std::filesystem::is_directory(absolute_out)) fail("{} is a directory: a docker archive is a file", out.string());
    docker_staging.emplace("lupine-image-layout");
    layout_dir = docker_staging->path();
  }
  // SBOMs inside the staged layout by default, so they appear with it; elsewhere when asked.
  std::filesystem::path final_sbom_dir = options.sbom_dir;
  if (final_sbom_dir.empty())
    final_sbom_dir = options.format == OutputFormat::oci ? absolute_out / "sboms" : absolute_out.parent_path() / "sboms";
  TempDir sbom_temp("lupine-image-sboms");

  BlobStore blobs(layout_dir);
  Context context{config, options, fetch, keys, lock ? &*lock : nullptr, blobs, sbom_temp.path(), image_name};
  BuildResult result;
  for (const auto& arch : archs) result.archs.push_back(build_arch(context, arch));
  throw_if_interrupted();  // nothing is published from a build that was asked to stop

  std::vector<Descriptor> manifests;
  int64_t created = 0;
  for (const auto& arch : result.archs) {
    Descriptor d{std::string(media_type::manifest), arch.manifest_digest,
                 std::filesystem::file_size(blobs.path(arch.manifest_digest)), platform_of(arch.go_arch), {}};
    manifests.push_back(std::move(d));
    created = std::max(created, arch.created);
  }
  Descriptor image_index = blobs.add(index_json(manifests, manifest_annotations(config, created)), media_type::index);
  result.index_digest = image_index.digest;
  if (!options.tag.empty()) image_index.annotations[std::string(ref_name_annotation)] = tag;
  write_layout_files(layout_dir, {image_index});

  if (options.format == OutputFormat::docker) {
    std::vector<DockerImage> images;
    for (const auto& arch : result.archs) {
      std::string suffix = result.archs.size() > 1 ? "-" + arch.go_arch : "";
      std::replace(suffix.begin(), suffix.end(), '/', '_');
      DockerImage image{arch.config_digest, {}, {}};
      for (const auto& blob : arch.layers) image.layer_digests.push_back(blob.digest);
      if (!options.tag.empty()) image.repo_tags.push_back(name + ":" + tag + suffix);
      images.push_back(std::move(image));
    }
    write_docker_archive(layout_dir, images, created, absolute_out);
  } else if (options.sbom_dir.empty()) {
    std::filesystem::create_directories(layout_dir / "sboms");
    for (const auto& arch : result.archs)
      std::filesystem::copy_file(arch.sbom, layout_dir / "sboms" / arch.sbom.filename());
  }
  if (staged) staged->commit();
  if (options.format == OutputFormat::docker || !options.sbom_dir.empty()) {
    std::filesystem::create_directories(final_sbom_dir);
    for (const auto& arch : result.archs)
      write_file_atomic(final_sbom_dir / arch.sbom.filename(), read_file(arch.sbom), 0644);
  }
  for (auto& arch : result.archs) arch.sbom = final_sbom_dir / arch.sbom.filename();
  result.output = absolute_out;
  if (options.signer.key) {
    ImageProvenanceInputs inputs{config.file.filename().string(), config.checksum, options.tag, &result, started_at,
                                 static_cast<int64_t>(::time(nullptr))};
    result.provenance = std::filesystem::path(absolute_out.string() + ".intoto.jsonl");
    write_file_atomic(result.provenance,
                      apk::make_dsse_envelope(apk::kInTotoPayloadType, make_image_provenance_statement(inputs),
                                              *options.signer.key, options.signer.key_name));
  }
  return result;
}

}  // namespace lupine::image
