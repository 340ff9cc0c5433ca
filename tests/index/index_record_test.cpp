#include "index/index_record.h"

#include "common/error.h"

#include <gtest/gtest.h>

namespace lupine::index {

TEST(IndexRecord, ParsesAndWritesInApkToolsOrder) {
  const char* text =
      "C:Q1L7EnY9Q9b23ejRHAmb0g09QaLEo=\nP:musl\nV:1.2.3-r2\nA:x86_64\nS:383152\nI:622592\n"
      "T:the musl c library\nU:https://musl.libc.org/\nL:MIT\no:musl\nm:Someone <a@b>\nt:1660000000\n"
      "c:abc\nk:10\nD:so:libc.musl-x86_64.so.1 /bin/sh\np:so:libc.musl-x86_64.so.1=1\ni:a b\n\n"
      "C:Q1hdUpqRv5mYgJEqW52UmVsvmyysF=\nP:b\nV:1\nS:1\nI:1\nT:\nU:\nL:\nZ:new\nx:lower\n";
  auto records = parse_apkindex(text, "APKINDEX");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].name, "musl");
  EXPECT_EQ(records[0].depends, (std::vector<std::string>{"so:libc.musl-x86_64.so.1", "/bin/sh"}));
  EXPECT_EQ(records[0].provider_priority, 10);
  EXPECT_FALSE(records[0].uninstallable);
  EXPECT_TRUE(records[1].uninstallable);  // unknown upper-case field
  EXPECT_EQ(records[1].unknown.size(), 2u);
  EXPECT_EQ(records[1].line, 19u);
  std::string out;
  append_index_record(out, records[0]);
  EXPECT_EQ(out, std::string(text).substr(0, out.size()));
}

TEST(IndexRecord, ErrorsNameTheLine) {
  try {
    parse_apkindex("C:Q1x=\nP:a\nV:1\n\nP:b\nV:1\n\n", "repo/APKINDEX");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "repo/APKINDEX:5: package b has no C: (identity checksum)");
  }
  EXPECT_THROW(parse_apkindex("garbage\n", "x"), Error);
  EXPECT_THROW(parse_apkindex("C:Q1x=\nP:a\nV:1\nS:lots\n", "x"), Error);
}

}  // namespace lupine::index
