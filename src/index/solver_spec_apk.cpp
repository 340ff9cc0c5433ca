// Plays `apk --root R --simulate ARGS` for a solver spec: the database is opened from the
// spec's files, then the applet (add, del, upgrade, fix) edits the world and per-name solver
// flags as apk-tools' src/app_*.c do, solves with lupine's solver and prints what apk-tools'
// src/commit.c would. Texts and their order are apk-tools' (stderr first, as a buffered
// stdout ends up after it in solver.sh's output file).
#include "index/solver_spec.h"
#include "index/solver_spec_options.h"

#include "apk/version.h"
#include "common/error.h"
#include "index/index_record.h"
#include "index/solver.h"
#include "index/solver_database.h"
#include "index/solver_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <deque>
#include <functional>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

namespace lupine::index {

using namespace solver_detail;

namespace {

#if defined(__x86_64__)
constexpr const char* default_arch = "x86_64";
#elif defined(__aarch64__)
constexpr const char* default_arch = "aarch64";
#elif defined(__i386__)
constexpr const char* default_arch = "x86";
#else
constexpr const char* default_arch = "noarch";
#endif

constexpr size_t output_width = 50;  // apk-tools' width when stdout is not a terminal

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot read {}", path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// apk-tools' lib/apk/db/installed: index fields plus per-package file lists and state.
struct InstalledDatabase {
  std::deque<IndexRecord> records;
  std::vector<std::string> tags;                  // s:
  std::vector<bool> broken;                       // f: with 'f' (files) or 's' (script)
  std::vector<std::vector<std::string>> files;    // "dir/name" from F: and R:
  std::set<std::string> dirs;
};

InstalledDatabase parse_installed(const std::string& text, const std::string& origin) {
  InstalledDatabase db;
  IndexRecord current;
  std::string tag, dir;
  bool broken = false, started = false;
  std::vector<std::string> files;
  for_each_index_line(
      text, origin,
      [&](size_t line, char key, std::string_view value) {
        if (!started) current.line = line, started = true;
        if (apply_index_field(current, key, value, origin, line)) return;
        switch (key) {
          case 's': tag = value; break;
          case 'f': broken = value.find_first_of("fs") != std::string_view::npos; break;
          case 'F':
            dir = value;
            db.dirs.insert(dir);
            break;
          case 'R': files.push_back(dir.empty() ? std::string(value) : dir + "/" + std::string(value)); break;
          case 'M': case 'a': case 'Z': case 'g': break;
          default: current.unknown.emplace_back(key, std::string(value));
        }
      },
      [&](size_t) {
        db.records.push_back(std::move(current));
        db.tags.push_back(std::move(tag));
        db.broken.push_back(broken);
        db.files.push_back(std::move(files));
        current = IndexRecord();
        tag.clear();
        dir.clear();
        files.clear();
        broken = started = false;
      });
  return db;
}

apk::Dependency to_dependency(const DepText& text) {
  apk::Dependency dep;
  dep.name = text.name;
  dep.tag = text.tag;
  dep.op = text.op & ~apk::CONFLICT;
  dep.version = text.version;
  dep.conflict = (text.op & apk::CONFLICT) != 0;
  dep.broken = text.broken;
  return dep;
}

// apk_deps_add / apk_deps_del: one entry per name.
void deps_add(std::vector<apk::Dependency>& deps, const apk::Dependency& dep) {
  for (apk::Dependency& existing : deps) {
    if (existing.name != dep.name) continue;
    existing = dep;
    return;
  }
  deps.push_back(dep);
}

void deps_del(std::vector<apk::Dependency>& deps, std::string_view name) {
  for (size_t i = 0; i < deps.size(); ++i) {
    if (deps[i].name != name) continue;
    deps[i] = deps.back();
    deps.pop_back();
    return;
  }
}

std::string tag_text(const std::string& tag) {
  if (tag.empty()) return "";
  return tag.starts_with('@') ? tag : "@" + tag;
}

class ApkEmulator {
 public:
  explicit ApkEmulator(const SolverSpec& spec) : spec_(spec) {}

