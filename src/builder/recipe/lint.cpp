#include "builder/recipe/lint.h"

#include "apk/arch.h"
#include "builder/recipe/lint_script.h"
#include "builder/recipe/recipe_reader.h"
#include "common/yaml.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace lupine::builder {

const std::vector<MelangeLinter>& melange_linters() {
  using D = MelangeLinter::Default;
  static const std::vector<MelangeLinter> linters = {
      {"dev", D::require, "files under /dev"},
      {"documentation", D::ignore, "documentation outside -doc packages"},
      {"opt", D::warn, "files in /opt"},
      {"object", D::warn, "intermediate .o files"},
      {"maninfo", D::warn, "man/info pages outside -doc packages"},
      {"sbom", D::warn, "files in /var/lib/db/sbom"},
      {"setuidgid", D::require, "setuid or setgid files"},
      {"srv", D::warn, "files in /srv"},
      {"tempdir", D::require, "files in temporary directories (/tmp, /var/tmp, /run, /var/run)"},
      {"usrlocal", D::warn, "files in /usr/local"},
      {"varempty", D::require, "files in /var/empty"},
      {"worldwrite", D::require, "world-writable files"},
      {"strip", D::warn, "unstripped binaries"},
      {"infodir", D::require, "/usr/share/info/dir"},
      {"empty", D::ignore, "an empty package"},
      {"python/docs", D::warn, "docs directories in site-packages"},
      {"python/multiple", D::warn, "several top-level Python packages"},
      {"python/test", D::warn, "test directories in site-packages"},
      {"pkgconf", D::warn, "pkgconfig files without the test/pkgconf test"},
      {"lddcheck", D::warn, "shared objects without the ldd-check test"},
      {"usrmerge", D::require, "files in /bin, /sbin, /lib, /lib64 or /usr/sbin"},
      {"cudaruntimelib", D::warn, "CUDA driver libraries"},
      {"dll", D::warn, "Windows libraries"},
      {"dylib", D::warn, "macOS libraries"},
      {"nonlinux", D::warn, "paths referencing other operating systems"},
      {"unsupportedarch", D::warn, "paths referencing unsupported architectures"},
      {"binaryarch", D::warn, "binaries for unsupported architectures"},
      {"staticarchive", D::warn, ".a files outside -dev and -static packages"},
      {"libtool/la-files", D::require, "libtool .la files"},
      {"duplicate", D::warn, "identical files under different paths"},
  };
  return linters;
}

