#include "builder/recipe/var_transforms.h"

#include <gtest/gtest.h>

namespace lupine::builder {
namespace {

// Go's regexp.MustCompile(pattern).ReplaceAllString(src, replacement), as var-transforms apply it.
std::string go_replace(std::string_view pattern, std::string_view src, std::string_view replacement) {
  std::string error;
  auto regex = GoRegexp::compile(pattern, error);
  EXPECT_TRUE(regex) << pattern << ": " << error;
  return regex ? regex->replace_all(src, replacement) : "<invalid>";
}

std::string compile_error(std::string_view pattern) {
  std::string error;
  return GoRegexp::compile(pattern, error) ? "" : error;
}

TEST(RecipeVarTransforms, WolfiPatterns) {
  EXPECT_EQ(go_replace(R"(^(\d+\.\d+)\.\d+$)", "1.23.4", "$1"), "1.23");
  EXPECT_EQ(go_replace(R"(^ruby(\d\.\d+)-.*)", "ruby3.4-json", "$1"), "3.4");
  EXPECT_EQ(go_replace(R"(\.)", "1.2.3", "_"), "1_2_3");
  EXPECT_EQ(go_replace(R"((\d+)\.(\d+)\.(\d+)$)", "1.2.3", "$1-$2-$3"), "1-2-3");
  EXPECT_EQ(go_replace(R"(^0\.(\d{4})(\d{2})(\d{2})\.(\d{2})(\d{2})(\d{2})$)", "0.20240102.030405",
                       "RELEASE.${1}-${2}-${3}T${4}-${5}-${6}Z"),
            "RELEASE.2024-01-02T03-04-05Z");
  EXPECT_EQ(go_replace(R"(\_beta7)", "1.0_beta7", "beta7"), "1.0beta7");
  EXPECT_EQ(go_replace(R"(\.([^\[.-]*)$)", "1.2.3", "-$1"), "1.2-3");
  EXPECT_EQ(go_replace("-", "python-3.12", ""), "python3.12");
}

TEST(RecipeVarTransforms, EmptyMatchAfterAMatchIsNotReplaced) {
  // std::regex_replace gives "3.14tt": it also replaces the empty match at the end.
  EXPECT_EQ(go_replace("(.*)", "3.14", "${1}t"), "3.14t");
  EXPECT_EQ(go_replace("x*", "abc", "-"), "-a-b-c-");
  EXPECT_EQ(go_replace("a*", "baaac", "X"), "XbXcX");
  EXPECT_EQ(go_replace("", "", "X"), "X");
}

TEST(RecipeVarTransforms, ReplacementTemplateFollowsGo) {
  // $1t names the group "1t", which does not exist: it expands to nothing.
  EXPECT_EQ(go_replace("(.*)", "3.14", "$1t"), "");
  EXPECT_EQ(go_replace(R"((\d+)\.(\d+))", "1.2", "${1}_${2}"), "1_2");
  EXPECT_EQ(go_replace(R"((\d+)\.(\d+))", "1.2", "$1_$2"), "2");  // "$1_" is the missing group "1_"
  EXPECT_EQ(go_replace("a", "a", "$$1"), "$1");
  EXPECT_EQ(go_replace("(a)", "a", "$9 $01 ${1"), "  ${1");  // out of range, leading zero, unclosed brace
  // A malformed `$` stays literal: Wolfi uses this to leave a ${{...}} for compile-time substitution.
  EXPECT_EQ(go_replace("__host_triplet_gnu__", "--host=__host_triplet_gnu__", "${{host.triplet.gnu}}"),
            "--host=${{host.triplet.gnu}}");
  EXPECT_EQ(go_replace("a", "a", "cost: $"), "cost: $");
  // An optional group that did not take part expands to nothing.
  EXPECT_EQ(go_replace("(x)?(a)", "a", "[$1|$2]"), "[|a]");
}

TEST(RecipeVarTransforms, NamedGroups) {
  EXPECT_EQ(go_replace(R"((?P<major>\d+)\.(?P<minor>\d+))", "10.4", "${minor}.${major}"), "4.10");
  EXPECT_EQ(go_replace(R"((?<major>\d+)\.(\d+))", "10.4", "$major-$2"), "10-4");
  EXPECT_EQ(go_replace(R"((?P<v>\d+))", "7", "${nope}${v}"), "7");
}

TEST(RecipeVarTransforms, AnchorsDoNotMatchMidString) {
  // Searching again after a match must not treat the new position as the start of the text.
  EXPECT_EQ(go_replace("^a", "aaa", "b"), "baa");
  EXPECT_EQ(go_replace(R"(\Aa)", "aaa", "b"), "baa");
  EXPECT_EQ(go_replace(R"(a\z)", "aaa", "b"), "aab");
  EXPECT_EQ(go_replace(R"(\ba)", "a a", "b"), "b b");
}

TEST(RecipeVarTransforms, TranslatesRe2Syntax) {
  EXPECT_EQ(go_replace("(?i)ABC", "xabcx", "-"), "x-x");
  EXPECT_EQ(go_replace("(?s)a.b", "a\nb", "-"), "-");
  EXPECT_EQ(go_replace("a.b", "a\nb", "-"), "a\nb");
  EXPECT_EQ(go_replace(R"(\Q1.2\E)", "1.2 1x2", "v"), "v 1x2");
  EXPECT_EQ(go_replace(R"(\x41\x{42}\101)", "ABA", "ok"), "ok");
  EXPECT_EQ(go_replace("a{", "a{", "-"), "-");        // RE2: a literal brace
  EXPECT_EQ(go_replace("{x}", "{x}", "-"), "-");
  EXPECT_EQ(go_replace("a{2}", "aaa", "-"), "-a");
  EXPECT_EQ(go_replace("[]a]+", "a]b", "-"), "-b");   // ']' first in a class is a member
  EXPECT_EQ(go_replace("[^]a]", "]ab", "-"), "]a-");
  EXPECT_EQ(go_replace("[[:digit:]]+", "v12", "N"), "vN");
}

TEST(RecipeVarTransforms, RejectsWhatEcmascriptCannotDo) {
  EXPECT_NE(compile_error(R"(\pL)"), "");
  EXPECT_NE(compile_error("(?=a)"), "");
  EXPECT_NE(compile_error("a(?i)b"), "");
  EXPECT_NE(compile_error(R"(\8)"), "");
  EXPECT_NE(compile_error("(unclosed"), "");
  EXPECT_NE(compile_error("[a"), "");
}

}  // namespace
}  // namespace lupine::builder
