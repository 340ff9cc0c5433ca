// SPDX 2.3 documents (JSON) for what lupine makes: one per built package, shipped inside it at
// var/lib/db/sbom/<name>-<version>-r<epoch>.spdx.json as melange does (reference/melange.md §5.3),
// so scanners of an installed root find it. The document names:
//   - the operating system (the namespace, purpose OPERATING-SYSTEM),
//   - the package (purl pkg:apk/<ns>/<name>@<ver>?arch=<arch>&distro=<ns>, license, supplier),
//   - the recipe it was built from (DESCRIBED_BY, with the recipe file's sha256), and the compiled
//     recipe the package carries as .melange.yaml (DESCRIBED_BY, with that text's sha256),
//   - every source it was built from (GENERATED_FROM, with checksums and download location).
// Everything comes from the inputs (created = SOURCE_DATE_EPOCH): same inputs, same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lupine::builder {

struct SbomSource {
  std::string uri;         // download location (or git repository)
  std::string sha256;      // hex, "" when unknown
  std::string sha512;      // hex, "" when unknown
  std::string git_commit;  // for git sources
  std::string git_tag;
};

struct SbomPackage {
  std::string name;
  std::string version;  // "<version>-r<epoch>"
  std::string arch;     // apk arch
  std::string license;  // SPDX expression; "" = NOASSERTION
  std::string description;
  std::string url;
  std::string origin;   // the main package of the recipe
};

// A package installed in the build root: what built the package, checkable against the repository
// it came from by its C: identity.
struct BuildRootPackage {
  std::string name;
  std::string version;
  std::string arch;
  std::string identity;  // C: "Q1" + base64 SHA-1 of the control member
};

struct SbomInputs {
  SbomPackage package;
  std::string namespace_name = "lupine";
  std::string recipe_name;    // the recipe file as named in the SBOM (no host path)
  std::string recipe_sha256;  // hex of the recipe file
  std::string recipe_commit;  // package.commit, when the recipe gives one
  // sha256 (hex) of the compiled, locked recipe in the package's control member (.melange.yaml);
  // "" when there is none. Named as its own element, DESCRIBED_BY and GENERATED_FROM the recipe.
  std::string compiled_recipe_sha256;
  std::vector<SbomSource> sources;
  // Each a BUILD_DEPENDENCY_OF the package (listed by name, whatever the order here), by name and
  // version only: with C: identities in it, a
  // package whose build root holds its own earlier output (bzip2: stage 0's perl needs
  // so:libbz2.so.1.0, which the built libbz2 provides) would differ on every rebuild and a farm would
  // never find it up to date. The identities are in the record beside the log (build_root_record.h).
  std::vector<BuildRootPackage> build_root;
  int64_t created = 0;        // SOURCE_DATE_EPOCH
  std::string tool_version;   // lupine's
};

// The SPDX JSON text (2-space indent, trailing newline).
std::string make_package_sbom(const SbomInputs& inputs);

}  // namespace lupine::builder
