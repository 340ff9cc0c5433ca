#include "index/busybox_links.h"

#include "common/error.h"
#include "common/fs.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace lupine::index {

namespace fs = std::filesystem;

namespace {

InstalledDbPackage installed(const std::string& name, std::vector<std::string> provides = {}) {
  InstalledDbPackage package;
  package.record.name = name;
  package.record.version = "1.37.0-r0";
  package.record.provides = std::move(provides);
  return package;
}

// A Wolfi-merged root (bin -> usr/bin, sbin -> usr/bin) with busybox's binary and list, and
// coreutils' ls as a regular file.
fs::path merged_root(const TempDir& dir, const std::string& list_name, const std::string& list) {
  fs::path root = dir.path() / "root";
  fs::create_directories(root / "usr/bin");
  fs::create_directories(root / "etc/busybox-paths.d");
  fs::create_directory_symlink("usr/bin", root / "bin");
  fs::create_directory_symlink("usr/bin", root / "sbin");
  write_file_atomic(root / "usr/bin/busybox", "ELF", 0755);
  write_file_atomic(root / "usr/bin/ls", "GNU ls", 0755);
  write_file_atomic(root / "etc/busybox-paths.d" / list_name, list);
  return root;
}

}  // namespace

TEST(BusyboxLinks, LinksListedAppletsWhereNothingElseIs) {
  TempDir dir;
  fs::path root = merged_root(dir, "busybox", "usr/bin/busybox\nusr/bin/ls\nusr/bin/awk\nusr/bin/mount\n\nusr/bin/awk\n"
                                              "usr/libexec/busybox/x\n");
  BusyboxLinks links = install_busybox_links(root, {installed("busybox"), installed("coreutils")});
  EXPECT_EQ(links.provider, "busybox");
  EXPECT_EQ(links.created, 3u);  // awk, mount and the directory apko would make too; awk listed twice
  EXPECT_EQ(fs::read_symlink(root / "usr/bin/awk"), "/bin/busybox");
  EXPECT_EQ(fs::read_symlink(root / "usr/bin/mount"), "/bin/busybox");
  EXPECT_EQ(fs::read_symlink(root / "usr/libexec/busybox/x"), "/bin/busybox");
  // The file another package ships stays, and so does busybox itself.
  EXPECT_FALSE(fs::is_symlink(root / "usr/bin/ls"));
  EXPECT_EQ(read_file(root / "usr/bin/ls"), "GNU ls");
  EXPECT_FALSE(fs::is_symlink(root / "usr/bin/busybox"));

  // Again: nothing new (the links exist now).
  EXPECT_EQ(install_busybox_links(root, {installed("busybox")}).created, 0u);
}

TEST(BusyboxLinks, ListOfThePackageProvidingBusybox) {
  TempDir dir;
  fs::path root = merged_root(dir, "busybox-full", "usr/bin/wget\n");
  write_file_atomic(root / "etc/busybox-paths.d/other", "usr/bin/other\n");
  BusyboxLinks links = install_busybox_links(root, {installed("busybox-full", {"busybox=1.37.0-r0"})});
  EXPECT_EQ(links.provider, "busybox-full");
  EXPECT_EQ(links.created, 1u);
  EXPECT_TRUE(fs::is_symlink(root / "usr/bin/wget"));
  EXPECT_FALSE(fs::exists(fs::symlink_status(root / "usr/bin/other")));
}

TEST(BusyboxLinks, NothingWithoutTheBinaryOrThePackage) {
  TempDir dir;
  fs::path root = merged_root(dir, "busybox", "usr/bin/awk\n");
  EXPECT_EQ(install_busybox_links(root, {installed("coreutils")}).created, 0u);
  fs::remove(root / "usr/bin/busybox");
  BusyboxLinks links = install_busybox_links(root, {installed("busybox")});
  EXPECT_EQ(links.created, 0u);
  EXPECT_EQ(links.provider, "");
  EXPECT_FALSE(fs::exists(fs::symlink_status(root / "usr/bin/awk")));
}

TEST(BusyboxLinks, RefusesAPathLeavingTheRoot) {
  TempDir dir;
  fs::path root = merged_root(dir, "busybox", "usr/bin/awk\n../../outside\n");
  try {
    install_busybox_links(root, {installed("busybox")});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("etc/busybox-paths.d/busybox:2: ../../outside"), std::string::npos) << message;
  }
  EXPECT_FALSE(fs::exists(fs::symlink_status(dir.path() / "outside")));
}

TEST(BusyboxLinks, AbsoluteLinksInTheRootStayInside) {
  // A directory on the way that is an absolute link is resolved in the root, never on the host.
  TempDir dir;
  fs::path root = merged_root(dir, "busybox", "usr/local/bin/tool\n");
  fs::create_directories(root / "opt");
  fs::create_directory_symlink("/opt", root / "usr/local");
  install_busybox_links(root, {installed("busybox")});
  EXPECT_TRUE(fs::is_symlink(root / "opt/bin/tool"));
}

}  // namespace lupine::index
