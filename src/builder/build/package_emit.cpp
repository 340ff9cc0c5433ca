#include "builder/build/package_emit.h"

#include "apk/dsse.h"
#include "apk/provenance.h"
#include "apk/spdx.h"
#include "builder/build/provenance.h"
#include "builder/build/sbom.h"
#include "builder/recipe/compiled_yaml.h"
#include "builder/source/source_cache.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/hash.h"

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <ctime>

namespace lupine::builder {
namespace {

std::optional<int64_t> priority(const std::string& text, const std::string& package, const char* what) {
  if (text.empty()) return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size())
    throw Error(fmt::format("{}: {} must be an integer, got '{}'", package, what, text));
  return value;
}

// The recipe's license expression: its copyright entries joined with AND (melange writes one
// `license =` line per entry; apk-tools keeps only the last of repeated scalar keys, so lupine
// writes the whole expression once).
std::string license_expression(const Recipe& recipe) {
  std::string out;
  for (const auto& entry : recipe.package.copyright) {
    if (entry.license.value.empty()) continue;
    if (!out.empty()) out += " AND ";
    out += entry.license.value;
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> scriptlets(const CompiledScriptlets& s) {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&](const char* name, const std::string& body) {
    if (!body.empty()) out.emplace_back(name, body);
  };
  // Lexical order of the control member (melange: .PKGINFO first, then the scripts by name).
  add(".post-deinstall", s.post_deinstall);
  add(".post-install", s.post_install);
  add(".post-upgrade", s.post_upgrade);
  add(".pre-deinstall", s.pre_deinstall);
  add(".pre-install", s.pre_install);
  add(".pre-upgrade", s.pre_upgrade);
  add(".trigger", s.trigger_script);
  return out;
}

std::vector<const CompiledPackage*> enabled_packages(const BuildPlan& plan) {
  std::vector<const CompiledPackage*> out{&plan.package};
  for (const auto& sub : plan.subpackages)
    if (sub.enabled) out.push_back(&sub);
  return out;
}

}  // namespace

std::vector<EmittedPackage> emit_packages(const BuildPlan& plan, const EmitOptions& options) {
  const std::string full_version = plan.full_version();
  const std::string arch = plan.arch.apk;
  const std::string license = license_expression(plan.recipe);
  std::string recipe_sha256 = options.recipe_sha256;
  if (recipe_sha256.empty() && !options.recipe_path.empty() && std::filesystem::is_regular_file(options.recipe_path))
    recipe_sha256 = file_digest_hex(HashAlgorithm::sha256, options.recipe_path);
  const std::string recipe_name =
      options.recipe_name.empty() ? options.recipe_path.filename().string() : options.recipe_name;

  // melange's .melange.yaml: the compiled recipe with its environment locked to the build root
  // ("name=version", sorted as melange writes them), the same in every package of the recipe.
  std::vector<std::string> locked;
  for (const auto& input : options.build_root) locked.push_back(input.name + "=" + input.version);
  std::sort(locked.begin(), locked.end());
  const std::string melange_yaml = compiled_recipe_yaml(plan, locked);
  const std::string melange_yaml_sha256 = sha256_hex(melange_yaml);

  std::vector<const CompiledPackage*> packages = enabled_packages(plan);
  std::vector<std::filesystem::path> relatives;
  for (const auto* package : packages) {
    std::filesystem::path dir = options.output_dir / package->name;
    std::filesystem::create_directories(dir);
    relatives.push_back(dir);
  }
  std::filesystem::path arch_dir = options.out_dir / arch;
  std::filesystem::create_directories(arch_dir);

  std::vector<EmittedPackage> emitted;
  for (size_t i = 0; i < packages.size(); ++i) {
    const CompiledPackage& package = *packages[i];
    const std::filesystem::path& dir = relatives[i];
    try {
      // The SBOM goes in first, so the package's size and checksums cover it.
      SbomInputs sbom;
      sbom.package = {package.name, full_version, arch, license, package.description, package.url, plan.package.name};
      sbom.namespace_name = options.namespace_name;
      sbom.recipe_name = recipe_name;
      sbom.recipe_sha256 = recipe_sha256;
      sbom.recipe_commit = plan.package.commit;
      sbom.compiled_recipe_sha256 = melange_yaml_sha256;
      for (const auto& source : options.sources)
        sbom.sources.push_back({source.uri, source.sha256, source.sha512, source.git_commit, source.git_tag});
      sbom.build_root = options.build_root;
      sbom.created = options.source_date_epoch;
      sbom.tool_version = LUPINE_VERSION;
      std::filesystem::path sbom_file = dir / apk::sbom_path(package.name, full_version);
      std::filesystem::create_directories(sbom_file.parent_path());
      write_file_atomic(sbom_file, make_package_sbom(sbom));

      ScanOptions scan_options;
      scan_options.package_name = package.name;
      scan_options.package_version = full_version;
      scan_options.relatives = relatives;
      scan_options.declared_runtime = package.dependencies.runtime;
      scan_options.no_provides = package.no_provides;
      scan_options.no_depends = package.no_depends;
      scan_options.no_commands = package.no_commands;
      // lupine records `cmd:sh` for shell scripts (melange ignores sh); stage-0 busybox provides it.
      scan_options.ignored_interpreters.erase("sh");
      ScanResult scan = scan_package_dir(dir, scan_options);
      if (options.log)
        for (const auto& warning : scan.warnings) options.log(fmt::format("{}: warning: {}", package.name, warning));
      PackageDependencies deps =
          merge_dependencies(scan, package.dependencies.runtime, package.dependencies.provides);

      apk::PackOptions pack;
      apk::PkgInfo& info = pack.info;
      info.pkgname = package.name;
      info.pkgver = full_version;
      info.pkgdesc = package.description;
      info.url = package.url;
      if (options.source_date_epoch != 0) info.builddate = options.source_date_epoch;
      info.packager = "lupine";
      info.arch = arch;
      info.origin = plan.package.name;
      info.commit = plan.package.commit;
      info.license = license;
      info.depends = deps.runtime;
      info.provides = deps.provides;
      info.replaces = package.dependencies.replaces;
      info.provider_priority = priority(package.dependencies.provider_priority, package.name, "provider-priority");
      info.replaces_priority = priority(package.dependencies.replaces_priority, package.name, "replaces-priority");
      info.triggers = package.scriptlets.trigger_paths;
      pack.mtime = options.source_date_epoch;
      // Owners as the step left them (`chgrp tty` on a setgid program stays tty's, not root's), as
      // melange records them; the build user (1000, melange's) and lupine's own user outside the
      // sandbox (whose files are root's inside) are root.
      pack.keep_owners = true;
      pack.uid_map = {{1000, 0}, {static_cast<uint32_t>(::geteuid()), 0}};
      pack.gid_map = {{1000, 0}, {static_cast<uint32_t>(::getegid()), 0}};
      pack.threads = options.threads;
      pack.scripts = scriptlets(package.scriptlets);
      pack.control_files = {{".melange.yaml", melange_yaml}};
      pack.signer = options.signer;

      std::filesystem::path file = arch_dir / fmt::format("{}-{}.apk", package.name, full_version);
      if (options.log) options.log(fmt::format("packaging {} -> {}", package.name, file.string()));
      apk::PackResult result = apk::pack_directory(dir, pack, file);
      if (options.signer.key) {
        ProvenanceInputs provenance;
        provenance.package_file = file.filename().string();
        provenance.package_sha256 = result.file_sha256;
        provenance.origin = plan.package.name;
        provenance.full_version = full_version;
        provenance.arch = arch;
        provenance.namespace_name = options.namespace_name;
        provenance.recipe_name = recipe_name;
        provenance.recipe_sha256 = recipe_sha256;
        provenance.compiled_recipe_sha256 = melange_yaml_sha256;
        provenance.sources = options.sources;
        provenance.build_root = options.build_root;
        provenance.source_date_epoch = options.source_date_epoch;
        provenance.started = options.started;
        provenance.finished = static_cast<int64_t>(::time(nullptr));
        provenance.lupine_version = LUPINE_VERSION;
        write_file_atomic(apk::provenance_path(file),
                          apk::make_dsse_envelope(apk::kInTotoPayloadType, make_provenance_statement(provenance),
                                                  *options.signer.key, options.signer.key_name));
      }
      emitted.push_back({package.name, file, result.info, result.identity, std::move(scan)});
    } catch (const Error& error) {
      throw Error(fmt::format("{}: packaging failed: {}", package.name, error.what()));
    }
  }
  return emitted;
}

}  // namespace lupine::builder