  std::string run() {
    std::vector<std::string> args = {"--root-tmpfs=no"};  // as solver.sh runs apk
    if (spec_.cache.empty()) args.push_back("--no-cache");
    args.insert(args.end(), spec_.args.begin(), spec_.args.end());
    std::string problem;
    if (std::optional<ApkOptions> options = parse_apk_options(args, problem)) {
      options_ = std::move(*options);
      open_database();
      if (options_.applet == "add")
        add();
      else if (options_.applet == "del")
        del();
      else if (options_.applet == "upgrade")
        upgrade();
      else if (options_.applet == "fix")
        fix();
      else
        error(fmt::format("lupine's spec runner does not play the '{}' applet", options_.applet));
    } else {
      error(problem);
    }
    return err_ + out_;
  }

 private:
  void error(const std::string& text) { err_ += "ERROR: " + text + "\n"; }
  void warning(const std::string& text) { err_ += "WARNING: " + text + "\n"; }
  void message(const std::string& text) { out_ += text + "\n"; }

  // --- database ----------------------------------------------------------------------------

  void open_database() {
    for (const std::string& word : spec_.world) {
      std::optional<DepText> dep = split_dependency(word, true);
      if (dep) world_.push_back(to_dependency(*dep));
    }
    if (!spec_.installed.empty()) installed_ = parse_installed(read_text(spec_.installed), spec_.installed.string());
    // The cache index is read when there is a cache and the root does not persist.
    cache_active_ = !spec_.cache.empty() && !options_.no_cache;
    if (cache_active_ && options_.root_tmpfs == "yes")
      cached_ = parse_apkindex(read_text(spec_.cache), spec_.cache.string());
    for (const auto& [tag, path] : spec_.repositories) {
      std::string key = path.lexically_normal().string();
      if (!repository_files_.count(key))
        repository_files_[key] = std::make_unique<std::vector<IndexRecord>>(parse_apkindex(read_text(path), key));
      if (!tag.empty()) repository_tags_.insert(tag_text(tag));
    }
    SolverDatabase db(request());
    for (const std::string& text : db.warnings) warning(text);
  }

  SolverRequest request() const {
    SolverRequest request;
    for (const auto& [tag, path] : spec_.repositories) {
      const auto& records = *repository_files_.at(path.lexically_normal().string());
      // test: repositories are remote: with --no-network their packages cannot be fetched.
      request.repositories.push_back(SolverRepository{tag, records, !options_.no_network});
    }
    for (size_t i = 0; i < installed_.records.size(); ++i)
      request.installed.push_back(InstalledPackage{&installed_.records[i], installed_.tags[i]});
    request.cached = cached_;
    for (const IndexRecord& record : virtual_records_) request.local.push_back(LocalPackage{&record, false});
    request.world = world_;
    request.arches = options_.arches.empty() ? std::vector<std::string>{default_arch} : options_.arches;
    request.name_flags = name_flags_;
    request.force_broken_world = options_.force_broken_world;
    return request;
  }

  // apk_db_check_world: every tag the world uses must name a repository.
  bool check_world(const std::vector<apk::Dependency>& world) {
    if (options_.force_broken_world) return true;
    bool ok = true;
    for (const apk::Dependency& dep : world) {
      if (dep.tag.empty() || repository_tags_.count(tag_text(dep.tag))) continue;
      warning(fmt::format("The repository tag for world dependency '{}{}' does not exist", dep.name, tag_text(dep.tag)));
      ok = false;
    }
    return ok;
  }

  void set_name_flags(std::string_view name, unsigned flags, unsigned inheritable) {
    name_flags_.push_back(NameFlags{std::string(name), flags, inheritable});
  }

  // apk_solver_commit: solve, then commit or explain.
  void solver_commit(unsigned flags, const std::vector<apk::Dependency>& world, bool preupgrade = false) {
    if (!check_world(world)) {
      error("Not committing changes due to missing repository tags.");
      return;
    }
    auto [db, solution] = solve(flags, world, preupgrade);
    if (solution.ok())
      commit_changeset(*db, solution, preupgrade);
    else
      err_ += render_problems(solution, output_width);
  }

  std::pair<std::unique_ptr<SolverDatabase>, Solution> solve(unsigned flags, const std::vector<apk::Dependency>& world,
                                                             bool preupgrade) {
    SolverRequest req = request();
    req.world = world;
    req.flags = flags;
    req.preupgrade = preupgrade;
    auto db = std::make_unique<SolverDatabase>(req);
    Solution solution = db->solve();
    return {std::move(db), std::move(solution)};
  }

  // --- commit (src/commit.c apk_solver_commit_changeset, simulated) -------------------------

