// apk's command line for the solver spec runner (see solver_spec_options.h).
#include "index/solver_spec_options.h"

#include <fmt/format.h>

#include <set>

namespace lupine::index::solver_detail {

namespace {

class OptionParser {
 public:
  std::optional<ApkOptions> parse(const std::vector<std::string>& tokens, std::string& problem) {
    for (size_t i = 0; i < tokens.size(); ++i) {
      const std::string& token = tokens[i];
      auto next = [&]() -> std::optional<std::string> {
        if (i + 1 >= tokens.size()) return std::nullopt;
        return tokens[++i];
      };
      if (token.starts_with("--")) {
        std::string name = token.substr(2);
        std::optional<std::string> value;
        if (size_t eq = name.find('='); eq != std::string::npos) {
          value = name.substr(eq + 1);
          name = name.substr(0, eq);
        }
        if (!long_option(name, value, next)) {
          problem = fmt::format("unrecognized option '{}'", token);
          return std::nullopt;
        }
      } else if (token.size() > 1 && token[0] == '-') {
        for (size_t c = 1; c < token.size(); ++c) {
          std::optional<std::string> inline_value;
          if (c + 1 < token.size()) inline_value = token.substr(c + 1);
          bool consumed_rest = false;
          if (!short_option(token[c], inline_value, next, consumed_rest)) {
            problem = fmt::format("unrecognized option '-{}'", token[c]);
            return std::nullopt;
          }
          if (consumed_rest) break;
        }
      } else if (options_.applet.empty()) {
        options_.applet = token;
      } else if (!token.empty()) {
        options_.args.push_back(token);
      }
    }
    if (options_.applet.empty()) {
      problem = "no applet given";
      return std::nullopt;
    }
    return options_;
  }

  template <typename Next>
  bool long_option(const std::string& name, const std::optional<std::string>& value, Next next) {
    auto argument = [&]() { return value ? value : next(); };
    const std::string& applet = options_.applet;
    static const std::set<std::string> ignored = {
        "allow-untrusted", "simulate", "no-scripts", "scripts", "no-commit-hooks", "commit-hooks",
        "force-missing-repositories", "force-old-apk", "force-overwrite", "force-refresh", "force",
        "no-interactive", "interactive", "no-progress", "progress", "update-cache", "no-logfile",
        "logfile", "clean-protected", "no-chown", "usermode", "initdb", "purge", "no-purge",
        "sync", "no-sync", "force-no-chroot", "network", "cache"};
    static const std::set<std::string> ignored_with_argument = {
        "root", "repositories-file", "cache-dir", "cache-max-age", "keys-dir", "timeout", "wait",
        "progress-fd", "repository", "repository-config", "uvol-manager"};
    if (name == "no-network") {
      options_.no_network = true;
    } else if (name == "no-cache") {
      options_.no_cache = true;
    } else if (name == "force-broken-world") {
      options_.force_broken_world = true;
    } else if (name == "force-non-repository") {
      options_.force_non_repository = true;
    } else if (name == "verbose") {
      ++options_.verbosity;
    } else if (name == "quiet") {
      --options_.verbosity;
    } else if (name == "root-tmpfs") {
      options_.root_tmpfs = value.value_or("yes");
    } else if (name == "preupgrade-depends") {
      auto v = argument();
      if (!v) return false;
      options_.preupgrade_depends.push_back(*v);
    } else if (name == "arch") {
      auto v = argument();
      if (!v) return false;
      options_.arches.push_back(*v);
    } else if (ignored.count(name)) {
    } else if (ignored_with_argument.count(name)) {
      if (!argument()) return false;
    } else if ((applet == "add" || applet == "upgrade") && name == "latest") {
      options_.latest = true;
    } else if ((applet == "add" || applet == "fix") && name == "upgrade") {
      options_.upgrade = true;
    } else if (applet == "add" && name == "virtual") {
      options_.virtual_package = argument();
      if (!options_.virtual_package) return false;
    } else if (applet == "upgrade" && name == "available") {
      options_.available = true;
    } else if (applet == "upgrade" && name == "ignore") {
      options_.ignore = true;
    } else if (applet == "upgrade" && name == "prune") {
      options_.prune = true;
    } else if (applet == "upgrade" && (name == "preupgrade" || name == "self-upgrade")) {
      options_.preupgrade = true;
    } else if (applet == "upgrade" && (name == "no-preupgrade" || name == "no-self-upgrade")) {
      options_.preupgrade = false;
    } else if (applet == "upgrade" && (name == "preupgrade-only" || name == "self-upgrade-only")) {
      options_.preupgrade_only = true;
    } else if (applet == "del" && name == "rdepends") {
      options_.rdepends = true;
    } else if (applet == "fix" && name == "depends") {
      options_.depends = true;
    } else if (applet == "fix" && name == "reinstall") {
      options_.reinstall = true;
    } else if (applet == "fix" && name == "xattr") {
      options_.xattr = true;
    } else if (applet == "fix" && name == "directory-permissions") {
    } else {
      return false;
    }
    return true;
  }

  template <typename Next>
  bool short_option(char option, const std::optional<std::string>& rest, Next next, bool& consumed_rest) {
    const std::string& applet = options_.applet;
    auto argument = [&]() -> std::optional<std::string> {
      if (rest) {
        consumed_rest = true;
        return rest;
      }
      return next();
    };
    switch (option) {
      case 'v': ++options_.verbosity; return true;
      case 'q': --options_.verbosity; return true;
      case 's': case 'i': case 'U': case 'f': return true;
      case 'p': case 'X': return argument().has_value();
      case 'a':
        if (applet != "upgrade") return false;
        options_.available = true;
        return true;
      case 'l':
        if (applet != "add" && applet != "upgrade") return false;
        options_.latest = true;
        return true;
      case 'u':
        if (applet != "add" && applet != "fix") return false;
        options_.upgrade = true;
        return true;
      case 't':
        if (applet != "add") return false;
        options_.virtual_package = argument();
        return options_.virtual_package.has_value();
      case 'r':
        if (applet == "del") options_.rdepends = true;
        else if (applet == "fix") options_.reinstall = true;
        else return false;
        return true;
      case 'd':
        if (applet != "fix") return false;
        options_.depends = true;
        return true;
      case 'x':
        if (applet != "fix") return false;
        options_.xattr = true;
        return true;
    }
    return false;
  }


 private:
  ApkOptions options_;
};

}  // namespace

std::optional<ApkOptions> parse_apk_options(const std::vector<std::string>& args, std::string& problem) {
  return OptionParser().parse(args, problem);
}

}  // namespace lupine::index::solver_detail
