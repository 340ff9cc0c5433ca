#include "apk/dependency.h"

#include "common/error.h"

#include <gtest/gtest.h>

namespace lupine::apk {
namespace {

TEST(DependencyParse, NameOnly) {
  Dependency dependency = parse_dependency("musl");
  EXPECT_EQ(dependency.name, "musl");
  EXPECT_EQ(dependency.tag, "");
  EXPECT_EQ(dependency.op, ANY);
  EXPECT_EQ(dependency.version, "");
  EXPECT_FALSE(dependency.conflict);
  EXPECT_FALSE(dependency.broken);
}

TEST(DependencyParse, ProvidedNames) {
  for (const char* name : {"so:libc.musl-x86_64.so.1", "cmd:sh", "cmd:[", "pc:zlib", "/bin/sh", "py3.12:foo",
                           "libstdc++", "font-noto_cjk", "a,b", "cmd:[["})
    EXPECT_EQ(parse_dependency(name).name, name);
}

TEST(DependencyParse, Operators) {
  struct Case {
    const char* text;
    int op;
    const char* version;
  } cases[] = {
      {"foo<1.2", LESS, "1.2"},           {"foo<=1.2", LESS | EQUAL, "1.2"},
      {"foo=1.2-r0", EQUAL, "1.2-r0"},    {"foo>=1.2", GREATER | EQUAL, "1.2"},
      {"foo>1.2", GREATER, "1.2"},        {"foo~1.2", FUZZY | EQUAL, "1.2"},
      {"foo=~1.2", FUZZY | EQUAL, "1.2"}, {"foo<~1.2", LESS | EQUAL | FUZZY, "1.2"},
      {"foo>~1.2", GREATER | EQUAL | FUZZY, "1.2"},
      {"foo=<1.2", LESS | EQUAL, "1.2"},  // any combination of < > = ~, as apk-tools
  };
  for (const auto& c : cases) {
    Dependency dependency = parse_dependency(c.text);
    EXPECT_EQ(dependency.name, "foo") << c.text;
    EXPECT_EQ(dependency.op, c.op) << c.text;
    EXPECT_EQ(dependency.version, c.version) << c.text;
    EXPECT_FALSE(dependency.broken) << c.text;
  }
}

TEST(DependencyParse, Identity) {
  Dependency dependency = parse_dependency("busybox><Q1hdUpqRv5mYgJEqW52UmVsvmyysF=");
  EXPECT_TRUE(dependency.is_identity());
  EXPECT_EQ(dependency.version, "Q1hdUpqRv5mYgJEqW52UmVsvmyysF=");
  EXPECT_FALSE(dependency.broken);  // identities are not versions and are not validated
}

TEST(DependencyParse, ConflictAndTag) {
  Dependency conflict = parse_dependency("!foo<2");
  EXPECT_TRUE(conflict.conflict);
  EXPECT_EQ(conflict.name, "foo");
  EXPECT_EQ(conflict.op, LESS);

  Dependency tagged = parse_dependency("samever@testing=10");
  EXPECT_EQ(tagged.name, "samever");
  EXPECT_EQ(tagged.tag, "testing");
  EXPECT_EQ(tagged.op, EQUAL);
  EXPECT_EQ(tagged.version, "10");

  EXPECT_EQ(parse_dependency("!foo@edge").tag, "edge");
}

// A bad version is kept but marks the dependency broken (apk-tools: such packages are
// uninstallable); `name=1.2@tag` is the wrong order and so has the version "1.2@tag".
TEST(DependencyParse, InvalidVersionIsBroken) {
  Dependency wrong_order = parse_dependency("foo=1.2@edge");
  EXPECT_EQ(wrong_order.name, "foo");
  EXPECT_EQ(wrong_order.tag, "");
  EXPECT_EQ(wrong_order.version, "1.2@edge");
  EXPECT_TRUE(wrong_order.broken);
  EXPECT_TRUE(parse_dependency("foo>=1.0bc").broken);
  EXPECT_TRUE(parse_dependency("foo=1.0=2").broken);
}

TEST(DependencyParse, Errors) {
  auto message = [](std::string_view text) -> std::string {
    try {
      parse_dependency(text);
    } catch (const Error& e) {
      return e.what();
    }
    return "(no error)";
  };
  EXPECT_EQ(message("foo>="), "invalid dependency 'foo>=': expected a version after '>='");
  EXPECT_EQ(message(""), "invalid dependency '': expected a package name");
  EXPECT_EQ(message("!"), "invalid dependency '!': expected a package name");
  EXPECT_EQ(message(">=1.0"), "invalid dependency '>=1.0': expected a package name");
  EXPECT_EQ(message("foo@"), "invalid dependency 'foo@': expected a repository tag after '@'");
  EXPECT_EQ(message("foo$bar"), "invalid dependency 'foo$bar': character '$' is not allowed in a package name");
  EXPECT_EQ(message("!!foo"), "invalid dependency '!!foo': character '!' is not allowed in a package name");
  EXPECT_EQ(message("foo@a@b"),
            "invalid dependency 'foo@a@b': character '@' is not allowed in a repository tag");
  EXPECT_THROW(parse_dependency("foo bar"), Error);
  EXPECT_THROW(parse_dependency("foo\tbar"), Error);
}

TEST(DependencyRoundTrip, ToString) {
  for (const char* text : {"foo", "!foo", "name@tag>=1.2", "foo~1.2", "foo<~1.2", "foo>~1.2", "!foo<2",
                           "so:libc.musl-x86_64.so.1", "cmd:sh=1.36.1-r0", "foo><Q1hdUpqRv5mYgJEqW52UmVsvmyysF=",
                           "foo=1.2@edge", "/bin/sh", "foo<>=1", "foo<>~1"})
    EXPECT_EQ(parse_dependency(text).to_string(), text);
  EXPECT_EQ(parse_dependency("foo=~1.2").to_string(), "foo~1.2");
  EXPECT_EQ(parse_dependency("foo=<1.2").to_string(), "foo<=1.2");
}

TEST(DependencyList, SpacesAndNewlines) {
  auto dependencies = parse_dependency_list("  musl>=1.2  so:libc.musl-x86_64.so.1\n!foo\n\ncmd:sh ");
  ASSERT_EQ(dependencies.size(), 4u);
  EXPECT_EQ(dependencies[0].name, "musl");
  EXPECT_EQ(dependencies[1].name, "so:libc.musl-x86_64.so.1");
  EXPECT_TRUE(dependencies[2].conflict);
  EXPECT_EQ(dependencies[3].name, "cmd:sh");
  EXPECT_EQ(to_string(dependencies), "musl>=1.2 so:libc.musl-x86_64.so.1 !foo cmd:sh");
  EXPECT_TRUE(parse_dependency_list("").empty());
  EXPECT_TRUE(parse_dependency_list(" \n ").empty());
  EXPECT_THROW(parse_dependency_list("foo bar>="), Error);
}

TEST(DependencyMatches, Versions) {
  Dependency at_least = parse_dependency("musl>=1.2");
  EXPECT_TRUE(at_least.matches("musl", "1.2.4-r1"));
  EXPECT_FALSE(at_least.matches("musl", "1.1.24"));
  EXPECT_FALSE(at_least.matches("glibc", "2.38"));
  EXPECT_TRUE(at_least.matches("musl", ""));  // unversioned provides match any constraint

  EXPECT_TRUE(parse_dependency("foo").matches("foo", "anything"));
  EXPECT_TRUE(parse_dependency("foo~3.6").matches("foo", "3.6.9-r0"));
  EXPECT_FALSE(parse_dependency("foo~3.6").matches("foo", "3.7"));
}

TEST(DependencyMatches, Conflicts) {
  Dependency conflict = parse_dependency("!foo<2");
  EXPECT_FALSE(conflict.matches("foo", "1.5"));
  EXPECT_TRUE(conflict.matches("foo", "2.0"));
  EXPECT_TRUE(conflict.matches("bar", "1.0"));  // another package: nothing to conflict with
  EXPECT_FALSE(parse_dependency("!foo").matches("foo", "1.0"));
  EXPECT_FALSE(parse_dependency("foo").matches("bar", "1.0"));
}

TEST(DependencyMatches, Identity) {
  Dependency identity = parse_dependency("foo><Q1abc=");
  EXPECT_TRUE(identity.matches("foo", "1.0", "Q1abc="));
  EXPECT_FALSE(identity.matches("foo", "1.0", "Q1xyz="));
  EXPECT_FALSE(identity.matches("foo", "1.0"));
}

}  // namespace
}  // namespace lupine::apk
