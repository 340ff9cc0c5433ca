#include "image/image_check.h"

#include "builder/scan/elf.h"
#include "common/error.h"
#include "common/words.h"
#include "image/accounts.h"
#include "image/image_read.h"

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <tuple>

namespace lupine::image {
namespace {

using apk::TarType;

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t at = text.find(separator, start);
    out.emplace_back(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

std::string slash(const std::string& path) { return "/" + path; }

bool is_elf(const TreeEntry& entry) { return entry.data.size() >= 4 && entry.data.compare(0, 4, "\x7f" "ELF") == 0; }

class Checker {
 public:
  Checker(const ImageTree& tree, const RunConfig& config) : tree_(tree), config_(config) {}

  std::vector<Finding> run() {
    read_accounts();
    read_elves();
    read_library_dirs();
    check_user();
    check_elves();
    check_entrypoint();
    check_scripts();
    check_ca_bundle();
    check_tmp();
    check_surface();
    std::stable_sort(findings_.begin(), findings_.end(), [](const Finding& a, const Finding& b) {
      return std::tie(a.severity, a.file, a.check) < std::tie(b.severity, b.file, b.check);
    });
    return std::move(findings_);
  }

 private:
  void add(Severity severity, std::string check, std::string file, std::string message) {
    findings_.push_back({severity, std::move(check), std::move(file), std::move(message)});
  }

  std::string file_text(const std::string& path) const {
    const TreeEntry* entry = tree_.find(path);
    return entry && entry->type == TarType::regular ? entry->data : std::string();
  }

  void read_accounts() {
    accounts_ = parse_passwd(file_text("etc/passwd"));
    groups_ = parse_group(file_text("etc/group"));
  }

  std::string env(const std::string& name, const std::string& fallback) const {
    for (const auto& entry : config_.env)
      if (entry.rfind(name + "=", 0) == 0) return entry.substr(name.size() + 1);
    return fallback;
  }

  void read_elves() {
    for (const auto& [path, entry] : tree_.entries()) {
      if (entry.type != TarType::regular || !is_elf(entry) || path.rfind("usr/lib/debug/", 0) == 0) continue;
      try {
        auto info = builder::parse_elf(entry.data);
        if (info && (info->type == 2 || info->type == 3)) elves_[path] = std::move(*info);
      } catch (const Error& error) {
        add(Severity::warning, "elf", slash(path), fmt::format("cannot be read as ELF: {}", error.what()));
      }
    }
  }

  // /etc/ld.so.conf with its `include` globs (ldconfig's rules), then the loader's own directories.
  void read_library_dirs() {
    std::set<std::string> seen_files;
    std::function<void(const std::string&)> read_conf = [&](const std::string& file) {
      if (!seen_files.insert(file).second) return;
      for (auto line : split(file_text(file), '\n')) {
        std::vector<std::string> tokens;
        append_words(tokens, std::string_view(line).substr(0, line.find('#')));
        if (tokens.empty()) continue;
        if (tokens[0] == "include") {
          for (size_t i = 1; i < tokens.size(); ++i) {
            std::string pattern = tree_path(tokens[i]);
            for (const auto& [path, entry] : tree_.entries())
              if (fnmatch(pattern.c_str(), path.c_str(), FNM_PATHNAME) == 0) read_conf(path);
          }
          continue;
        }
        for (auto& token : tokens) library_dirs_.push_back(tree_path(token));
      }
    };
    read_conf("etc/ld.so.conf");
    for (const char* dir : {"lib64", "usr/lib64", "lib", "usr/lib"}) library_dirs_.push_back(dir);
  }

  // Where the loader finds `name` for the ELF at `path`: its resolved path, or nullopt.
  std::optional<std::string> find_library(const std::string& path, const builder::ElfInfo& info, const std::string& name) {
    auto matches = [&](const std::string& candidate) -> std::optional<std::string> {
      auto resolved = tree_.resolve(candidate);
      if (!resolved) return std::nullopt;
      auto elf = elves_.find(*resolved);
      // A library of another class or machine is passed over, as the loader does.
      if (elf == elves_.end() || elf->second.is_64 != info.is_64 || elf->second.machine != info.machine) return std::nullopt;
      return resolved;
    };
    if (name.find('/') != std::string::npos) return matches(name);
    std::string origin = path.substr(0, path.rfind('/') == std::string::npos ? 0 : path.rfind('/'));
    std::vector<std::string> dirs;
    for (const auto& dir : split(env("LD_LIBRARY_PATH", ""), ':'))
      if (!dir.empty()) dirs.push_back(dir);
    for (std::string dir : info.runpath) {
      for (const char* token : {"${ORIGIN}", "$ORIGIN"})
        for (size_t at = dir.find(token); at != std::string::npos; at = dir.find(token))
          dir.replace(at, std::string_view(token).size(), "/" + origin);
      dirs.push_back(dir);
    }
    dirs.insert(dirs.end(), library_dirs_.begin(), library_dirs_.end());
    for (const auto& dir : dirs)
      if (auto found = matches(tree_path(dir) + "/" + name)) return found;
    return std::nullopt;
  }

  void check_elves() {
    for (const auto& [path, info] : elves_) {
      if (!info.interpreter.empty() && !tree_.find(info.interpreter))
        add(Severity::error, "interpreter", slash(path),
            fmt::format("its program interpreter {} is not in the image", info.interpreter));
      std::map<std::string, std::optional<std::string>> found;
      for (const auto& needed : info.needed) {
        found[needed] = find_library(resolved_or(path), info, needed);
        if (!found[needed])
          add(Severity::error, "library", slash(path),
              fmt::format("needs {}, which is in none of its library directories (RUNPATH, LD_LIBRARY_PATH, "
                          "/etc/ld.so.conf, /lib64, /usr/lib64, /lib, /usr/lib)", needed));
      }
      for (const auto& need : info.version_needs) {
        auto library = found.count(need.file) ? found[need.file] : find_library(resolved_or(path), info, need.file);
        if (!library || need.weak) continue;
        const auto& defined = elves_.at(*library).version_defs;
        if (std::find(defined.begin(), defined.end(), need.version) == defined.end())
          add(Severity::error, "symbol-version", slash(path),
              fmt::format("needs symbol version {} from {} (/{}), which does not define it{}", need.version, need.file,
                          *library, defined.empty() ? "" : fmt::format(" (it has {})", newest_versions(defined))));
      }
    }
  }

  std::string resolved_or(const std::string& path) const { return tree_.resolve(path).value_or(path); }

  static std::string newest_versions(const std::vector<std::string>& defined) {
    std::vector<std::string> last(defined.end() - std::min<size_t>(defined.size(), 3), defined.end());
    return (defined.size() > 3 ? "…, " : "") + fmt::format("{}", fmt::join(last, ", "));
  }

  // The run-as user, as the runtime sets it: uid, primary gid, supplementary gids.
  struct RunAs {
    uint32_t uid = 0, gid = 0;
    std::set<uint32_t> groups;
  };
  RunAs run_as_;

  void check_user() {
    std::string spec = config_.user.empty() ? "0" : config_.user;
    std::string user = spec.substr(0, spec.find(':'));
    std::optional<std::string> group;
    if (spec.find(':') != std::string::npos) group = spec.substr(spec.find(':') + 1);
    const PasswdEntry* account = nullptr;
    for (const auto& candidate : accounts_)
      if (candidate.name == user || (numeric_id(user) && candidate.uid == *numeric_id(user))) {
        account = &candidate;
        break;
      }
    if (!account) {
      add(Severity::error, "user", "/etc/passwd",
          file_text("etc/passwd").empty()
              ? fmt::format("the image runs as user {}, but it has no /etc/passwd", user)
              : fmt::format("the image runs as user {}, which /etc/passwd does not list", user));
      if (auto uid = numeric_id(user)) run_as_.uid = *uid;
    } else {
      run_as_.uid = account->uid;
      run_as_.gid = account->gid;
      const TreeEntry* home = tree_.find(account->home);
      if (!home || home->type != TarType::directory)
        add(Severity::error, "home", "/etc/passwd",
            fmt::format("user {}'s home directory {} is not in the image", account->name, account->home));
    }
    if (group) {
      const GroupEntry* found = nullptr;
      for (const auto& candidate : groups_)
        if (candidate.name == *group || (numeric_id(*group) && candidate.gid == *numeric_id(*group))) found = &candidate;
      if (!found) add(Severity::error, "group", "/etc/group", fmt::format("the image runs as group {}, which /etc/group does not list", *group));
      else run_as_.gid = found->gid;
    } else if (account && std::none_of(groups_.begin(), groups_.end(), [&](const GroupEntry& g) { return g.gid == account->gid; })) {
      add(Severity::error, "group", "/etc/group",
          fmt::format("user {}'s group {} is not in /etc/group", account->name, account->gid));
    }
    run_as_.groups.insert(run_as_.gid);
    if (account)
      for (const auto& g : groups_)
        if (std::find(g.members.begin(), g.members.end(), account->name) != g.members.end()) run_as_.groups.insert(g.gid);
  }

  bool permitted(const TreeEntry& entry, uint32_t bits) const {  // bits: 1 execute, 2 write, 4 read
    if (run_as_.uid == 0) return bits != 1 || (entry.mode & 0111) || entry.type == TarType::directory;
    if (entry.uid == run_as_.uid) return entry.mode & (bits << 6);
    if (run_as_.groups.count(entry.gid)) return entry.mode & (bits << 3);
    return entry.mode & bits;
  }

  // A script's interpreter (and, behind /usr/bin/env, its program in PATH): what is missing, or "".
  std::string missing_interpreter(const TreeEntry& script) const {
    std::string line = script.data.substr(2, script.data.find('\n') == std::string::npos ? std::string::npos
                                                                                          : script.data.find('\n') - 2);
    std::vector<std::string> words;
    append_words(words, line);
    if (words.empty()) return "(an empty #! line)";
    if (!tree_.find(words[0])) return words[0];
    if (words[0].size() >= 4 && words[0].compare(words[0].size() - 4, 4, "/env") == 0)
      for (size_t i = 1; i < words.size(); ++i) {
        if (words[i][0] == '-' || words[i].find('=') != std::string::npos) continue;
        return in_path(words[i]) ? "" : words[i] + " (in PATH)";
      }
    return "";
  }

  std::optional<std::string> in_path(const std::string& program) const {
    for (const auto& dir : split(env("PATH", kDefaultPath), ':')) {
      if (dir.empty()) continue;
      std::string candidate = tree_path(dir + "/" + program);
      const TreeEntry* entry = tree_.find(candidate);
      if (entry && entry->type == TarType::regular) return tree_.resolve(candidate);
    }
    return std::nullopt;
  }

  static constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  void check_entrypoint() {
    std::vector<std::string> argv = config_.entrypoint;
    argv.insert(argv.end(), config_.cmd.begin(), config_.cmd.end());
    if (argv.empty()) {
      add(Severity::warning, "entrypoint", "", "the image has neither an entrypoint nor a cmd");
      return;
    }
    const std::string& program = argv[0];
    std::optional<std::string> path;
    if (program.find('/') != std::string::npos) {
      path = tree_.resolve(program[0] == '/' ? program : config_.working_dir + "/" + program);
    } else {
      path = in_path(program);
    }
    std::string what = config_.entrypoint.empty() ? "cmd" : "entrypoint";
    const TreeEntry* entry = path ? tree_.entry(*path) : nullptr;
    if (!entry) {
      add(Severity::error, "entrypoint", program.find('/') != std::string::npos ? program : "",
          program.find('/') != std::string::npos
              ? fmt::format("the {} {} is not in the image", what, program)
              : fmt::format("the {} {} is in none of PATH's directories ({})", what, program, env("PATH", kDefaultPath)));
      return;
    }
    if (entry->type != TarType::regular) {
      add(Severity::error, "entrypoint", slash(*path), fmt::format("the {} is not a regular file", what));
      return;
    }
    if (!permitted(*entry, 1))
      add(Severity::error, "entrypoint", slash(*path),
          fmt::format("the {} is not executable by the run-as user (uid {}; mode {:04o}, owner {}:{})", what,
                      run_as_.uid, entry->mode, entry->uid, entry->gid));
    if (entry->data.rfind("#!", 0) == 0) {
      std::string missing = missing_interpreter(*entry);
      if (!missing.empty())
        add(Severity::error, "entrypoint", slash(*path), fmt::format("the {}'s interpreter {} is not in the image", what, missing));
      entrypoint_script_ = *path;
    }
  }

  void check_scripts() {
    for (const auto& [path, entry] : tree_.entries()) {
      if (entry.type != TarType::regular || !(entry.mode & 0111) || entry.data.rfind("#!", 0) != 0) continue;
      if (path == entrypoint_script_) continue;
      std::string missing = missing_interpreter(entry);
      if (!missing.empty())
        add(Severity::warning, "shebang", slash(path), fmt::format("its interpreter {} is not in the image", missing));
    }
  }

  void check_ca_bundle() {
    std::string ssl, crypto;
    for (const auto& [path, info] : elves_) {
      std::string base = path.substr(path.rfind('/') + 1);
      if (base.rfind("libssl.so", 0) == 0 && ssl.empty()) ssl = path;
      if (base.rfind("libcrypto.so", 0) == 0 && crypto.empty()) crypto = path;
    }
    if (ssl.empty() && crypto.empty()) return;
    for (const char* bundle : {"etc/ssl/certs/ca-certificates.crt", "etc/ssl/cert.pem", "etc/pki/tls/certs/ca-bundle.crt"}) {
      const TreeEntry* entry = tree_.find(bundle);
      if (entry && entry->type == TarType::regular && entry->data.find("BEGIN CERTIFICATE") != std::string::npos) return;
    }
    add(ssl.empty() ? Severity::warning : Severity::error, "ca-bundle", slash(ssl.empty() ? crypto : ssl),
        "the image has TLS libraries but no CA bundle (/etc/ssl/certs/ca-certificates.crt): certificates cannot be verified");
  }

  void check_tmp() {
    auto path = tree_.resolve("tmp");
    const TreeEntry* entry = path ? tree_.entry(*path) : nullptr;
    if (!entry || entry->type != TarType::directory) {
      add(Severity::error, "tmp", "/tmp", "the image has no /tmp directory");
      return;
    }
    if (!permitted(*entry, 2) || !permitted(*entry, 1))
      add(Severity::error, "tmp", "/tmp",
          fmt::format("the run-as user (uid {}) cannot write /tmp (mode {:04o}, owner {}:{})", run_as_.uid, entry->mode,
                      entry->uid, entry->gid));
  }

  void check_surface() {
    static const std::set<std::string> shells = {"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "fish", "csh", "tcsh", "busybox"};
    static const std::set<std::string> managers = {"apk", "apt", "apt-get", "dpkg", "rpm", "dnf", "yum", "microdnf", "pip", "pip3"};
    static const std::set<std::string> bin_dirs = {"bin", "sbin", "usr/bin", "usr/sbin", "usr/local/bin", "usr/local/sbin", "busybox"};
    for (const auto& [path, entry] : tree_.entries()) {
      if (entry.type == TarType::regular && (entry.mode & 04000)) add(Severity::note, "setuid", slash(path), fmt::format("setuid (owner {})", entry.uid));
      if (entry.type == TarType::regular && (entry.mode & 02000)) add(Severity::note, "setgid", slash(path), fmt::format("setgid (group {})", entry.gid));
      bool sticky_dir = entry.type == TarType::directory && (entry.mode & 01000);
      if (entry.type != TarType::symlink && (entry.mode & 0002) && !sticky_dir)
        add(Severity::note, "world-writable", slash(path), fmt::format("writable by anyone (mode {:04o})", entry.mode));
      size_t cut = path.rfind('/');
      std::string dir = cut == std::string::npos ? "" : path.substr(0, cut), base = path.substr(cut + 1);
      if (!bin_dirs.count(dir) || (entry.type != TarType::regular && entry.type != TarType::symlink)) continue;
      if (shells.count(base)) add(Severity::note, "shell", slash(path), "a shell");
      if (managers.count(base)) add(Severity::note, "package-manager", slash(path), "a package manager");
    }
  }

  const ImageTree& tree_;
  const RunConfig& config_;
  std::vector<Finding> findings_;
  std::vector<PasswdEntry> accounts_;
  std::vector<GroupEntry> groups_;
  std::map<std::string, builder::ElfInfo> elves_;
  std::vector<std::string> library_dirs_;
  std::string entrypoint_script_;
};

}  // namespace

const char* severity_name(Severity severity) {
  switch (severity) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::note: return "note";
  }
  return "error";
}

std::vector<Finding> check_image(const ImageTree& tree, const RunConfig& config) { return Checker(tree, config).run(); }

std::string render_finding(const Finding& f) {
  return fmt::format("{}: {}{}{} [{}]", severity_name(f.severity), f.file, f.file.empty() ? "" : ": ", f.message, f.check);
}

size_t ImageCheckReport::count(Severity severity) const {
  return std::count_if(findings.begin(), findings.end(), [&](const Finding& f) { return f.severity == severity; });
}

namespace {

std::vector<std::string> strings(const nlohmann::json& config, const char* key) {
  std::vector<std::string> out;
  if (config.contains(key) && config[key].is_array())
    for (const auto& value : config[key])
      if (value.is_string()) out.push_back(value.get<std::string>());
  return out;
}

}  // namespace

RunConfig run_config_of(const nlohmann::json& image_config) {
  nlohmann::json run = image_config.contains("config") && image_config["config"].is_object() ? image_config["config"]
                                                                                           : nlohmann::json::object();
  auto text = [&](const char* key, const char* fallback) {
    return run.contains(key) && run[key].is_string() ? run[key].get<std::string>() : std::string(fallback);
  };
  RunConfig config;
  config.user = text("User", "");
  config.entrypoint = strings(run, "Entrypoint");
  config.cmd = strings(run, "Cmd");
  config.env = strings(run, "Env");
  config.working_dir = text("WorkingDir", "/");
  return config;
}

ImageCheckReport check_image_reference(const std::string& reference, const std::string& go_arch) {
  ReadImage read = read_image(reference, go_arch);
  ImageTree tree = root_of(read);
  ImageCheckReport report;
  report.manifest_digest = read.manifest_digest;
  report.layers = read.layers.size();
  report.files = tree.entries().size();
  report.findings = check_image(tree, run_config_of(read.config));
  return report;
}

}  // namespace lupine::image
