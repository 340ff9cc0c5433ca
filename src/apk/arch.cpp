#include "apk/arch.h"

#include "common/error.h"

#include <fmt/format.h>
#include <sys/utsname.h>

namespace lupine::apk {

namespace {

struct ArchRow {
  const char* go;
  const char* apk;
  const char* gnu;   // GNU triplet with "{}" for the libc flavor
  const char* rust;  // Rust triplet likewise
};

// apko's ToAPK / ToTriplet / ToRustTriplet tables.
constexpr ArchRow rows[] = {
    {"386", "x86", "i486-pc-linux-{}", "i686-unknown-linux-{}"},
    {"amd64", "x86_64", "x86_64-pc-linux-{}", "x86_64-unknown-linux-{}"},
    {"arm64", "aarch64", "aarch64-unknown-linux-{}", "aarch64-unknown-linux-{}"},
    {"arm/v6", "armhf", "arm-unknown-linux-{}eabihf", "armv6-unknown-linux-{}eabihf"},
    {"arm/v7", "armv7", "armv7l-unknown-linux-{}eabihf", "armv7-unknown-linux-{}eabihf"},
    {"loong64", "loongarch64", "loong64-unknown-linux-{}", "loong64-unknown-linux-{}"},
    {"ppc64le", "ppc64le", "powerpc64le-unknown-linux-{}", "powerpc64le-unknown-linux-{}"},
    {"riscv64", "riscv64", "riscv64-unknown-linux-{}", "riscv64-unknown-linux-{}"},
    {"s390x", "s390x", "s390x-ibm-linux-{}", "s390x-unknown-linux-{}"},
};

const ArchRow* find_row(std::string_view name) {
  for (const ArchRow& row : rows)
    if (name == row.go || name == row.apk) return &row;
  return nullptr;
}

}  // namespace

std::string Arch::gnu_triplet(std::string_view flavor) const {
  const ArchRow* row = find_row(go);
  return row ? fmt::format(fmt::runtime(row->gnu), flavor) : fmt::format("{}-unknown-linux-{}", go, flavor);
}

std::string Arch::rust_triplet(std::string_view flavor) const {
  const ArchRow* row = find_row(go);
  return row ? fmt::format(fmt::runtime(row->rust), flavor) : fmt::format("{}-unknown-linux-{}", go, flavor);
}

std::optional<Arch> parse_arch(std::string_view name) {
  const ArchRow* row = find_row(name);
  if (!row) return std::nullopt;
  return Arch{row->go, row->apk};
}

std::string apk_arch_or_host(std::string_view name) {
  if (name.empty()) return host_apk_arch();
  std::optional<Arch> parsed = parse_arch(name);
  if (!parsed) fail("unknown architecture '{}'", name);
  return parsed->apk;
}

std::string host_apk_arch() {
  struct utsname names {};
  if (::uname(&names) != 0) fail_errno("uname");
  std::string machine = names.machine;
  if (machine == "i686" || machine == "i586" || machine == "i486" || machine == "i386") return "x86";
  if (machine == "arm64") return "aarch64";
  if (machine == "armv7l" || machine == "armv8l") return "armv7";  // armv8l: a 32-bit kernel on ARMv8
  if (machine == "armv6l") return "armhf";
  return machine;  // x86_64, aarch64, ppc64le, s390x, riscv64, loongarch64
}

const std::vector<std::string>& all_apk_archs() {
  static const std::vector<std::string> archs = [] {
    std::vector<std::string> out;
    for (const ArchRow& row : rows) out.emplace_back(row.apk);
    return out;
  }();
  return archs;
}

}  // namespace lupine::apk
