// `lupine bootstrap`: a signed, indexed stage-0 repository made from the host's installed Debian
// toolchain, under the names recipes expect (build-base, gcc, glibc-dev, busybox, ...), so that the
// first packages of a new distribution can be built from source in lupine's own sandbox.
//
//   spec (melange-recipes/bootstrap/debian.yaml) ─► host check (dpkg status) ─► stage trees
//   (bootstrap_stage.h) ─► SCA scan per tree (so:/cmd:/pc: depends and provides; cmd: also for
//   links to programs, as Debian's gcc → gcc-12) ─► closure check (every dependency provided by
//   some stage-0 package, no versioned name provided twice) ─► pack + sign each ─► APKINDEX (signed)
//
// Output: <out>/<arch>/<name>-<version>.apk, <out>/<arch>/APKINDEX.tar.gz, and the public key as
// <out>/<key name> (e.g. stage0.rsa.pub), so that
//   lupine install --initdb --root R --repository <out> --keyring <out>/stage0.rsa.pub build-base
// works. The same host, spec and SOURCE_DATE_EPOCH give the same bytes. The index lists only this
// run's packages; files of other versions left in <out>/<arch> by earlier runs are not removed.
// Trees are staged under TMPDIR as hard links to the host's files where it is the same filesystem
// (copies otherwise), so staging costs little and its removal frees nothing.
#pragma once

#include "apk/package_writer.h"
#include "builder/bootstrap/bootstrap_spec.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace lupine::builder {

struct BootstrapOptions {
  std::filesystem::path spec_file;  // default: default_bootstrap_spec()
  std::filesystem::path out_dir;
  std::string arch;                 // apk arch; must be the host's (default: the host's)
  apk::PackageSigner signer;        // required: the packages and the index are signed
  int64_t mtime = 0;                // SOURCE_DATE_EPOCH
  unsigned threads = 0;             // compression threads; 0 = one per core
  std::filesystem::path dpkg_dir = "/var/lib/dpkg";
  std::function<void(const std::string&)> on_progress;  // one line per step and package
  std::function<void(const std::string&)> on_warning;
};

struct BootstrapPackageReport {
  std::string name;
  std::string version;
  std::vector<std::string> debian;  // "gcc-12 12.2.0-14+deb12u1"
  std::filesystem::path file;
  uint64_t file_size = 0;
  uint64_t installed_size = 0;
  uint64_t entries = 0;
  std::vector<std::string> depends;
  std::vector<std::string> provides;
  std::vector<std::string> replaces;
};

struct BootstrapReport {
  std::string arch;
  std::filesystem::path repository;  // <out>/<arch>
  std::filesystem::path index;       // <out>/<arch>/APKINDEX.tar.gz
  std::filesystem::path public_key;  // <out>/<key name>
  std::vector<BootstrapPackageReport> packages;
  std::vector<std::string> scan_warnings;
  std::chrono::milliseconds stage_time{0}, scan_time{0}, pack_time{0}, index_time{0};
};

BootstrapReport bootstrap_repository(const BootstrapOptions& options);

}  // namespace lupine::builder
