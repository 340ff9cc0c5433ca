#include "builder/build/build_test_repository.h"

#include "apk/package_writer.h"
#include "apk/arch.h"
#include "builder/scan/elf.h"
#include "builder/build/sandbox_check.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/process.h"
#include "index/index_builder.h"

namespace lupine::builder::testing {
namespace fs = std::filesystem;

std::optional<fs::path> static_busybox() {
  for (const char* candidate : {"/bin/busybox", "/usr/bin/busybox"}) {
    if (!fs::is_regular_file(candidate)) continue;
    auto elf = read_elf_file(candidate);
    if (elf && elf->interpreter.empty() && elf->needed.empty()) return fs::path(candidate);
  }
  return std::nullopt;
}

std::optional<std::string> build_sandbox_unavailable() {
  try {
    require_sandbox();
  } catch (const Error& error) {
    return std::string(error.what());
  }
  if (!static_busybox()) return "no static busybox (apt-get install busybox-static)";
  return std::nullopt;
}

TestRepository make_busybox_repository(const fs::path& base) {
  TestRepository repo;
  repo.arch = apk::host_apk_arch();
  repo.dir = base / "repo";
  fs::path keys = base / "keys";
  fs::create_directories(keys);
  static const RsaPrivateKey key = RsaPrivateKey::generate(2048);
  repo.private_key = keys / "test-build.rsa";
  repo.public_key = keys / "test-build.rsa.pub";
  write_file_atomic(repo.private_key, key.to_pem(), 0600);
  write_file_atomic(repo.public_key, key.public_pem(), 0644);

  TempDir tree("lupine-busybox-tree");
  fs::create_directories(tree.path() / "bin");
  fs::copy_file(*static_busybox(), tree.path() / "bin/busybox");
  ProcessOptions list;
  list.argv = {(tree.path() / "bin/busybox").string(), "--list"};
  auto applets = run_process(list);
  if (!applets.success()) fail("busybox --list: {}", applets.describe());
  size_t start = 0;
  for (size_t end; (end = applets.out.find('\n', start)) != std::string::npos; start = end + 1) {
    std::string applet = applets.out.substr(start, end - start);
    if (!applet.empty() && applet != "busybox") fs::create_symlink("busybox", tree.path() / "bin" / applet);
  }

  apk::PackOptions options;
  options.info.pkgname = "busybox";
  options.info.pkgver = "1.36.1-r0";
  options.info.arch = repo.arch;
  options.info.pkgdesc = "busybox for build tests";
  options.info.license = "GPL-2.0-only";
  options.info.origin = "busybox";
  options.info.provides = {"cmd:sh=1.36.1-r0"};
  options.mtime = 1700000000;
  options.threads = 1;
  options.signer.key = &key;
  options.signer.key_name = "test-build.rsa.pub";
  fs::path arch_dir = repo.dir / repo.arch;
  fs::create_directories(arch_dir);
  fs::path package = arch_dir / "busybox-1.36.1-r0.apk";
  apk::pack_directory(tree.path(), options, package);

  apk::Keyring keyring;
  keyring.add(repo.public_key);
  index::IndexBuildOptions index_options;
  index_options.output = arch_dir / "APKINDEX.tar.gz";
  index_options.keyring = &keyring;
  index_options.signer = options.signer;
  index_options.mtime = 1700000000;
  index::build_index({package}, index_options);
  return repo;
}

}  // namespace lupine::builder::testing
