// image check on purpose-built images: real programs compiled here with the host's gcc, placed with
// the host's C library and loader into image trees made from tar layers, each broken one way.
#include "image/image_check.h"

#include "builder/scan/elf.h"
#include "common/fs.h"
#include "common/process.h"
#include "support/run.h"
#include "support/fixtures.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lupine::image {
namespace {

using apk::TarType;
using ::testing::HasSubstr;

struct Item {
  Item(std::string path, TarType type, uint32_t mode, std::string data = "", uint32_t uid = 0, uint32_t gid = 0)
      : path(std::move(path)), type(type), mode(mode), data(std::move(data)), uid(uid), gid(gid) {}
  std::string path;
  TarType type;
  uint32_t mode;
  std::string data;  // contents, or a symlink's target
  uint32_t uid, gid;
};

class ImageCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    if (find_program("gcc", current_path_list()).empty()) {
      if (::lupine::testing::fixtures_required()) FAIL() << "gcc not found";
      GTEST_SKIP() << "gcc not found";
    }
    write_file_atomic(dir_.path() / "hello.c", "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n");
    write_file_atomic(dir_.path() / "foo.c", "int foo(void) { return 1; }\n");
    write_file_atomic(dir_.path() / "usefoo.c", "int foo(void);\nint main(void) { return foo() - 1; }\n");
    gcc({"-o", at("hello"), at("hello.c")});
    gcc({"-shared", "-fPIC", "-Wl,-soname,libfoo.so.1", "-o", at("libfoo.so.1"), at("foo.c")});
    gcc({"-shared", "-fPIC", "-Wl,-soname,libssl.so.3", "-o", at("libssl.so.3"), at("foo.c")});
    gcc({"-o", at("usefoo"), at("usefoo.c"), "-L" + dir_.path().string(), "-l:libfoo.so.1"});
    hello_ = read_file(dir_.path() / "hello");
    interpreter_ = builder::parse_elf(hello_)->interpreter;
    libc_ = read_file(output_of({"gcc", "-print-file-name=libc.so.6"}));
    loader_ = read_file(std::filesystem::canonical(interpreter_));
  }

  std::string at(const std::string& name) const { return (dir_.path() / name).string(); }

  static void gcc(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"gcc"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto result = ::lupine::testing::run(argv);
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }

  static std::string output_of(const std::vector<std::string>& argv) {
    std::string out = ::lupine::testing::run(argv).out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }

  // A distroless-like root: accounts, /tmp, the loader and libc in /usr/lib, /usr/bin/hello.
  std::vector<Item> base() const {
    return {{"etc", TarType::directory, 0755},
            {"etc/passwd", TarType::regular, 0644,
             "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"},
            {"etc/group", TarType::regular, 0644, "root:x:0:\nnonroot:x:65532:\n"},
            {"home", TarType::directory, 0755},
            {"home/nonroot", TarType::directory, 0700, "", 65532, 65532},
            {"root", TarType::directory, 0700},
            {"tmp", TarType::directory, 01777},
            {"usr", TarType::directory, 0755},
            {"usr/bin", TarType::directory, 0755},
            {"usr/bin/hello", TarType::regular, 0755, hello_},
            {"usr/lib", TarType::directory, 0755},
            {"usr/lib/libc.so.6", TarType::regular, 0755, libc_},
            {"usr/lib/" + std::filesystem::path(interpreter_).filename().string(), TarType::regular, 0755, loader_},
            {std::filesystem::path(interpreter_).relative_path().parent_path().string(), TarType::symlink, 0777, "usr/lib"}};
  }

  static ImageTree tree_of(const std::vector<Item>& items) {
    std::string tar;
    for (const auto& item : items) {
      apk::TarEntry entry;
      entry.path = item.path;
      entry.type = item.type;
      entry.mode = item.mode;
      entry.uid = item.uid;
      entry.gid = item.gid;
      std::string data;
      if (item.type == TarType::symlink) entry.link_target = item.data;
      else if (item.type == TarType::regular) data = item.data;
      entry.size = data.size();
      tar += apk::tar_header(entry) + data + std::string(apk::tar_padding(data.size()));
    }
    tar += std::string(apk::tar_end_of_archive());
    ImageTree tree;
    tree.apply_layer(tar, "test layer");
    return tree;
  }

  static RunConfig runs(std::string program, std::string user = "65532") {
    RunConfig config;
    config.entrypoint = {std::move(program)};
    config.user = std::move(user);
    config.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
    config.working_dir = "/";
    return config;
  }

  static std::vector<std::string> errors(const std::vector<Finding>& findings) {
    std::vector<std::string> out;
    for (const auto& f : findings)
      if (f.severity == Severity::error) out.push_back(f.check + " " + f.file + ": " + f.message);
    return out;
  }

  TempDir dir_{"lupine-image-check"};
  std::string hello_, interpreter_, libc_, loader_;
};