  void dump_packages(const std::vector<size_t>& sorted, const Solution& solution,
                     const std::function<bool(size_t)>& matches, bool details, const std::string& title,
                     int& count) {
    IndentedWriter writer(out_, output_width);
    bool any = false;
    for (size_t i : sorted) {
      if (!matches(i)) continue;
      if (!any) writer.group(title + ":\n", 2);
      any = true;
      ++count;
      const Change& change = solution.changes[i];
      const IndexRecord& shown = change.new_package ? *change.new_package : *change.old_package;
      if (details) {
        if (change.kind != ChangeKind::reinstall && change.new_package && change.old_package)
          out_ += fmt::format("  {}{} ({} -> {})\n", shown.name, change.new_tag, change.old_package->version,
                              change.new_package->version);
        else
          out_ += fmt::format("  {}{} ({})\n", shown.name, change.new_tag,
                              change.old_package ? change.old_package->version : change.new_package->version);
      } else {
        writer.item(shown.name);
      }
    }
    writer.end();
  }

  void commit_changeset(const SolverDatabase& db, const Solution& solution, bool preupgrade) {
    const std::vector<ChangeRecord>& records = db.last_changes;
    if (options_.verbosity > 1) {
      bool details = options_.verbosity >= 2;
      std::vector<size_t> sorted(solution.changes.size());
      for (size_t i = 0; i < sorted.size(); ++i) sorted[i] = i;
      auto name_of = [&](size_t i) {
        const ChangeRecord& r = records[i];
        return db.packages[r.old_package != no_id ? r.old_package : r.new_package].name;
      };
      std::stable_sort(sorted.begin(), sorted.end(),
                       [&](size_t a, size_t b) { return db.name_less(name_of(a), name_of(b)); });
      auto non_repository = [&](size_t i) {
        const ChangeRecord& r = records[i];
        if (r.new_package == no_id) return false;
        const Name& name = db.names[db.packages[r.new_package].name];
        if (name.has_repository_providers) return false;
        return details || !name.text.starts_with('.');
      };
      auto removed = [&](size_t i) { return records[i].new_package == no_id; };
      auto downgraded = [&](size_t i) { return solution.changes[i].kind == ChangeKind::downgrade; };
      auto added = [&](size_t i) { return records[i].old_package == no_id; };
      auto upgraded = [&](size_t i) {
        ChangeKind kind = solution.changes[i].kind;
        return kind == ChangeKind::upgrade || kind == ChangeKind::replace;
      };
      auto reinstalled = [&](size_t i) { return records[i].reinstall; };
      int ignored = 0, shown = 0;
      dump_packages(sorted, solution, non_repository, false,
                    "NOTE: Consider running apk upgrade with --prune and/or --available.\n"
                    "The following packages are no longer available from a repository",
                    ignored);
      dump_packages(sorted, solution, removed, details, "The following packages will be REMOVED", shown);
      dump_packages(sorted, solution, downgraded, details, "The following packages will be DOWNGRADED", shown);
      if (shown || options_.verbosity > 2) {
        dump_packages(sorted, solution, added, details, "The following NEW packages will be installed", shown);
        dump_packages(sorted, solution, upgraded, details, "The following packages will be upgraded", shown);
        dump_packages(sorted, solution, reinstalled, details, "The following packages will be reinstalled", shown);
        uint64_t download = 0;
        int64_t size_diff = 0;
        for (const Change& change : solution.changes) {
          if (change.new_package) {
            size_diff += static_cast<int64_t>(change.new_package->installed_size);
            if (change.new_package != change.old_package && change.kind != ChangeKind::unchanged &&
                change.kind != ChangeKind::reinstall && change.kind != ChangeKind::pinning_update)
              download += change.new_package->file_size;
          }
          if (change.old_package) size_diff -= static_cast<int64_t>(change.old_package->installed_size);
        }
        if (download) message(fmt::format("Need to download {} of packages.", format_human_size(download)));
        message(fmt::format("After this operation, {} of {}.",
                            format_human_size(static_cast<uint64_t>(size_diff < 0 ? -size_diff : size_diff)),
                            size_diff < 0 ? "disk space will be freed" : "additional disk space will be used"));
      }
    }
    out_ += render_changes(solution);
    if (preupgrade) return;
    if (options_.verbosity > 1) {
      size_t files = 0;
      for (const auto& list : installed_.files) files += list.size();
      message(fmt::format("OK: {} packages, {} dirs, {} files, {}", solution.installed_packages_after(),
                          installed_.dirs.size(), files, format_human_size(solution.installed_bytes_after())));
    } else {
      out_ += render_summary(solution);
    }
  }

