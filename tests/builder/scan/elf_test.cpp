// The ELF reader on hand-made images (32/64-bit, little/big-endian, with and without section
// headers) and on files the host's gcc makes.
#include "builder/scan/elf.h"

#include "common/error.h"
#include "common/fs.h"
#include "common/process.h"
#include "support/fixtures.h"
#include "support/run.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lupine::builder {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
namespace fs = std::filesystem;

// A minimal dynamic ELF image: header, program headers (PT_INTERP, PT_LOAD over the whole file,
// PT_DYNAMIC), the interpreter name, .dynstr, .dynamic and optionally section headers.
struct ElfImage {
  bool is_64 = true;
  bool big_endian = false;
  std::string interpreter;
  std::vector<std::string> needed;
  std::string soname;
  std::string runpath;
  bool section_headers = true;

  std::string bytes;

  void put(uint64_t value, size_t size) {
    for (size_t i = 0; i < size; ++i) {
      size_t shift = big_endian ? (size - 1 - i) * 8 : i * 8;
      bytes += static_cast<char>((value >> shift) & 0xff);
    }
  }
  void word(uint64_t value) { put(value, is_64 ? 8 : 4); }
  void pad_to(size_t offset) { bytes.resize(offset, '\0'); }

  std::string build() {
    constexpr uint64_t base = 0x400000;
    const size_t header_size = is_64 ? 64 : 52, ph_size = is_64 ? 56 : 32, sh_size = is_64 ? 64 : 40;
    const size_t dyn_size = is_64 ? 16 : 8;
    std::vector<uint32_t> ph_types;
    if (!interpreter.empty()) ph_types.push_back(3);
    ph_types.push_back(1);
    ph_types.push_back(2);

    // Layout.
    size_t interp_offset = header_size + ph_types.size() * ph_size;
    size_t strtab_offset = interp_offset + (interpreter.empty() ? 0 : interpreter.size() + 1);
    std::string strtab(1, '\0');
    std::vector<std::pair<int64_t, uint64_t>> dynamic;
    auto add_string = [&](const std::string& text) {
      uint64_t offset = strtab.size();
      strtab += text;
      strtab += '\0';
      return offset;
    };
    for (const auto& library : needed) dynamic.emplace_back(1, add_string(library));
    if (!soname.empty()) dynamic.emplace_back(14, add_string(soname));
    if (!runpath.empty()) dynamic.emplace_back(29, add_string(runpath));
    dynamic.emplace_back(5, base + strtab_offset);  // DT_STRTAB: an address
    dynamic.emplace_back(10, strtab.size());        // DT_STRSZ
    dynamic.emplace_back(0, 0);
    size_t dynamic_offset = (strtab_offset + strtab.size() + 7) / 8 * 8;
    size_t dynamic_bytes = dynamic.size() * dyn_size;
    size_t sections_offset = (dynamic_offset + dynamic_bytes + 7) / 8 * 8;
    size_t file_size = section_headers ? sections_offset + 3 * sh_size : sections_offset;

    bytes.clear();
    bytes += "\x7f" "ELF";
    bytes += static_cast<char>(is_64 ? 2 : 1);
    bytes += static_cast<char>(big_endian ? 2 : 1);
    bytes += static_cast<char>(1);  // EI_VERSION
    pad_to(16);
    put(3, 2);                                 // e_type ET_DYN
    put(is_64 ? 62 : 3, 2);                    // e_machine
    put(1, 4);                                 // e_version
    word(0);                                   // e_entry
    word(header_size);                         // e_phoff
    word(section_headers ? sections_offset : 0);  // e_shoff
    put(0, 4);                                 // e_flags
    put(header_size, 2);
    put(ph_size, 2);
    put(ph_types.size(), 2);
    put(sh_size, 2);
    put(section_headers ? 3 : 0, 2);
    put(0, 2);  // e_shstrndx
    for (uint32_t type : ph_types) {
      uint64_t offset = type == 3 ? interp_offset : type == 1 ? 0 : dynamic_offset;
      uint64_t size = type == 3 ? interpreter.size() + 1 : type == 1 ? file_size : dynamic_bytes;
      put(type, 4);
      if (is_64) {
        put(type == 1 ? 5 : 4, 4);  // p_flags
        word(offset);
        word(base + offset);
        word(base + offset);
        word(size);
        word(size);
        word(8);
      } else {
        word(offset);
        word(base + offset);
        word(base + offset);
        word(size);
        word(size);
        put(4, 4);
        word(4);
      }
    }
    if (!interpreter.empty()) {
      bytes += interpreter;
      bytes += '\0';
    }
    bytes += strtab;
    pad_to(dynamic_offset);
    for (const auto& [tag, value] : dynamic) {
      word(static_cast<uint64_t>(tag));
      word(value);
    }
    pad_to(sections_offset);
    if (section_headers) {
      auto section = [&](uint32_t type, uint64_t offset, uint64_t size, uint32_t link, uint64_t entsize) {
        put(0, 4);     // sh_name
        put(type, 4);  // sh_type
        word(0);       // sh_flags
        word(offset ? base + offset : 0);
        word(offset);
        word(size);
        put(link, 4);
        put(0, 4);
        word(offset ? 8 : 0);
        word(entsize);
      };
      section(0, 0, 0, 0, 0);
      section(3, strtab_offset, strtab.size(), 0, 0);          // .dynstr
      section(6, dynamic_offset, dynamic_bytes, 1, dyn_size);  // .dynamic -> .dynstr
    }
    return bytes;
  }
};