TEST_F(ImageCheck, AWorkingImageHasNoError) {
  auto findings = check_image(tree_of(base()), runs("/usr/bin/hello"));
  EXPECT_THAT(errors(findings), ::testing::IsEmpty());
  // By name through PATH too.
  EXPECT_THAT(errors(check_image(tree_of(base()), runs("hello"))), ::testing::IsEmpty());
}

TEST_F(ImageCheck, AMissingLibraryIsNamedWithTheProgramNeedingIt) {
  auto items = base();
  items.push_back({"usr/bin/usefoo", TarType::regular, 0755, read_file(dir_.path() / "usefoo")});
  auto found = errors(check_image(tree_of(items), runs("/usr/bin/usefoo")));
  ASSERT_EQ(found.size(), 1u) << ::testing::PrintToString(found);
  EXPECT_THAT(found[0], HasSubstr("library /usr/bin/usefoo: needs libfoo.so.1, which is in none of"));
  // In a directory /etc/ld.so.conf names (through an include), it is found.
  items.push_back({"opt", TarType::directory, 0755});
  items.push_back({"opt/foo", TarType::directory, 0755});
  items.push_back({"opt/foo/libfoo.so.1", TarType::regular, 0755, read_file(dir_.path() / "libfoo.so.1")});
  items.push_back({"etc/ld.so.conf", TarType::regular, 0644, "include /etc/ld.so.conf.d/*.conf\n"});
  items.push_back({"etc/ld.so.conf.d", TarType::directory, 0755});
  items.push_back({"etc/ld.so.conf.d/foo.conf", TarType::regular, 0644, "# foo\n/opt/foo\n"});
  EXPECT_THAT(errors(check_image(tree_of(items), runs("/usr/bin/usefoo"))), ::testing::IsEmpty());
}

// A program built against a newer C library: it needs GLIBC_2.99 (its version string patched, as
// a newer glibc's linker would have written it), which this image's libc.so.6 does not define.
TEST_F(ImageCheck, ASymbolVersionTheLibraryLacksIsAnError) {
  std::string future = hello_;
  auto info = builder::parse_elf(future);
  std::string needed;
  for (const auto& need : info->version_needs)
    if (need.file == "libc.so.6" && need.version.size() == std::string("GLIBC_2.34").size()) needed = need.version;
  ASSERT_FALSE(needed.empty()) << "hello needs no GLIBC_2.xy version";
  future.replace(future.find(needed + '\0'), needed.size(), "GLIBC_2.99");
  auto items = base();
  items.push_back({"usr/bin/future", TarType::regular, 0755, future});
  auto found = errors(check_image(tree_of(items), runs("/usr/bin/future")));
  ASSERT_EQ(found.size(), 1u) << ::testing::PrintToString(found);
  EXPECT_THAT(found[0], HasSubstr("symbol-version /usr/bin/future: needs symbol version GLIBC_2.99 from libc.so.6 "
                                  "(/usr/lib/libc.so.6), which does not define it"));
}

