#include "common/system_library.h"

#include "common/error.h"
#include "support/run.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

namespace lupine {

TEST(SystemLibrary, ResolvesFunctionsOfALoadedLibrary) {
  void* out[2] = {nullptr, nullptr};
  load_system_library({"libc.so.6", "", "testing"}, {"strlen", "strcmp"}, out);
  auto* length = reinterpret_cast<decltype(&std::strlen)>(out[0]);
  ASSERT_NE(length, nullptr);
  EXPECT_EQ(length("four"), 4u);
  EXPECT_NE(out[1], nullptr);
}

TEST(SystemLibrary, MissingLibraryNamesTheFileAndThePurpose) {
  void* out[1] = {nullptr};
  try {
    load_system_library({"liblupine-absent.so.7", "/nonexistent", "testing the message"}, {"f"}, out);
    FAIL() << "no error";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("cannot load liblupine-absent.so.7"), std::string::npos) << message;
    EXPECT_NE(message.find("testing the message"), std::string::npos) << message;
    EXPECT_NE(message.find("/nonexistent/liblupine-absent.so.7"), std::string::npos) << message;
  }
  EXPECT_EQ(out[0], nullptr);
}

TEST(SystemLibrary, MissingFunctionNamesItAndStoresNothing) {
  void* out[2] = {nullptr, nullptr};
  try {
    load_system_library({"libc.so.6", "", "testing"}, {"strlen", "lupine_no_such_function"}, out);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("lupine_no_such_function"), std::string::npos) << e.what();
  }
  EXPECT_EQ(out[0], nullptr);
}

// The point of lazy loading: the lupine binary starts without libcurl, libarchive (and what they
// pull in) and libcrypto. LD_TRACE_LOADED_OBJECTS makes the loader list what it would load (ldd).
TEST(SystemLibrary, LupineStartsWithoutCurlArchiveAndCrypto) {
  const char* binary = std::getenv("LUPINE_BINARY");
  if (!binary) GTEST_SKIP() << "LUPINE_BINARY not set (run through ctest)";
  auto result = testing::run({"env", "LD_TRACE_LOADED_OBJECTS=1", binary});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("libc.so"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("libcurl"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("libarchive"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("libcrypto"), std::string::npos) << result.out;
}

}  // namespace lupine
