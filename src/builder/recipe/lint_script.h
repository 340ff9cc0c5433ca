// Static reading of a recipe's own `runs:` scripts for what they put into the package output
// directories (${{targets.destdir}}, ${{targets.contextdir}}, ${{targets.subpkgdir}},
// ${{targets.outdir}}/NAME, /home/build/melange-out/NAME): files, directories and symlinks created
// (mkdir, install, cp, mv, ln, touch, tee, mknod, `>` redirections), removed (rm, rmdir, mv away)
// and chmod'ed. The linter judges melange's default-required package linters on these writes before
// anything is built. It is deliberately conservative: a path reached through a shell variable or a
// `cd` is not seen, and a later rm/rmdir/mv of a path (or of a glob matching it or a parent)
// cancels its write.
#pragma once

#include "common/diagnostics.h"
#include "builder/recipe/recipe.h"

#include <string>
#include <vector>

namespace lupine::builder {

struct ScriptEffect {
  enum class Kind { directory, file, symlink, unknown, chmod };
  Kind kind = Kind::unknown;
  std::string package;   // whose output directory
  std::string path;      // relative to it, no leading or trailing '/'
  std::string mode;      // for chmod (and install -m): the mode as written
  std::string command;   // the command word ("mkdir", "install", ...) or "redirection"
  Location where;        // the script line
};

// The surviving effects of every recipe-written `runs:` of the main package and its subpackages,
// in the order they run (main pipeline first, then each subpackage's).
std::vector<ScriptEffect> analyze_scripts(const Recipe& expanded);

}  // namespace lupine::builder
