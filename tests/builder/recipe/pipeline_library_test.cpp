#include "builder/recipe/pipeline_library.h"

#include "common/fs.h"
#include "builder/recipe/test_data.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

namespace lupine::builder {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

TEST(PipelineLibrary, SearchesDirectoriesInOrder) {
  TempDir first("lupine-pipelines"), second("lupine-pipelines");
  write(first.path() / "shared.yaml", "name: from first\n");
  write(second.path() / "shared.yaml", "name: from second\n");
  write(second.path() / "nested/only-second.yaml", "name: only in second\ninputs:\n  x:\n    default: 1\n");
  PipelineLibrary library({first.path(), second.path()});
  auto shared = library.find("shared");
  ASSERT_NE(shared, nullptr);
  EXPECT_EQ(shared->step.name.value, "from first");
  EXPECT_EQ(shared->path, first.path() / "shared.yaml");
  auto nested = library.find("nested/only-second");
  ASSERT_NE(nested, nullptr);
  ASSERT_NE(nested->find_input("x"), nullptr);
  EXPECT_EQ(nested->find_input("x")->default_value.value, "1");
  EXPECT_EQ(library.find("missing"), nullptr);
  EXPECT_EQ(library.available(), (std::vector<std::string>{"nested/only-second", "shared"}));
}

TEST(PipelineLibrary, ParsesEachFileOnce) {
  TempDir dir("lupine-pipelines");
  write(dir.path() / "p.yaml", "name: p\n");
  PipelineLibrary library({dir.path()});
  auto a = library.find("p");
  write(dir.path() / "p.yaml", "name: changed\n");
  auto b = library.find("p");
  EXPECT_EQ(a.get(), b.get());
  EXPECT_EQ(b->step.name.value, "p");
}

TEST(PipelineLibrary, RejectsPathsOutsideTheLibrary) {
  EXPECT_NE(PipelineLibrary::invalid_name_reason("/etc/passwd"), "");
  EXPECT_NE(PipelineLibrary::invalid_name_reason("../secret"), "");
  EXPECT_NE(PipelineLibrary::invalid_name_reason("a/../../b"), "");
  EXPECT_EQ(PipelineLibrary::invalid_name_reason("autoconf/make"), "");
  PipelineLibrary library({testing::data_dir() / "pipelines"});
  EXPECT_EQ(library.find("../broken"), nullptr);
}

TEST(PipelineLibrary, KeepsProblemsOfTheFile) {
  TempDir dir("lupine-pipelines");
  write(dir.path() / "bad.yaml", "name: bad\ninputs:\n  x:\n    requird: true\n");
  PipelineLibrary library({dir.path()});
  auto bad = library.find("bad");
  ASSERT_NE(bad, nullptr);
  ASSERT_EQ(bad->diagnostics.error_count(), 1u);
  EXPECT_EQ(bad->diagnostics.items()[0].where.line, 4);
  EXPECT_NE(bad->diagnostics.items()[0].message.find("did you mean \"required\""), std::string::npos);
}

TEST(PipelineLibrary, BuiltinDirectoryFromTheEnvironment) {
  TempDir dir("lupine-pipelines");
  const char* saved = std::getenv("LUPINE_PIPELINE_DIR");
  std::string restore = saved ? saved : "";
  ::setenv("LUPINE_PIPELINE_DIR", dir.path().c_str(), 1);
  auto builtin = builtin_pipeline_dir();
  auto search = PipelineLibrary::search_path_with_builtin({"/first"});
  if (saved) ::setenv("LUPINE_PIPELINE_DIR", restore.c_str(), 1);
  else ::unsetenv("LUPINE_PIPELINE_DIR");
  ASSERT_TRUE(builtin);
  EXPECT_EQ(*builtin, dir.path());
  EXPECT_EQ(search, (std::vector<fs::path>{"/first", dir.path()}));
}

}  // namespace
}  // namespace lupine::builder
