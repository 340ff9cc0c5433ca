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

// canonical_stanzas: an index lupine wrote is split, not parsed; anything append_index_record would
// not write back byte for byte makes it give up (the caller then parses).
TEST(IndexRecord, CanonicalStanzasOfWhatLupineWrites) {
  IndexRecord full;
  full.identity = "Q1L7EnY9Q9b23ejRHAmb0g09QaLEo=";
  full.name = "musl";
  full.version = "1.2.3-r2";
  full.arch = "x86_64";
  full.file_size = 383152;
  full.installed_size = 0;
  full.description = "the musl c library";
  full.origin = "musl";
  full.maintainer = "Someone <a@b>";
  full.build_time = -5;
  full.commit = "abc";
  full.provider_priority = 10;
  full.depends = {"so:libc.musl-x86_64.so.1", "/bin/sh"};
  full.provides = {"cmd:x=1"};
  full.install_if = {"a", "b"};
  IndexRecord bare;  // only what is always written
  bare.identity = "Q1hdUpqRv5mYgJEqW52UmVsvmyysF=";
  bare.name = "b";
  bare.version = "1";
  std::string text;
  append_index_record(text, full, false);
  append_index_record(text, bare, false);
  auto stanzas = canonical_stanzas(text);
  ASSERT_TRUE(stanzas);
  ASSERT_EQ(stanzas->size(), 2u);
  EXPECT_EQ((*stanzas)[0].name, "musl");
  EXPECT_EQ((*stanzas)[0].version, "1.2.3-r2");
  EXPECT_EQ((*stanzas)[0].arch, "x86_64");
  EXPECT_EQ((*stanzas)[0].file_size, 383152u);
  EXPECT_EQ(std::string((*stanzas)[0].text) + std::string((*stanzas)[1].text), text);
  EXPECT_EQ((*stanzas)[1].arch, "");
  // Blank lines between stanzas belong to none.
  const std::string spaced_text = "\n" + text.substr(0, (*stanzas)[0].text.size()) + "\n\n";
  auto spaced = canonical_stanzas(spaced_text);  // views into spaced_text
  ASSERT_TRUE(spaced);
  EXPECT_EQ(spaced->front().text, (*stanzas)[0].text);
  EXPECT_TRUE(canonical_stanzas("")->empty());
}

TEST(IndexRecord, CanonicalStanzasGiveUpOnAnythingElse) {
  const std::string head = "C:Q1x=\nP:a\nV:1\n";
  const std::string tail = "S:1\nI:2\nT:t\nU:\nL:MIT\n";
  ASSERT_TRUE(canonical_stanzas(head + tail + "\n"));
  for (const std::string& text : {
           head + tail,                                   // no blank line after the stanza
           head + tail + "D:x",                           // last line without newline
           "P:a\nC:Q1x=\nV:1\n" + tail + "\n",        // field order
           head + "A:\n" + tail + "\n",                 // empty optional field
           head + "S:01\nI:2\nT:t\nU:\nL:MIT\n\n",  // leading zero
           head + "S:+1\nI:2\nT:t\nU:\nL:MIT\n\n",  // sign
           head + tail + "t:0\n\n",                     // zero is not written
           head + tail + "k:-0\n\n",
           head + tail + "t:12x\n\n",
           head + tail + "D:a  b\n\n",                  // lists: single spaces only
           head + tail + "D: a\n\n",
           head + tail + "D:\n\n",
           head + tail + "D:a\nD:b\n\n",               // repeated field
           head + tail + "r:old\n\n",                   // not written by `lupine index`
           head + tail + "Z:unknown\n\n",
           head + "S:1\nI:2\nT:t\nL:MIT\n\n",        // missing U:
           "C:Q1x=\nV:1\n" + tail + "\n",               // missing P:
           head + tail + "garbage\n\n",
       })
    EXPECT_FALSE(canonical_stanzas(text)) << text;
}

}  // namespace lupine::index