  // --- applets ----------------------------------------------------------------------------

  void add() {
    std::vector<apk::Dependency> world = world_;
    unsigned flags = (options_.latest ? solver_flags::latest : 0) | (options_.upgrade ? solver_flags::upgrade : 0);
    std::optional<apk::Dependency> virtual_dep;
    std::vector<std::string> virtual_depends;
    if (options_.virtual_package) {
      const std::string& text = *options_.virtual_package;
      std::optional<DepText> parsed = split_dependency(text, true);
      bool bad = !parsed || (parsed->op & apk::CONFLICT) || parsed->broken;
      if (!bad) {
        virtual_dep = to_dependency(*parsed);
        if (virtual_dep->op == apk::ANY && virtual_dep->version.empty()) {
          virtual_dep->op = apk::EQUAL;
          char stamp[32];
          std::time_t now = std::time(nullptr);
          std::tm tm{};
          gmtime_r(&now, &tm);
          std::strftime(stamp, sizeof stamp, "%Y%m%d.%H%M%S", &tm);
          virtual_dep->version = stamp;
        } else if (virtual_dep->op != apk::EQUAL || virtual_dep->version.empty()) {
          bad = true;
        }
      }
      if (bad) {
        error(fmt::format("{}: bad package specifier", text));
        return;
      }
      if (!virtual_dep->name.starts_with('.') && !non_repository_check()) return;
      if (options_.args.empty()) warning("creating empty virtual package");
    }

    for (const std::string& arg : options_.args) {
      bool for_virtual = virtual_dep.has_value();
      std::optional<DepText> parsed = split_dependency(arg, !for_virtual);
      bool separator = arg.find_first_of(" \n") != std::string::npos;
      if (!parsed || separator || parsed->broken) {
        error(fmt::format("'{}' is not a valid {} dependency, format is {}", arg, for_virtual ? "package" : "world",
                          for_virtual ? "name([<>~=]version)" : "name(@tag)([<>~=]version)"));
        return;
      }
      apk::Dependency dep = to_dependency(*parsed);
      if (for_virtual) {
        auto same = std::find_if(virtual_depends.begin(), virtual_depends.end(), [&](const std::string& existing) {
          return split_dependency(existing, false)->name == dep.name;
        });
        if (same != virtual_depends.end())
          *same = arg;
        else
          virtual_depends.push_back(arg);
      } else {
        deps_add(world, dep);
        set_name_flags(dep.name, flags, flags);
      }
    }
    if (virtual_dep) {
      IndexRecord record;
      record.name = virtual_dep->name;
      record.version = virtual_dep->version;
      record.identity = "virtual:" + record.name + "=" + record.version;
      record.arch = "noarch";
      record.description = "virtual meta package";
      record.depends = virtual_depends;
      virtual_records_.push_back(std::move(record));
      deps_add(world, *virtual_dep);
      set_name_flags(virtual_dep->name, flags, flags);
    }
    solver_commit(0, world);
  }

  bool non_repository_check() {
    bool permanent = options_.root_tmpfs != "yes";
    if (options_.force_non_repository || cache_active_ || permanent) return true;
    error(
        "You tried to add a non-repository package to system, but it would be lost on next reboot. Enable package "
        "caching (apk cache --help) or use --force-non-repository if you know what you are doing.");
    return false;
  }

  void del() {
    SolverDatabase base(request());
    std::vector<apk::Dependency> world = world_;
    std::vector<bool> visited(base.packages.size());
    int errors = 0;
    std::function<void(PackageId)> delete_package = [&](PackageId id) {
      const Package& package = base.packages[id];
      deps_del(world, base.names[package.name].text);
      set_name_flags(base.names[package.name].text, solver_flags::remove, 0);
      if (!options_.rdepends) return;
      for (const Dep& provided : package.provides) deps_del(world, base.names[provided.name].text);
      ReverseDependencyFilter filter;
      filter.installed_only = true;
      filter.visited = &visited;
      filter.one_dep_only = true;
      for_each_reverse_dependency(base, id, filter, [&](PackageId dependent, const Dep&) { delete_package(dependent); });
    };
    for (const std::string& arg : options_.args) {
      NameId name = base.find_name(arg);
      if (name == no_id) {
        error(fmt::format("No such package: {}", arg));
        ++errors;
        continue;
      }
      PackageId installed = base.installed_package(name);
      if (installed != no_id)
        delete_package(installed);
      else
        deps_del(world, arg);
    }
    if (errors) return;

    if (!check_world(world)) {
      error("Not committing changes due to missing repository tags.");
      return;
    }
    auto [db, solution] = solve(0, world, false);
    if (!solution.ok()) {
      err_ += render_problems(solution, output_width);
      return;
    }
    if (options_.verbosity >= 1) print_not_deleted(*db, world);
    commit_changeset(*db, solution, false);
  }

