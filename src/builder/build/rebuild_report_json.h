// A rebuild's comparison as JSON: what `lupine rebuild --json` prints and `--report FILE` writes,
// and what `lupine farm verify-rebuild` reads back from each rebuild job it ran.
//   {"error": "",                          (the rebuild could not be made: why; packages empty)
//    "packages": [{"package": ORIGINAL, "rebuilt": FILE, "identical": BOOL, "same_signature": BOOL,
//                  "differences": [{"member", "path", "original", "rebuilt", "first_differing_byte"?}],
//                  "note"?: TEXT}]}
#pragma once

#include "builder/build/rebuild.h"

#include <nlohmann/json.hpp>

#include <string>

namespace lupine::builder {

nlohmann::ordered_json rebuilt_packages_json(const std::vector<RebuiltPackage>& packages);

struct RebuildOutcome {
  std::string error;
  std::vector<RebuiltPackage> packages;
};

// Throws Error naming `what` (a file) when the text is not such an object.
RebuildOutcome parse_rebuild_outcome(const std::string& text, const std::string& what);
std::string rebuild_outcome_json(const RebuildOutcome& outcome);

}  // namespace lupine::builder
