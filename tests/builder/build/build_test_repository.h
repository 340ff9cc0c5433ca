// A tiny signed repository made at test time for build tests: one package `busybox` holding a
// static busybox as /bin/busybox with a symlink per applet (sh, mkdir, echo, ...) — enough of a
// build root for `runs:` steps, without a toolchain.
#pragma once

#include "common/rsa.h"

#include <filesystem>
#include <optional>
#include <string>

namespace lupine::builder::testing {

// A static busybox of the host (busybox-static), or nullopt.
std::optional<std::filesystem::path> static_busybox();

// Why sandboxed build tests cannot run here (no usable bwrap, no static busybox), or nullopt.
std::optional<std::string> build_sandbox_unavailable();

struct TestRepository {
  std::filesystem::path dir;          // the repository (dir/<arch>/APKINDEX.tar.gz)
  std::filesystem::path private_key;  // dir/../keys/test-build.rsa
  std::filesystem::path public_key;   // ... .rsa.pub
  std::string arch;
};

// Makes the repository under `base` for the host's arch.
TestRepository make_busybox_repository(const std::filesystem::path& base);

}  // namespace lupine::builder::testing

#define LUPINE_BUILD_SANDBOX_OR_SKIP()                                                     \
  if (auto why = ::lupine::builder::testing::build_sandbox_unavailable()) {                \
    if (::lupine::testing::fixtures_required()) FAIL() << *why;                            \
    GTEST_SKIP() << *why;                                                                  \
  }