  // "World updated, but the following packages are not removed due to:" (src/app_del.c).
  void print_not_deleted(SolverDatabase& db, const std::vector<apk::Dependency>& world) {
    std::vector<bool> was_world_conflict(db.names.size()), is_world_dependency(db.names.size());
    for (const apk::Dependency& dep : world_)
      if (dep.conflict)
        if (NameId id = db.find_name(dep.name); id != no_id) was_world_conflict[id] = true;
    for (const apk::Dependency& dep : world)
      if (!dep.conflict)
        if (NameId id = db.find_name(dep.name); id != no_id) is_world_dependency[id] = true;
    for (Package& package : db.packages) package.marked = false;
    for (const ChangeRecord& change : db.last_changes)
      if (change.new_package != no_id) db.packages[change.new_package].marked = true;

    std::vector<NameId> names;
    for (const std::string& arg : options_.args)
      if (NameId id = db.find_name(arg); id != no_id) names.push_back(id);
    std::stable_sort(names.begin(), names.end(), [&](NameId a, NameId b) { return db.name_less(a, b); });

    bool header = false;
    for (NameId name : names) {
      if (was_world_conflict[name]) continue;
      std::vector<bool> visited(db.packages.size());
      IndentedWriter writer(out_, output_width);
      std::function<void(PackageId)> print_package = [&](PackageId id) {
        const Package& package = db.packages[id];
        if (!header) {
          message("World updated, but the following packages are not removed due to:");
          header = true;
        }
        if (!writer.started()) writer.group(fmt::format("  {}:", db.names[name].text));
        if (is_world_dependency[package.name]) writer.item(std::string(db.names[package.name].text));
        for (const Dep& provided : package.provides)
          if (is_world_dependency[provided.name]) writer.item(std::string(db.names[provided.name].text));
        ReverseDependencyFilter filter;
        filter.marked_only = true;
        filter.visited = &visited;
        filter.one_dep_only = true;
        for_each_reverse_dependency(db, id, filter, [&](PackageId dependent, const Dep&) { print_package(dependent); });
        for (const Dep& trigger : package.install_if) {
          for (const Provider& provider : db.names[trigger.name].providers) {
            const Package& other = db.packages[provider.package];
            if (!other.marked || visited[provider.package]) continue;
            visited[provider.package] = true;
            if (options_.verbosity < 2 && !is_world_dependency[other.name]) continue;
            print_package(provider.package);
          }
        }
      };
      for (const Provider& provider : db.names[name].providers)
        if (db.packages[provider.package].marked) print_package(provider.package);
      writer.end();
    }
    if (header) out_ += "\n";
  }

  void upgrade() {
    if (!check_world(world_)) {
      error("Not continuing with upgrade due to missing repository tags.");
      return;
    }
    unsigned flags = solver_flags::upgrade | (options_.available ? solver_flags::available : 0) |
                     (options_.latest ? solver_flags::latest : 0);
    // The root is always set here, so only --preupgrade-only runs the self-upgrade pass.
    if (options_.preupgrade_only && options_.preupgrade && options_.args.empty()) {
      if (preupgrade(flags)) return;
    }
    if (options_.preupgrade_only) return;

    std::vector<apk::Dependency> world = world_;
    if (options_.prune || options_.available) {
      SolverDatabase base(request());
      if (options_.available) {
        for (apk::Dependency& dep : world) {
          if (dep.op != apk::CHECKSUM) continue;
          dep.op = apk::ANY;
          dep.version.clear();
        }
      }
      if (options_.prune) {
        std::erase_if(world, [&](const apk::Dependency& dep) {
          NameId name = base.find_name(dep.name);
          if (name == no_id) return true;
          for (const Provider& provider : base.names[name].providers)
            if (base.package_available(base.packages[provider.package])) return false;
          return true;
        });
      }
    }
    if (!options_.args.empty()) {
      SolverDatabase base(request());
      if (!options_.ignore) flags &= ~solver_flags::upgrade;
      int errors = 0;
      for (const std::string& arg : options_.args) {
        if (base.find_name(arg) == no_id) {
          error(fmt::format("Package '{}' not found", arg));
          ++errors;
          continue;
        }
        set_name_flags(arg, options_.ignore ? solver_flags::installed : solver_flags::upgrade, 0);
      }
      if (errors) return;
    }
    solver_commit(flags, world);
  }

