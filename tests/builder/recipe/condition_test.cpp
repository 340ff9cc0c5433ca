#include "builder/recipe/condition.h"

#include <gtest/gtest.h>

namespace lupine::builder {
namespace {

bool holds(std::string_view expression) {
  ConditionResult result = evaluate_condition(expression);
  EXPECT_FALSE(result.error) << expression << ": " << result.error.value_or("");
  return result.value;
}

std::string error_of(std::string_view expression) {
  return evaluate_condition(expression).error.value_or("");
}

TEST(Condition, ComparesLiterals) {
  EXPECT_TRUE(holds("'a' == 'a'"));
  EXPECT_FALSE(holds("'a' == \"b\""));
  EXPECT_TRUE(holds("\"x86_64\" != 'aarch64'"));
  EXPECT_TRUE(holds("  'a'=='a'  "));
  EXPECT_TRUE(holds("\"\" == ''"));
}

TEST(Condition, AndOrHaveEqualPrecedenceLeftToRight) {
  // melange folds left to right: (true || true) && false == false, where C precedence gives true.
  EXPECT_FALSE(holds("'a' == 'a' || 'a' == 'a' && 'a' == 'b'"));
  EXPECT_TRUE(holds("'a' == 'a' || ('a' == 'a' && 'a' == 'b')"));
  EXPECT_TRUE(holds("'a' == 'b' && 'a' == 'a' || 'b' == 'b'"));
  EXPECT_TRUE(holds("(('a' == 'a'))"));
}

TEST(Condition, LiteralEscapes) {
  EXPECT_TRUE(holds(R"('it\'s' == "it's")"));
  EXPECT_TRUE(holds(R"("a\"b" == 'a"b')"));
  EXPECT_TRUE(holds(R"('\\' == "\\")"));
  EXPECT_TRUE(holds("'a\\nb' == \"a\nb\""));
  // Unknown escapes keep their backslash.
  EXPECT_TRUE(holds(R"('\d' == "\\d")"));
}

TEST(Condition, VariablesUseTheLookup) {
  VariableLookup lookup = [](std::string_view name) -> const std::string* {
    static const std::string arch = "aarch64";
    return name == "build.arch" ? &arch : nullptr;
  };
  EXPECT_TRUE(evaluate_condition("${{build.arch}} == 'aarch64'", lookup).value);
  EXPECT_NE(evaluate_condition("${{nope}} == 'x'", lookup).error.value_or("").find("not defined"), std::string::npos);
  // Without a lookup every variable is "" (melange's NullLookup).
  EXPECT_TRUE(holds("${{anything}} == ''"));
}

TEST(Condition, RejectsMalformedExpressions) {
  EXPECT_NE(error_of("'a' = 'a'").find("expected '==' or '!='"), std::string::npos);
  EXPECT_NE(error_of("x86_64 == 'x86_64'").find("unexpected character 'x'"), std::string::npos);
  EXPECT_NE(error_of("'a' == 'a' garbage").find("trailing input"), std::string::npos);
  EXPECT_NE(error_of("('a' == 'a'").find("expected \")\""), std::string::npos);
  EXPECT_NE(error_of("'a == 'a'").find("expected '==' or '!='"), std::string::npos);  // 'a == ' is the literal
  EXPECT_NE(error_of("'a' == 'unterminated").find("unterminated string"), std::string::npos);
  EXPECT_NE(error_of("").find("unexpected end"), std::string::npos);
  EXPECT_NE(error_of("'a'").find("comparison operator"), std::string::npos);
}

TEST(Condition, HintsAtUnquotedParseTimeVariables) {
  EXPECT_NE(condition_hint("${{vars.x}} == 'y'").find("quote them"), std::string::npos);
  EXPECT_NE(condition_hint("${{ package.name }} == 'y'").find("package."), std::string::npos);
  EXPECT_EQ(condition_hint("'${{vars.x}}' == 'y'"), "");
  EXPECT_EQ(condition_hint("${{build.arch}} == 'y'"), "");
}

}  // namespace
}  // namespace lupine::builder