namespace {

bool known_linter(std::string_view name) {
  const auto& linters = melange_linters();
  return std::any_of(linters.begin(), linters.end(), [&](const MelangeLinter& l) { return l.name == name; });
}

void check_disabled_linters(const Checks& checks, Diagnostics& diagnostics) {
  std::vector<std::string_view> names;
  for (const auto& linter : melange_linters()) names.push_back(linter.name);
  for (const Text& name : checks.disabled) {
    if (known_linter(name.value)) continue;
    std::string hint = closest_match(name.value, names);
    diagnostics.error(name.where,
                      fmt::format("unknown linter \"{}\" in checks.disabled (melange fails the build){}", name.value,
                                  hint.empty() ? "" : fmt::format("; did you mean \"{}\"?", hint)),
                      "checks");
  }
}

void check_empty_steps(const std::vector<Step>& steps, Diagnostics& diagnostics) {
  for (const Step& step : steps) {
    if (step.uses.value.empty() && step.runs.value.empty() && step.pipeline.empty())
      diagnostics.warning(step.where, "step has no uses, runs or pipeline: it does nothing", "pipeline");
    check_empty_steps(step.pipeline, diagnostics);
  }
}

// ---- package linters judged from the scripts ----

struct ModeBits {
  bool setid = false;
  bool world_writable = false;
  bool sticky = false;
};

ModeBits mode_bits(std::string_view mode) {
  ModeBits out;
  if (mode.empty()) return out;
  if (std::all_of(mode.begin(), mode.end(), [](char c) { return c >= '0' && c <= '7'; })) {
    unsigned value = 0;
    for (char c : mode) value = value * 8 + static_cast<unsigned>(c - '0');
    out.setid = (value & 06000) != 0;
    out.sticky = (value & 01000) != 0;
    out.world_writable = (value & 02) != 0;
    return out;
  }
  // Symbolic: clauses like u+s, g+s, o+w, a=rwx separated by commas.
  size_t start = 0;
  while (start <= mode.size()) {
    size_t end = mode.find(',', start);
    std::string_view clause = mode.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    size_t op = clause.find_first_of("+=");
    if (op != std::string_view::npos) {
      std::string_view who = clause.substr(0, op);
      std::string_view perms = clause.substr(op + 1);
      bool user_or_group = who.empty() || who.find_first_of("uga") != std::string_view::npos;
      if (user_or_group && perms.find('s') != std::string_view::npos) out.setid = true;
      if (who.find_first_of("oa") != std::string_view::npos && perms.find('w') != std::string_view::npos)
        out.world_writable = true;
      if (perms.find('t') != std::string_view::npos) out.sticky = true;
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

bool in_directory(std::string_view path, std::string_view dir) {
  return path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/';
}

struct Hit {
  std::string_view rule;
  std::string message;
};

std::vector<Hit> judge(const ScriptEffect& effect, bool has_tmpfiles, bool known_directory) {
  using Kind = ScriptEffect::Kind;
  std::vector<Hit> hits;
  const std::string& path = effect.path;
  bool chmod = effect.kind == Kind::chmod;
  bool directory = effect.kind == Kind::directory;
  std::string shown = "/" + path;
  if (!chmod) {
    for (std::string_view dir : {"sbin", "bin", "usr/sbin", "lib", "lib64"}) {
      if ((path == dir && effect.kind != Kind::symlink) || in_directory(path, dir))
        hits.push_back({"usrmerge", fmt::format("{} puts {} into {}: with the merged /usr, binaries go in /usr/bin and "
                                                "libraries in /usr/lib",
                                                effect.command, shown, effect.package)});
    }
    if (in_directory(path, "dev") && !directory)
      hits.push_back({"dev", fmt::format("{} writes {} into {}: packages must not ship /dev entries", effect.command,
                                         shown, effect.package)});
    bool temp_file = (in_directory(path, "tmp") || in_directory(path, "var/tmp")) && !directory;
    bool run_entry = in_directory(path, "var/run") || (in_directory(path, "run") && (!directory || !has_tmpfiles));
    if (temp_file || run_entry)
      hits.push_back({"tempdir", fmt::format("{} writes {} into {}: temporary and runtime directories must be empty "
                                             "(create /run entries with a usr/lib/tmpfiles.d snippet)",
                                             effect.command, shown, effect.package)});
    if (in_directory(path, "var/empty") && !directory)
      hits.push_back({"varempty", fmt::format("{} writes {} into {}: /var/empty must stay empty", effect.command, shown,
                                              effect.package)});
    if (path == "usr/share/info/dir" && !directory)
      hits.push_back({"infodir", fmt::format("{} writes /usr/share/info/dir into {}: remove it (split/infodir)",
                                             effect.command, effect.package)});
    if (path.ends_with(".la") && (effect.kind == Kind::file || effect.kind == Kind::unknown))
      hits.push_back({"libtool/la-files", fmt::format("{} installs the libtool archive {} into {}: remove .la files",
                                                      effect.command, shown, effect.package)});
  }
  if (!effect.mode.empty() && !directory && !known_directory) {
    ModeBits bits = mode_bits(effect.mode);
    if (bits.setid)
      hits.push_back({"setuidgid", fmt::format("{} {} makes {} in {} setuid/setgid", effect.command, effect.mode,
                                               shown, effect.package)});
    if (bits.world_writable && !bits.sticky)
      hits.push_back({"worldwrite", fmt::format("{} {} makes {} in {} world-writable", effect.command, effect.mode,
                                                shown, effect.package)});
  }
  return hits;
}

void lint_scripts(const Recipe& expanded, Diagnostics& diagnostics) {
  std::map<std::string, const Checks*> checks{{expanded.package.name.value, &expanded.package.checks}};
  for (const Subpackage& sub : expanded.subpackages) checks.emplace(sub.name.value, &sub.checks);

  std::vector<ScriptEffect> effects = analyze_scripts(expanded);
  std::set<std::string> with_tmpfiles;
  std::set<std::pair<std::string, std::string>> directories;
  for (const ScriptEffect& effect : effects) {
    if (in_directory(effect.path, "usr/lib/tmpfiles.d")) with_tmpfiles.insert(effect.package);
    if (effect.kind == ScriptEffect::Kind::directory) directories.emplace(effect.package, effect.path);
  }
  for (const ScriptEffect& effect : effects) {
    bool known_directory = directories.count({effect.package, effect.path}) > 0;
    for (Hit& hit : judge(effect, with_tmpfiles.count(effect.package) > 0, known_directory)) {
      auto found = checks.find(effect.package);
      bool disabled = found != checks.end() &&
                      std::any_of(found->second->disabled.begin(), found->second->disabled.end(),
                                  [&](const Text& t) { return t.value == hit.rule; });
      if (disabled) {
        diagnostics.warning(effect.where, hit.message + " (allowed by checks.disabled)", std::string(hit.rule));
      } else {
        diagnostics.error(effect.where, hit.message + " (melange's linter fails the build)", std::string(hit.rule));
      }
    }
  }
}

}  // namespace

void lint_plan(const BuildPlan& plan, Diagnostics& diagnostics) {
  const Recipe& recipe = plan.recipe;
  const Package& package = recipe.package;
  check_disabled_linters(package.checks, diagnostics);
  for (const Subpackage& sub : recipe.subpackages) check_disabled_linters(sub.checks, diagnostics);

  const auto& targets = package.target_architecture;
  if (targets.size() == 1 && targets[0].value == "all") {
    diagnostics.warning(targets[0].where,
                        "target-architecture: ['all'] is deprecated; leave the field out to build for every "
                        "architecture",
                        "target-architecture");
  } else {
    for (const Text& target : targets)
      if (!apk::parse_arch(target.value))
        diagnostics.warning(target.where, fmt::format("unknown architecture \"{}\"", target.value), "target-architecture");
  }

  bool has_license = std::any_of(package.copyright.begin(), package.copyright.end(),
                                 [](const Copyright& c) { return !c.license.value.empty(); });
  if (!has_license)
    diagnostics.warning(package.where, "no copyright license declared (package.copyright[].license)", "copyright");

  const Update& update = recipe.update;
  if (update.set && update.enabled.set && !update.enabled.value && update.exclude_reason.value.empty())
    diagnostics.warning(update.enabled.where, "updates are disabled without an exclude-reason", "update");

  check_empty_steps(recipe.pipeline, diagnostics);
  for (const Subpackage& sub : recipe.subpackages) check_empty_steps(sub.pipeline, diagnostics);
  lint_scripts(recipe, diagnostics);
}

Diagnostics lint_recipe_file(const std::string& path, const PipelineLibrary& library, CompileOptions options) {
  Diagnostics diagnostics;
  std::shared_ptr<const SourceFile> source;
  try {
    source = read_source_file(path);
  } catch (const std::exception& e) {
    auto missing = std::make_shared<SourceFile>();
    missing->path = path;
    diagnostics.error(Location{missing, 0, 0, 0}, e.what());
    return diagnostics;
  }
  Recipe recipe = read_recipe(source, diagnostics);
  if (options.arch.empty()) {
    // Compile for an architecture the recipe builds for, so its `if:` conditions take that path.
    std::string host = apk::host_apk_arch();
    const auto& targets = recipe.package.target_architecture;
    bool host_ok = targets.empty() || std::any_of(targets.begin(), targets.end(), [&](const Text& t) {
      auto arch = apk::parse_arch(t.value);
      return t.value == "all" || (arch && arch->apk == host);
    });
    options.arch = host;
    if (!host_ok) {
      for (const Text& t : targets) {
        if (apk::parse_arch(t.value)) {
          options.arch = t.value;
          break;
        }
      }
    }
  }
  BuildPlan plan = compile_recipe(recipe, library, options, diagnostics);
  lint_plan(plan, diagnostics);
  return diagnostics;
}

}  // namespace lupine::builder
