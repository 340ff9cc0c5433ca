// Debian package versions as APK versions, for the stage-0 packages `lupine bootstrap` makes from the
// host's installed Debian packages.
//
// Debian's grammar ([epoch:]upstream[-revision], with '~', '+', letters anywhere) is wider than
// apk's (number{.number}{letter}{_suffix{number}}{-r#}), so the mapping keeps what orders releases
// and drops the rest:
//   - the epoch is dropped (it only orders versions of one Debian package against each other);
//   - upstream: its leading number{.number} run, plus one lowercase letter directly after it
//     ("1.1.1w"); "~rcN", "~betaN", "~alphaN", "~preN" right after become "_rcN" ...;
//     anything else ("+dfsg", "+ds1", "~deb12u1") is dropped;
//   - revision: its leading number R becomes "_pR" (a post-release patch level, as Debian's
//     revision is); a native package (no revision) gets no "_p";
//   - the last number after those (the stable-update counter of "+deb12u3", a binNMU's "+b1", an
//     NMU's ".1") becomes the package release "-rN"; none → "-r0".
// Examples: 12.2.0-14+deb12u1 → 12.2.0_p14-r1; 4:12.2.0-3 → 12.2.0_p3-r0;
// 1:1.35.0-4+deb12u1+b1 → 1.35.0_p4-r1; 1.34+dfsg-1.2+deb12u1 → 1.34_p1-r1; 20230311+deb12u1 →
// 20230311-r1; 1.11.1-2~deb12u1 → 1.11.1_p2-r1.
// The result always passes apk::version_valid.
#pragma once

#include <string>
#include <string_view>

namespace lupine::builder {

// Throws Error (naming the version) when `debian_version` has no numeric upstream part.
std::string apk_version_from_debian(std::string_view debian_version);

}  // namespace lupine::builder
