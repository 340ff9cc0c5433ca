// Security advisories matched against installed or published packages (`lupine scan`), from two
// formats:
//  - Wolfi's security.json, which is Alpine's secdb: {"packages": [{"pkg": {"name": N,
//    "secfixes": {FIXED_VERSION: [CVE, ...]}}}]} — each CVE is fixed in that version of N's
//    packages (N is the origin: its subpackages too), so an older version is affected; the
//    version "0" lists CVEs that never affected N;
//  - OSV (ossf.github.io/osv-schema): one vulnerability object, or a list of them, each with
//    `affected: [{package: {name}, ranges: [{type: ECOSYSTEM, events: [{introduced}, {fixed} |
//    {last_affected}]}], versions: [...]}]`.
// Versions are ordered as apk-tools orders them (apk/version.h: -r revisions, _p, _rc, …).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lupine::index {

struct AdvisoryRange {
  std::string introduced;     // "" or "0": from the first version
  std::string fixed;          // first version without it, "" when none is fixed
  std::string last_affected;  // OSV's alternative to fixed
};

struct Advisory {
  std::string id;       // CVE-2024-1234, GHSA-…
  std::string package;  // the (origin) package name it is about
  std::vector<AdvisoryRange> ranges;
  std::vector<std::string> versions;  // OSV `versions`: exactly these are affected
  bool not_affected = false;          // secdb "0": the package never had it
  std::string format;                 // "secdb" or "osv"
};

// Throws Error naming `origin` and what is malformed.
std::vector<Advisory> parse_advisories(std::string_view text, const std::string& origin);

struct AdvisoryMatch {
  std::string advisory;
  std::string fixed;  // the fixed version, "" when there is none
  std::string format;
};

// The advisories affecting `version` of the package `name` with origin `origin` ("" = itself).
std::vector<AdvisoryMatch> match_advisories(const std::vector<Advisory>& advisories, const std::string& name,
                                            const std::string& origin, const std::string& version);

}  // namespace lupine::index
