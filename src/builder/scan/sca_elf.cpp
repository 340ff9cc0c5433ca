// so: dependencies and provides from ELF files (melange generateSharedObjectNameDeps).
#include "builder/scan/elf.h"
#include "builder/scan/sca_internal.h"
#include "common/error.h"

#include <algorithm>
#include <array>

namespace lupine::builder::sca_detail {
namespace {

// Libraries the NVIDIA driver injects from the host: never depended on nor provided.
bool host_provided(std::string_view library) {
  static constexpr std::array<std::string_view, 27> libraries{
      "libEGL_nvidia.so.1", "libGLESv1_CM_nvidia.so.1", "libGLESv2_nvidia.so.1", "libGLX_nvidia.so.1",
      "libcuda.so.1", "libcudadebugger.so.1", "libnvcuvid.so.1", "libnvidia-allocator.so.1",
      "libnvidia-cfg.so.1", "libnvidia-eglcore.so.1", "libnvidia-encode.so.1", "libnvidia-fbc.so.1",
      "libnvidia-glcore.so.1", "libnvidia-glsi.so.1", "libnvidia-glvkspirv.so.1", "libnvidia-gpucomp.so.1",
      "libnvidia-ml.so.1", "libnvidia-ngx.so.1", "libnvidia-nvvm.so.1", "libnvidia-opencl.so.1",
      "libnvidia-opticalflow.so.1", "libnvidia-pkcs11-openssl3.so.1", "libnvidia-pkcs11.so.1",
      "libnvidia-ptxjitcompiler.so.1", "libnvidia-rtcore.so.1", "libnvidia-tls.so.1", "libnvoptix.so.1"};
  return std::find(libraries.begin(), libraries.end(), library) != libraries.end();
}

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// An ELF file's facts, or nullopt for anything else (scripts, data); malformed ELF is a warning.
std::optional<ElfInfo> try_read_elf(const std::filesystem::path& path, const std::string& shown, Generated& out) {
  try {
    return read_elf_file(path);
  } catch (const Error& error) {
    out.warnings.push_back(fmt::format("{}: not analysed: {}", shown, error.what()));
    return std::nullopt;
  }
}

// A lib*.so symlink (usually in a -dev package) → runtime so: on the soname of its target, looked
// up by base name in the library directories of every package of the build.
void symlink_to_library(const PackageTree& tree, const TreeEntry& entry, const std::vector<PackageTree>& relatives,
                        const std::vector<std::string>& library_dirs, Generated& out) {
  if (!contains(entry.path, ".so")) return;
  std::error_code error;
  auto target = std::filesystem::read_symlink(tree.root / entry.path, error);
  if (error) return;
  std::string target_name = target.filename().string();
  for (const auto& relative : relatives) {
    for (const auto& dir : library_dirs) {
      std::string candidate = dir + "/" + target_name;
      auto host = resolve_inside(relative.root, candidate);
      if (!host || !std::filesystem::is_regular_file(*host, error)) continue;
      auto elf = try_read_elf(*host, candidate, out);
      if (!elf) return;
      for (const auto& soname : elf->sonames)
        if (!host_provided(soname)) out.runtime.push_back("so:" + soname);
      return;
    }
  }
}

void elf_file(const TreeEntry& entry, const ElfInfo& elf, const std::vector<std::string>& library_dirs,
              const ScanOptions& options, Generated& out) {
  if (!elf.interpreter.empty()) {
    // musl's loader is named ld-musl-<arch>.so.1; the package provides it as libc.musl-<arch>.so.1.
    std::string name = "so:" + std::string(base_name(elf.interpreter));
    if (name.rfind("so:ld-musl", 0) == 0) name = "so:libc.musl" + name.substr(10);
    out.runtime.push_back(name);
  }
  for (const auto& library : elf.needed)
    if (!host_provided(library) && contains(library, ".so.")) out.runtime.push_back("so:" + library);

  // A program has no SONAME, but some libraries are also programs (libc.so.6 has PT_INTERP, to
  // print its version): judged by the name, as melange does.
  std::string_view name = base_name(entry.path);
  if (!elf.interpreter.empty() && !contains(name, ".so.") && !ends_with(name, ".so")) return;
  bool in_library_dir = in_directory(entry.path, library_dirs);
  for (const auto& soname : elf.sonames) {
    if (host_provided(soname)) continue;
    auto& list = in_library_dir ? out.provides : out.vendored;
    list.push_back("so:" + soname + "=" + soname_version(soname));
    if (!options.package_version.empty()) list.push_back("so-ver:" + soname + "=" + options.package_version);
  }
}

}  // namespace

void shared_object_deps(const PackageTree& tree, const std::vector<PackageTree>& relatives,
                        const std::vector<std::string>& library_dirs, const ScanOptions& options, Generated& out) {
  for (const auto& entry : tree.entries) {
    if (entry.is_symlink()) symlink_to_library(tree, entry, relatives, library_dirs, out);
    if (!entry.is_regular() && !entry.is_symlink()) continue;
    // A symlink is read through (inside the package): it names the same library again, or a file
    // of another package, which is then skipped.
    auto host = entry.is_symlink() ? resolve_inside(tree.root, entry.path) : tree.root / entry.path;
    std::error_code error;
    if (!host || !std::filesystem::is_regular_file(*host, error)) continue;
    if (auto elf = try_read_elf(*host, entry.path, out)) elf_file(entry, *elf, library_dirs, options, out);
  }
}

}  // namespace lupine::builder::sca_detail