  // apk_do_preupgrade: upgrade apk-tools itself (the owner of /proc/self/exe) and the
  // --preupgrade-depends first, changing as little else as possible. True when it committed.
  bool preupgrade(unsigned flags) {
    SolverDatabase base(request());
    std::vector<apk::Dependency> deps;
    for (size_t i = 0; i < installed_.records.size(); ++i) {
      const auto& files = installed_.files[i];
      if (std::find(files.begin(), files.end(), "proc/self/exe") == files.end()) continue;
      apk::Dependency owner;
      owner.name = installed_.records[i].name;
      deps_add(deps, owner);
      break;
    }
    for (const std::string& text : options_.preupgrade_depends) {
      bool warn = false;
      std::istringstream words(text);
      std::string word;
      while (words >> word) {
        std::optional<DepText> parsed = split_dependency(word, false);
        if (!parsed) {
          warn = true;
          break;
        }
        deps_add(deps, to_dependency(*parsed));
      }
      if (warn) warning(fmt::format("Ignored invalid preupgrade dependencies from: {}", text));
    }

    bool any = false;
    for (const apk::Dependency& dep : deps) {
      NameId name = base.find_name(dep.name);
      PackageId installed = base.installed_package(name);
      // apk_dep_is_materialized against the installed package of the name
      bool materialized = dep.conflict;
      if (installed != no_id) {
        int op = dep.op | (dep.conflict ? apk::CONFLICT : 0);
        materialized = apk::version_match(base.packages[installed].version, op, dep.version);
      }
      if (!materialized) continue;
      for (const Provider& provider : base.names[name].providers) {
        const Package& candidate = base.packages[provider.package];
        if (!candidate.repos) continue;
        if (!apk::version_match(candidate.version, apk::GREATER, base.packages[installed].version)) continue;
        set_name_flags(dep.name, flags, 0);
        any = true;
        break;
      }
    }
    if (!any) return false;

    auto [db, solution] = solve(0, world_, true);
    if (!solution.ok()) {
      warning("Failed to perform initial preupgrade, continuing with a full upgrade.");
      return false;
    }
    if (solution.action_count() == 0) return false;
    if (!options_.preupgrade_only) {
      warning("This simulation might not reliable as a preupgrade is available.");
      return false;
    }
    message("Preupgrading:");
    commit_changeset(*db, solution, false);
    return true;
  }

  void fix() {
    SolverDatabase base(request());
    unsigned flags = (options_.reinstall ? solver_flags::reinstall : 0) | (options_.upgrade ? solver_flags::upgrade : 0);
    if (!flags) flags = solver_flags::reinstall;
    auto mark = [&](std::string_view name) { set_name_flags(name, flags, options_.depends ? flags : 0); };
    if (options_.args.empty()) {
      for (size_t i = 0; i < installed_.records.size(); ++i)
        if (installed_.broken[i]) mark(installed_.records[i].name);
    } else {
      int errors = 0;
      for (const std::string& arg : options_.args) {
        if (base.find_name(arg) == no_id) {
          error(fmt::format("Package '{}' not found", arg));
          ++errors;
          continue;
        }
        mark(arg);
      }
      if (errors) return;
    }
    solver_commit(0, world_);
  }

  const SolverSpec& spec_;
  ApkOptions options_;
  std::string err_, out_;
  std::vector<apk::Dependency> world_;
  InstalledDatabase installed_;
  std::vector<IndexRecord> cached_;
  std::map<std::string, std::unique_ptr<std::vector<IndexRecord>>> repository_files_;
  std::set<std::string> repository_tags_;
  std::deque<IndexRecord> virtual_records_;
  std::vector<NameFlags> name_flags_;
  bool cache_active_ = false;
};

}  // namespace

std::string run_solver_spec(const SolverSpec& spec) {
  if (!spec.invalid.empty()) return "";
  return ApkEmulator(spec).run();
}

}  // namespace lupine::index
