// The apk command line of a solver spec (index-layer internal): global options, the applet
// and its options, as apk-tools 3.0.6 parses them (src/apk.c and src/app_*.c option tables) —
// only what the solver specs can use has an effect, other known options are accepted.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace lupine::index::solver_detail {

struct ApkOptions {
  // global
  bool no_network = false, no_cache = false, force_broken_world = false, force_non_repository = false;
  int verbosity = 1;
  std::string root_tmpfs = "auto";
  std::vector<std::string> preupgrade_depends;
  std::vector<std::string> arches;
  // the applet: add, del, upgrade or fix
  std::string applet;
  std::vector<std::string> args;
  bool latest = false, upgrade = false, available = false, ignore = false, prune = false;
  bool preupgrade = true, preupgrade_only = false;
  bool rdepends = false, depends = false, reinstall = false, xattr = false;
  std::optional<std::string> virtual_package;  // add -t NAME[=VERSION]
};

// Options may come before or after the applet name; the first other word is the applet, the
// rest are its arguments. nullopt with `problem` set for an unknown option or no applet.
std::optional<ApkOptions> parse_apk_options(const std::vector<std::string>& args, std::string& problem);

}  // namespace lupine::index::solver_detail
