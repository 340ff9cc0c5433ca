#include "builder/recipe/lint.h"

#include "builder/recipe/lint_script.h"
#include "builder/recipe/recipe_expand.h"
#include "builder/recipe/test_data.h"

#include <gtest/gtest.h>

namespace lupine::builder {
namespace {

using testing::source;

std::vector<std::string> lint(const std::string& yaml) {
  Diagnostics diagnostics;
  CompileOptions options;
  options.arch = "x86_64";
  Recipe recipe = read_recipe(source(yaml), diagnostics);
  BuildPlan plan = compile_recipe(recipe, testing::test_library(), options, diagnostics);
  lint_plan(plan, diagnostics);
  std::vector<std::string> out;
  for (const auto& d : diagnostics.sorted())
    out.push_back(std::to_string(d.where.line) + ": " + (d.severity == Severity::error ? "error" : "warning") + ": [" +
                  d.rule + "] " + d.message);
  return out;
}

const char* kHeader = R"(package:
  name: pkg
  version: 1.0.0
  epoch: 0
  copyright:
    - license: MIT
)";

TEST(LintRules, CleanRecipeHasNoFindings) {
  EXPECT_EQ(lint(std::string(kHeader) + R"(pipeline:
  - runs: |
      mkdir -p ${{targets.destdir}}/usr/bin
      install -Dm755 tool ${{targets.destdir}}/usr/bin/tool
      ln -s usr/bin ${{targets.destdir}}/bin
)"),
            std::vector<std::string>{});
}

TEST(LintRules, UnknownDisabledLinter) {
  auto found = lint(R"(package:
  name: pkg
  version: 1.0.0
  copyright:
    - license: MIT
  checks:
    disabled:
      - setuidgid
      - usrmerg
)");
  EXPECT_EQ(found, (std::vector<std::string>{"9: error: [checks] unknown linter \"usrmerg\" in checks.disabled (melange "
                                             "fails the build); did you mean \"usrmerge\"?"}));
}

TEST(LintRules, DefaultRequiredLintersFromScripts) {
  auto found = lint(std::string(kHeader) + R"(pipeline:
  - runs: |
      mkdir -p ${{targets.destdir}}/usr/sbin
      install -m755 tool "${{targets.destdir}}"/sbin/tool
      echo x > ${{targets.destdir}}/tmp/scratch
      touch ${{targets.contextdir}}/var/empty/.keep
      mknod ${{targets.destdir}}/dev/null c 1 3
      chmod u+s ${{targets.destdir}}/usr/bin/tool
      chmod 0666 ${{targets.destdir}}/etc/config
      cp doc/dir ${{targets.destdir}}/usr/share/info/dir
      install -m644 libfoo.la ${{targets.destdir}}/usr/lib/libfoo.la
      mkdir -p ${{targets.destdir}}/run/pkg
)");
  EXPECT_EQ(found,
            (std::vector<std::string>{
                "9: error: [usrmerge] mkdir puts /usr/sbin into pkg: with the merged /usr, binaries go in /usr/bin and "
                "libraries in /usr/lib (melange's linter fails the build)",
                "10: error: [usrmerge] install puts /sbin/tool into pkg: with the merged /usr, binaries go in /usr/bin "
                "and libraries in /usr/lib (melange's linter fails the build)",
                "11: error: [tempdir] redirection writes /tmp/scratch into pkg: temporary and runtime directories must be empty "
                "(create /run entries with a usr/lib/tmpfiles.d snippet) (melange's linter fails the build)",
                "12: error: [varempty] touch writes /var/empty/.keep into pkg: /var/empty must stay empty (melange's "
                "linter fails the build)",
                "13: error: [dev] mknod writes /dev/null into pkg: packages must not ship /dev entries (melange's linter "
                "fails the build)",
                "14: error: [setuidgid] chmod u+s makes /usr/bin/tool in pkg setuid/setgid (melange's linter fails the "
                "build)",
                "15: error: [worldwrite] chmod 0666 makes /etc/config in pkg world-writable (melange's linter fails the "
                "build)",
                "16: error: [infodir] cp writes /usr/share/info/dir into pkg: remove it (split/infodir) (melange's "
                "linter fails the build)",
                "17: error: [libtool/la-files] install installs the libtool archive /usr/lib/libfoo.la into pkg: remove "
                ".la files (melange's linter fails the build)",
                "18: error: [tempdir] mkdir writes /run/pkg into pkg: temporary and runtime directories must be empty "
                "(create /run entries with a usr/lib/tmpfiles.d snippet) (melange's linter fails the build)",
            }));
}

TEST(LintRules, RemovalsAndDisabledChecks) {
  auto found = lint(R"(package:
  name: pkg
  version: 1.0.0
  copyright:
    - license: MIT
  checks:
    disabled:
      - setuidgid
pipeline:
  - runs: |
      mkdir -p ${{targets.destdir}}/usr/sbin
      make install DESTDIR=${{targets.destdir}}
      mv ${{targets.destdir}}/usr/sbin/* ${{targets.destdir}}/usr/bin/
      rmdir ${{targets.destdir}}/usr/sbin
      chmod 4755 ${{targets.destdir}}/usr/bin/helper
      mkdir -p ${{targets.destdir}}/run/pkg ${{targets.destdir}}/usr/lib/tmpfiles.d
      echo 'd /run/pkg' > ${{targets.destdir}}/usr/lib/tmpfiles.d/pkg.conf
      cat <<EOF > ${{targets.destdir}}/etc/motd
      mkdir -p ${{targets.destdir}}/sbin
      EOF
      chmod 1777 ${{targets.destdir}}/var/tmp
subpackages:
  - name: pkg-tools
    pipeline:
      - runs: |
          mkdir -p ${{targets.subpkgdir}}/usr/bin
          mv ${{targets.destdir}}/sbin ${{targets.subpkgdir}}/usr/bin/
)");
  EXPECT_EQ(found, (std::vector<std::string>{"15: warning: [setuidgid] chmod 4755 makes /usr/bin/helper in pkg "
                                             "setuid/setgid (allowed by checks.disabled)"}));
}

TEST(LintRules, RecipeLevelWarnings) {
  auto found = lint(R"(package:
  name: pkg
  version: 1.0.0
  target-architecture: [all]
pipeline:
  - name: nothing to do
update:
  enabled: false
)");
  EXPECT_EQ(found, (std::vector<std::string>{
                       "2: warning: [copyright] no copyright license declared (package.copyright[].license)",
                       "4: warning: [target-architecture] target-architecture: ['all'] is deprecated; leave the field "
                       "out to build for every architecture",
                       "6: warning: [pipeline] step has no uses, runs or pipeline: it does nothing",
                       "8: warning: [update] updates are disabled without an exclude-reason",
                   }));
}

TEST(LintRules, ScriptEffectsSeeThroughShellSyntax) {
  Diagnostics diagnostics;
  Recipe recipe = read_recipe(source(std::string(kHeader) + R"(pipeline:
  - runs: |
      if [ -d x ]; then mkdir -p "${{targets.destdir}}/lib/x"; fi
      for f in a b; do install -Dm644 $f ${{targets.destdir}}/etc/$f; done
      install -d -m755 \
        ${{targets.destdir}}/usr/lib64
      cp -a -t ${{targets.destdir}}/bin a b  # a comment: ${{targets.destdir}}/sbin
)"),
                              diagnostics);
  Recipe expanded = expand_recipe(recipe, {}, diagnostics);
  std::vector<std::string> effects;
  for (const auto& e : analyze_scripts(expanded))
    effects.push_back(std::to_string(e.where.line) + " " + e.command + " " + e.path);
  EXPECT_EQ(effects, (std::vector<std::string>{"9 mkdir lib/x", "10 install etc/$f", "11 install usr/lib64",
                                               "13 cp bin/a", "13 cp bin/b"}));
}

TEST(LintRules, MelangeLinterTable) {
  const auto& linters = melange_linters();
  EXPECT_EQ(linters.size(), 30u);
  size_t required = std::count_if(linters.begin(), linters.end(),
                                  [](const MelangeLinter& l) { return l.behaviour == MelangeLinter::Default::require; });
  EXPECT_EQ(required, 8u);
}

}  // namespace
}  // namespace lupine::builder