TEST_F(ImageCheck, AnEntrypointTheUserCannotExecuteIsAnError) {
  auto items = base();
  items.push_back({"usr/bin/private", TarType::regular, 0700, hello_});
  auto found = errors(check_image(tree_of(items), runs("/usr/bin/private")));
  ASSERT_EQ(found.size(), 1u) << ::testing::PrintToString(found);
  EXPECT_THAT(found[0], HasSubstr("entrypoint /usr/bin/private: the entrypoint is not executable by the run-as user "
                                  "(uid 65532; mode 0700, owner 0:0)"));
  EXPECT_THAT(errors(check_image(tree_of(items), runs("/usr/bin/private", "root"))), ::testing::IsEmpty());
  auto missing = errors(check_image(tree_of(items), runs("/usr/bin/nothing")));
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_THAT(missing[0], HasSubstr("the entrypoint /usr/bin/nothing is not in the image"));
  // A script whose interpreter is missing.
  items.push_back({"usr/bin/script", TarType::regular, 0755, "#!/usr/bin/python3\nprint(1)\n"});
  auto script = errors(check_image(tree_of(items), runs("/usr/bin/script")));
  ASSERT_EQ(script.size(), 1u);
  EXPECT_THAT(script[0], HasSubstr("entrypoint /usr/bin/script: the entrypoint's interpreter /usr/bin/python3 is not in the image"));
}

TEST_F(ImageCheck, ARunAsUserMissingFromPasswdIsAnError) {
  auto found = errors(check_image(tree_of(base()), runs("/usr/bin/hello", "app")));
  ASSERT_EQ(found.size(), 1u) << ::testing::PrintToString(found);
  EXPECT_THAT(found[0], HasSubstr("user /etc/passwd: the image runs as user app, which /etc/passwd does not list"));
  auto group = errors(check_image(tree_of(base()), runs("/usr/bin/hello", "65532:wheel")));
  ASSERT_EQ(group.size(), 1u);
  EXPECT_THAT(group[0], HasSubstr("group /etc/group: the image runs as group wheel"));
  auto items = base();
  items.erase(std::find_if(items.begin(), items.end(), [](const Item& i) { return i.path == "home/nonroot"; }));
  auto home = errors(check_image(tree_of(items), runs("/usr/bin/hello")));
  ASSERT_EQ(home.size(), 1u);
  EXPECT_THAT(home[0], HasSubstr("user nonroot's home directory /home/nonroot is not in the image"));
}

TEST_F(ImageCheck, LibsslWithoutACaBundleIsAnError) {
  auto items = base();
  items.push_back({"usr/lib/libssl.so.3", TarType::regular, 0755, read_file(dir_.path() / "libssl.so.3")});
  auto found = errors(check_image(tree_of(items), runs("/usr/bin/hello")));
  ASSERT_EQ(found.size(), 1u) << ::testing::PrintToString(found);
  EXPECT_THAT(found[0], HasSubstr("ca-bundle /usr/lib/libssl.so.3: the image has TLS libraries but no CA bundle"));
  items.push_back({"etc/ssl", TarType::directory, 0755});
  items.push_back({"etc/ssl/certs", TarType::directory, 0755});
  items.push_back({"etc/ssl/certs/ca-certificates.crt", TarType::regular, 0644,
                   "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"});
  EXPECT_THAT(errors(check_image(tree_of(items), runs("/usr/bin/hello"))), ::testing::IsEmpty());
}

TEST_F(ImageCheck, TmpMissingOrClosedIsAnErrorAndTheAttackSurfaceIsListed) {
  auto items = base();
  for (auto& item : items)
    if (item.path == "tmp") item.mode = 0755;
  items.push_back({"usr/bin/su", TarType::regular, 04755, hello_});
  items.push_back({"usr/bin/open", TarType::regular, 0777, "data"});
  items.push_back({"usr/bin/sh", TarType::symlink, 0777, "hello"});
  items.push_back({"usr/bin/apk", TarType::regular, 0755, hello_});
  auto findings = check_image(tree_of(items), runs("/usr/bin/hello"));
  auto found = errors(findings);
  ASSERT_EQ(found.size(), 1u) << ::testing::PrintToString(found);
  EXPECT_THAT(found[0], HasSubstr("tmp /tmp: the run-as user (uid 65532) cannot write /tmp (mode 0755, owner 0:0)"));
  std::vector<std::string> notes;
  for (const auto& f : findings)
    if (f.severity == Severity::note) notes.push_back(f.check + " " + f.file);
  EXPECT_THAT(notes, ::testing::UnorderedElementsAre("setuid /usr/bin/su", "world-writable /usr/bin/open", "shell /usr/bin/sh",
                                                     "package-manager /usr/bin/apk"));
}

}  // namespace
}  // namespace lupine::image
