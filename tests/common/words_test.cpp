// append_words / split_words: the separator-set loop and the single-separator (memchr) one agree.
#include "common/words.h"

#include <gtest/gtest.h>

namespace lupine {
namespace {

using Words = std::vector<std::string_view>;

TEST(Words, DefaultSeparatorsSkipEmptyWords) {
  EXPECT_EQ(split_words("  a\tb \r\n c  "), (Words{"a", "b", "c"}));
  EXPECT_EQ(split_words(""), Words{});
  EXPECT_EQ(split_words(" \t\r\n"), Words{});
  EXPECT_EQ(split_words("single"), Words{"single"});
}

TEST(Words, OneSeparator) {
  EXPECT_EQ(split_words("so:libc.so.6 cmd:sh=1.2  pc:zlib ", " "), (Words{"so:libc.so.6", "cmd:sh=1.2", "pc:zlib"}));
  EXPECT_EQ(split_words(" lead", " "), Words{"lead"});
  EXPECT_EQ(split_words("a\tb", " "), Words{"a\tb"});  // only the given separator splits
  EXPECT_EQ(split_words("   ", " "), Words{});
  EXPECT_EQ(split_words("", " "), Words{});
}

TEST(Words, AppendsStringsAfterExistingOnes) {
  std::vector<std::string> out{"first"};
  append_words(out, "x y", " ");
  append_words(out, "z\tw", " \t");
  EXPECT_EQ(out, (std::vector<std::string>{"first", "x", "y", "z", "w"}));
}

}  // namespace
}  // namespace lupine
