// The SLSA v1.0 provenance of an image lupine builds with a signing key: an in-toto Statement v1 in
// a DSSE envelope (apk/dsse.h), signed with that key, beside the output (<OUT>.intoto.jsonl, for a
// layout directory or a docker archive alike). Its subjects are the image index and each arch's
// manifest by digest; it lists every package of every arch with its C: identity (as a sha1 digest)
// and, when the packages' own provenance was required and verified (--require-provenance), that
// envelope's sha256 — so the image's provenance leads to each package's.
//
//   buildType:  https://lupine.dev/buildtypes/image/v1
//   builder.id: https://lupine.dev/builders/lupine/v1
#pragma once

#include "image/build.h"

#include <cstdint>
#include <string>

namespace lupine::image {

inline constexpr const char* kImageProvenanceBuildType = "https://lupine.dev/buildtypes/image/v1";

struct ImageProvenanceInputs {
  std::string config_name;      // the config file's name
  std::string config_checksum;  // the config's checksum (as a lock file records it)
  std::string tag;              // "name:tag", "" when none
  const BuildResult* result = nullptr;
  int64_t started = 0, finished = 0;  // Unix seconds
};

std::string make_image_provenance_statement(const ImageProvenanceInputs& inputs);

}  // namespace lupine::image