class ElfLayouts : public ::testing::TestWithParam<std::tuple<bool, bool, bool>> {};

TEST_P(ElfLayouts, ReadsInterpreterNeededSonameAndRunpath) {
  auto [is_64, big_endian, section_headers] = GetParam();
  ElfImage image;
  image.is_64 = is_64;
  image.big_endian = big_endian;
  image.section_headers = section_headers;
  image.interpreter = "/lib/ld-musl-x86_64.so.1";
  image.needed = {"libz.so.1", "libc.musl-x86_64.so.1"};
  image.soname = "libdemo.so.2";
  image.runpath = "/opt/a:/opt/b";
  auto info = parse_elf(image.build());
  ASSERT_TRUE(info);
  EXPECT_EQ(info->is_64, is_64);
  EXPECT_EQ(info->big_endian, big_endian);
  EXPECT_EQ(info->type, 3);
  EXPECT_EQ(info->interpreter, "/lib/ld-musl-x86_64.so.1");
  EXPECT_THAT(info->needed, ElementsAre("libz.so.1", "libc.musl-x86_64.so.1"));
  EXPECT_THAT(info->sonames, ElementsAre("libdemo.so.2"));
  EXPECT_THAT(info->runpath, ElementsAre("/opt/a", "/opt/b"));
}

INSTANTIATE_TEST_SUITE_P(Elf, ElfLayouts,
                         ::testing::Combine(::testing::Bool(), ::testing::Bool(), ::testing::Bool()),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param) ? "Elf64" : "Elf32") +
                                  (std::get<1>(info.param) ? "BigEndian" : "LittleEndian") +
                                  (std::get<2>(info.param) ? "Sections" : "ProgramHeadersOnly");
                         });

TEST(Elf, NotElfIsNullopt) {
  EXPECT_FALSE(parse_elf("#!/bin/sh\necho hi\n"));
  EXPECT_FALSE(parse_elf(""));
  EXPECT_FALSE(parse_elf("\x7f" "EL"));
}

TEST(Elf, MalformedElfIsAnError) {
  ElfImage image;
  image.needed = {"libc.so.6"};
  std::string bytes = image.build();
  EXPECT_THROW(parse_elf(bytes.substr(0, 80)), Error);  // program headers cut off
  std::string bad_class = bytes;
  bad_class[4] = 7;
  EXPECT_THROW(parse_elf(bad_class), Error);
}

TEST(Elf, StaticImageHasNoInterpreterNorNeeded) {
  ElfImage image;  // PT_DYNAMIC with no DT_NEEDED, no PT_INTERP
  auto info = parse_elf(image.build());
  ASSERT_TRUE(info);
  EXPECT_EQ(info->interpreter, "");
  EXPECT_THAT(info->needed, IsEmpty());
  EXPECT_THAT(info->sonames, IsEmpty());
}

