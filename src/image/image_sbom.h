// The SPDX 2.3 JSON document of one image (one per arch), made from the installed database rather
// than from SBOMs packages happen to ship (apko since PR #1672 lists only those, so packages
// without one — e.g. Alpine's — vanish; reference/apko.md §3.1). Every installed package is a
// package of the document with name, version, declared license, supplier, purl
// `pkg:apk/<os-id>/<name>@<version>?arch=<arch>&distro=<os-id>` and its SHA-1 checksum (the C:
// identity: SHA-1 of the package's control member, Q1-base64 decoded to hex). Where a package
// ships var/lib/db/sbom/<name>-<version>.spdx.json (melange and lupine packages do), the document
// references it (externalDocumentRefs with its SHA-1, and a DESCRIBED_BY relationship).
// created = the build's SOURCE_DATE_EPOCH: same image, same bytes.
#pragma once

#include "index/installed_db.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace lupine::image {

// The fields of etc/os-release the SBOM uses ("unknown"/"" when absent, as apko).
struct OsRelease {
  std::string id = "unknown";
  std::string name;
  std::string version_id;
};
OsRelease read_os_release(const std::filesystem::path& root);

struct ImageSbomInputs {
  std::string apk_arch;
  std::string go_arch;
  int64_t created = 0;
  std::string image_digest;  // the arch's manifest, "sha256:<hex>"
  std::string layer_digest;
  std::string image_name;    // repository part of --tag, or "image"
  OsRelease os;
  const std::vector<index::InstalledDbPackage>* packages = nullptr;
  std::filesystem::path root;  // the image root, for the packages' own SBOM files
};

// The document (2-space indent, trailing newline).
std::string make_image_sbom(const ImageSbomInputs& inputs);

// "sbom-<apk arch>.spdx.json", apko's file name.
std::string image_sbom_file_name(const std::string& apk_arch);

}  // namespace lupine::image
