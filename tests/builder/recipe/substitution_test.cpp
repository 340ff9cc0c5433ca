#include "builder/recipe/substitution.h"

#include <gtest/gtest.h>

namespace lupine::builder {
namespace {

VariableScope sample_scope() {
  VariableScope scope;
  scope.set("package.name", "glpk");
  scope.set("package.version", "5.0");
  scope.set("vars.with-dash_and.dot", "ok");
  return scope;
}

TEST(Substitution, ReplacesEveryReferenceInOnePass) {
  VariableScope scope = sample_scope();
  scope.set("vars.loop", "${{package.name}}");
  std::vector<SubstitutionError> errors;
  EXPECT_EQ(substitute("${{package.name}}-${{package.version}}.tar.gz", scope.lookup(), errors), "glpk-5.0.tar.gz");
  // A substituted value is not scanned again (melange cond.Subst is single pass).
  EXPECT_EQ(substitute("x ${{vars.loop}} y", scope.lookup(), errors), "x ${{package.name}} y");
  EXPECT_TRUE(errors.empty());
}

TEST(Substitution, AllowsWhitespaceAndNameCharacters) {
  VariableScope scope = sample_scope();
  std::vector<SubstitutionError> errors;
  EXPECT_EQ(substitute("${{ package.name }} ${{\tvars.with-dash_and.dot\t}}", scope.lookup(), errors), "glpk ok");
  EXPECT_TRUE(errors.empty());
}

TEST(Substitution, LeavesShellSyntaxAlone) {
  VariableScope scope = sample_scope();
  std::vector<SubstitutionError> errors;
  std::string script = "echo ${HOME} $PATH ${x:-y} $((1+2)) ${#a} {{x}} ${ {x}}";
  EXPECT_EQ(substitute(script, scope.lookup(), errors), script);
  EXPECT_TRUE(errors.empty());
}

TEST(Substitution, ReportsEveryUndefinedVariable) {
  VariableScope scope = sample_scope();
  std::vector<SubstitutionError> errors;
  std::string out = substitute("a ${{vars.nope}} b ${{inputs.missing}} c ${{package.name}}", scope.lookup(), errors);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].name, "vars.nope");
  EXPECT_EQ(errors[0].message, "variable vars.nope is not defined");
  EXPECT_EQ(errors[0].position, 2u);
  EXPECT_TRUE(errors[0].undefined);
  EXPECT_EQ(errors[1].name, "inputs.missing");
  EXPECT_EQ(out, "a  b  c glpk");
}

TEST(Substitution, ReportsMalformedReferences) {
  VariableScope scope = sample_scope();
  std::vector<SubstitutionError> errors;
  substitute("${{}} and ${{package.name", scope.lookup(), errors);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_NE(errors[0].message.find("empty variable name"), std::string::npos);
  EXPECT_NE(errors[1].message.find("unterminated"), std::string::npos);
  EXPECT_FALSE(errors[1].undefined);
}

TEST(Substitution, LenientKeepsUnknownNames) {
  VariableScope scope = sample_scope();
  EXPECT_EQ(substitute_lenient("${{package.name}} ${{targets.destdir}} ${{broken ${{package.version}}", scope.lookup()),
            "glpk ${{targets.destdir}} ${{broken 5.0");
}

TEST(Substitution, QuotedWritesGoStringLiterals) {
  VariableScope scope;
  scope.set("build.arch", "x86_64");
  scope.set("odd", "say \"hi\"\\\n\t");
  std::vector<SubstitutionError> errors;
  EXPECT_EQ(substitute_quoted("${{build.arch}} == 'x86_64'", scope.lookup(), errors), "\"x86_64\" == 'x86_64'");
  EXPECT_EQ(substitute_quoted("${{odd}}", scope.lookup(), errors), "\"say \\\"hi\\\"\\\\\\n\\t\"");
  EXPECT_TRUE(errors.empty());
}

TEST(SubstitutionGoQuote, MatchesStrconvQuote) {
  EXPECT_EQ(go_quote(""), "\"\"");
  EXPECT_EQ(go_quote("plain"), "\"plain\"");
  EXPECT_EQ(go_quote("a\x01" "b\x7f"), "\"a\\x01b\\x7f\"");
  EXPECT_EQ(go_quote("\a\b\f\r\v"), "\"\\a\\b\\f\\r\\v\"");
  EXPECT_EQ(go_quote("caf\xc3\xa9"), "\"caf\xc3\xa9\"");        // printable UTF-8 kept
  EXPECT_EQ(go_quote("\xff"), "\"\\xff\"");                     // invalid UTF-8 escaped per byte
  EXPECT_EQ(go_quote("\xc2\x85"), "\"\\u0085\"");               // a C1 control
}

TEST(Substitution, ScopesFallThroughToParents) {
  VariableScope base = sample_scope();
  VariableScope child(&base);
  child.set("package.name", "shadowed");
  child.set("inputs.x", "1");
  EXPECT_EQ(*child.find("package.name"), "shadowed");
  EXPECT_EQ(*child.find("package.version"), "5.0");
  EXPECT_EQ(base.find("inputs.x"), nullptr);
  EXPECT_EQ(child.flatten().size(), 4u);
}

TEST(Substitution, SuggestsTheNearestName) {
  VariableScope scope = sample_scope();
  std::vector<SubstitutionError> errors;
  substitute("${{package.nmae}} ${{totally.different}}", scope.lookup(), errors);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(describe(errors[0], scope), "variable package.nmae is not defined; did you mean package.name?");
  EXPECT_EQ(describe(errors[1], scope), "variable totally.different is not defined");
}

TEST(Substitution, ListsReferences) {
  EXPECT_EQ(variable_references("${{a.b}} x ${{ c }} ${{bad"), (std::vector<std::string>{"a.b", "c"}));
}

}  // namespace
}  // namespace lupine::builder
