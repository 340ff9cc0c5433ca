// Architectures as melange names them (apko pkg/build/types: Architecture): apk names (x86_64,
// aarch64, ...) for packages and ${{build.arch}}, Go names (amd64, arm64) for ${{build.goarch}},
// and the GNU and Rust triplets for ${{host.triplet.*}} / ${{cross.triplet.*}}.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lupine::apk {

struct Arch {
  std::string go;   // apko's canonical name: 386, amd64, arm64, arm/v6, arm/v7, loong64, ppc64le, riscv64, s390x
  std::string apk;  // x86, x86_64, aarch64, armhf, armv7, loongarch64, ppc64le, riscv64, s390x

  // arch.ToTriplet(flavor): x86_64-pc-linux-gnu, aarch64-unknown-linux-gnu, ...
  std::string gnu_triplet(std::string_view flavor) const;
  // arch.ToRustTriplet(flavor): x86_64-unknown-linux-gnu, ...
  std::string rust_triplet(std::string_view flavor) const;
};

// Accepts apk or Go names (apko's ParseArchitecture); nullopt for names apko does not know.
std::optional<Arch> parse_arch(std::string_view name);

// The machine lupine runs on, as an apk arch name.
std::string host_apk_arch();

// The apk name of `name` (apk or Go spelling), or the host's when empty. Throws Error for a name
// apko does not know.
std::string apk_arch_or_host(std::string_view name);

// apko's AllArchs, as apk names.
const std::vector<std::string>& all_apk_archs();

}  // namespace lupine::apk