// Files from the real toolchain: a shared library with a soname and a program linking it.
TEST(Elf, ReadsWhatGccMakes) {
  if (find_program("gcc", current_path_list()).empty()) {
    if (::lupine::testing::fixtures_required()) FAIL() << "gcc not found";
    GTEST_SKIP() << "gcc not found";
  }
  TempDir dir("lupine-elf");
  write_file_atomic(dir.path() / "demo.c", "int demo(void) { return 42; }\n");
  write_file_atomic(dir.path() / "main.c", "int demo(void);\nint main(void) { return demo() - 42; }\n");
  auto gcc = [&](std::vector<std::string> args) {
    ProcessOptions options;
    options.argv = {"gcc"};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    options.cwd = dir.path();
    auto result = run_process(options);
    ASSERT_TRUE(result.success()) << result.err;
  };
  gcc({"-shared", "-fPIC", "-Wl,-soname,libdemo.so.1", "-o", "libdemo.so.1.0.0", "demo.c"});
  gcc({"-o", "main", "main.c", "-L.", "-l:libdemo.so.1.0.0"});
  auto library = read_elf_file(dir.path() / "libdemo.so.1.0.0");
  ASSERT_TRUE(library);
  EXPECT_THAT(library->sonames, ElementsAre("libdemo.so.1"));
  EXPECT_EQ(library->interpreter, "");
  auto program = read_elf_file(dir.path() / "main");
  ASSERT_TRUE(program);
  EXPECT_THAT(program->needed, ElementsAre("libdemo.so.1", "libc.so.6"));
  EXPECT_THAT(program->interpreter, ::testing::StartsWith("/lib"));
  EXPECT_THAT(program->sonames, IsEmpty());
  EXPECT_THROW(read_elf_file(dir.path() / "missing"), Error);
}

// Symbol versions: a library with a version script defines DEMO_1 and DEMO_2; a program calling
// the DEMO_2 symbol needs it from that library, and glibc's from libc.so.6.
TEST(Elf, ReadsTheSymbolVersionsNeededAndDefined) {
  if (find_program("gcc", current_path_list()).empty()) {
    if (::lupine::testing::fixtures_required()) FAIL() << "gcc not found";
    GTEST_SKIP() << "gcc not found";
  }
  TempDir dir("lupine-elf-versions");
  write_file_atomic(dir.path() / "demo.c", "int old_demo(void) { return 1; }\nint new_demo(void) { return 2; }\n");
  write_file_atomic(dir.path() / "demo.map", "DEMO_1 { global: old_demo; local: *; };\nDEMO_2 { global: new_demo; } DEMO_1;\n");
  write_file_atomic(dir.path() / "main.c",
                    "#include <stdio.h>\nint new_demo(void);\nint main(void) { printf(\"%d\\n\", new_demo()); return 0; }\n");
  const std::string at = dir.path().string() + "/";
  auto library_built = ::lupine::testing::run({"gcc", "-shared", "-fPIC", "-Wl,-soname,libdemo.so.1",
                                               "-Wl,--version-script=" + at + "demo.map", "-o", at + "libdemo.so.1", at + "demo.c"});
  ASSERT_EQ(library_built.exit_code, 0) << library_built.err;
  auto program_built = ::lupine::testing::run({"gcc", "-o", at + "main", at + "main.c", "-L" + at, "-l:libdemo.so.1"});
  ASSERT_EQ(program_built.exit_code, 0) << program_built.err;
  auto library = read_elf_file(dir.path() / "libdemo.so.1");
  ASSERT_TRUE(library);
  EXPECT_THAT(library->version_defs, ElementsAre("DEMO_1", "DEMO_2"));
  auto program = read_elf_file(dir.path() / "main");
  ASSERT_TRUE(program);
  std::vector<std::string> needs;
  for (const auto& need : program->version_needs) needs.push_back(need.file + " " + need.version);
  EXPECT_THAT(needs, ::testing::Contains("libdemo.so.1 DEMO_2"));
  EXPECT_THAT(needs, ::testing::Contains(::testing::StartsWith("libc.so.6 GLIBC_2.")));
  EXPECT_THAT(program->version_defs, IsEmpty());
  // glibc defines its versions, the oldest first.
  if (std::filesystem::exists("/lib/x86_64-linux-gnu/libc.so.6")) {
    auto libc = read_elf_file("/lib/x86_64-linux-gnu/libc.so.6");
    ASSERT_TRUE(libc);
    EXPECT_THAT(libc->version_defs, ::testing::Contains("GLIBC_2.2.5"));
  }
}

}  // namespace
}  // namespace lupine::builder
