#include "image/config.h"

#include "apk/arch.h"
#include "common/yaml.h"
#include "common/encoding.h"
#include "common/error.h"
#include "common/hash.h"

#include <algorithm>
#include <charconv>
#include <set>

namespace lupine::image {
namespace {


// One file's worth of reading: the diagnostics shared by the whole include chain, and the directory
// relative paths of this file resolve against.
class Reader {
 public:
  Reader(Diagnostics& diagnostics, std::filesystem::path dir) : d_(diagnostics), dir_(std::move(dir)) {}

  // Every key of `map` must be in `allowed`; reports the others. False when `map` is not a mapping.
  bool keys(const YamlNode& map, std::initializer_list<std::string_view> allowed, std::string_view what) {
    if (map.is_null()) return false;
    if (!map.is_mapping()) {
      d_.error(map.where, fmt::format("{}: expected a mapping, found {}", what, map.kind_name()));
      return false;
    }
    for (size_t i = 0; i < map.mapping_size(); ++i) {
      const std::string& key = map.key(i).value;
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      std::vector<std::string_view> candidates(allowed.begin(), allowed.end());
      std::string hint = closest_match(key, candidates);
      d_.error(map.key(i).where, fmt::format("unknown key '{}' in {}{}", key, what,
                                             hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint)));
    }
    return true;
  }

  std::string scalar(const YamlNode& node, std::string_view what) {
    if (node.is_null()) return {};
    if (!node.is_scalar()) {
      d_.error(node.where, fmt::format("{}: expected a string, found {}", what, node.kind_name()));
      return {};
    }
    return node.value;
  }

  bool boolean(const YamlNode& node, std::string_view what) {
    std::string text = scalar(node, what);
    if (text.empty() || text == "false") return false;
    if (text == "true") return true;
    d_.error(node.where, fmt::format("{}: expected true or false, found '{}'", what, text));
    return false;
  }

  std::optional<uint32_t> number(const YamlNode& node, std::string_view what) {
    if (node.is_null()) return std::nullopt;
    std::string text = scalar(node, what);
    uint32_t value = 0;
    auto [ptr, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || ptr != text.data() + text.size()) {
      d_.error(node.where, fmt::format("{}: expected a non-negative integer, found '{}'", what, text));
      return std::nullopt;
    }
    return value;
  }

  // File modes as YAML writes them: 0o755 (YAML 1.2), 0755 (YAML 1.1 octal, as yaml.v3 reads it),
  // 0x1ed, or decimal 493.
  std::optional<uint32_t> mode(const YamlNode& node, std::string_view what) {
    if (node.is_null()) return std::nullopt;
    std::string text = scalar(node, what);
    int base = 10;
    std::string_view digits = text;
    if (digits.starts_with("0o") || digits.starts_with("0O")) {
      base = 8;
      digits.remove_prefix(2);
    } else if (digits.starts_with("0x") || digits.starts_with("0X")) {
      base = 16;
      digits.remove_prefix(2);
    } else if (digits.size() > 1 && digits.front() == '0') {
      base = 8;
      digits.remove_prefix(1);
    }
    uint32_t value = 0;
    auto [ptr, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
    if (digits.empty() || error != std::errc() || ptr != digits.data() + digits.size() || value > 07777) {
      d_.error(node.where,
               fmt::format("{}: expected a file mode such as 0o755 (at most 0o7777), found '{}'", what, text));
      return std::nullopt;
    }
    return value;
  }

  std::vector<std::string> strings(const YamlNode& node, std::string_view what) {
    std::vector<std::string> out;
    if (node.is_null()) return out;
    if (!node.is_sequence()) {
      d_.error(node.where, fmt::format("{}: expected a list, found {}", what, node.kind_name()));
      return out;
    }
    for (const auto& item : node.items) out.push_back(scalar(item, what));
    return out;
  }

  std::map<std::string, std::string> string_map(const YamlNode& node, std::string_view what) {
    std::map<std::string, std::string> out;
    if (node.is_null()) return out;
    if (!node.is_mapping()) {
      d_.error(node.where, fmt::format("{}: expected a mapping, found {}", what, node.kind_name()));
      return out;
    }
    for (size_t i = 0; i < node.mapping_size(); ++i) out[node.key(i).value] = scalar(node.val(i), what);
    return out;
  }

  // A key file or a local repository relative to this file's directory; URLs stay as they are.
  std::string resolve(const std::string& location) const {
    if (location.empty() || location.find("://") != std::string::npos) return location;
    std::filesystem::path path = location;
    if (path.is_absolute()) return location;
    return (dir_ / path).lexically_normal().string();
  }

  // A repositories line `[@tag] LOCATION` with LOCATION resolved.
  std::string resolve_repository(const std::string& line) const {
    if (!line.starts_with('@')) return resolve(line);
    size_t space = line.find_first_of(" \t");
    if (space == std::string::npos) return line;  // the repository parser reports it
    size_t start = line.find_first_not_of(" \t", space);
    if (start == std::string::npos) return line;
    return line.substr(0, space) + " " + resolve(line.substr(start));
  }

  void unsupported(const YamlNode& key, std::string_view what) {
    d_.error(key.where, fmt::format("'{}' is not supported by lupine yet", what));
  }

  Diagnostics& diagnostics() { return d_; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  Diagnostics& d_;
  std::filesystem::path dir_;
};

void read_contents(Reader& r, const YamlNode& node, Contents& c) {
  if (!r.keys(node,
              {"repositories", "build_repositories", "runtime_repositories", "keyring", "runtime_keyring",
               "packages", "baseimage"},
              "contents"))
    return;
  for (size_t i = 0; i < node.mapping_size(); ++i) {
    const std::string& key = node.key(i).value;
    const YamlNode& value = node.val(i);
    auto repositories = [&](std::vector<std::string>& out, std::vector<std::string>* written) {
      for (auto& line : r.strings(value, "contents." + key)) {
        while (!line.empty() && line.back() == '/') line.pop_back();  // apko trims a trailing '/'
        out.push_back(r.resolve_repository(line));
        if (written) written->push_back(line);
      }
    };
    if (key == "repositories") repositories(c.repositories, &c.repositories_as_written);
    else if (key == "build_repositories") repositories(c.build_repositories, &c.build_repositories_as_written);
    else if (key == "runtime_repositories") repositories(c.runtime_repositories, &c.runtime_repositories_as_written);
    else if (key == "keyring")
      for (const auto& key_path : r.strings(value, "contents.keyring")) {
        c.keyring.push_back(r.resolve(key_path));
        c.keyring_as_written.push_back(key_path);
      }
    else if (key == "packages") {
      for (auto& atom : r.strings(value, "contents.packages")) c.packages.push_back(atom);
    } else if (key == "runtime_keyring") {
      if (value.is_null()) continue;
      if (!value.is_sequence()) {
        r.diagnostics().error(value.where, "contents.runtime_keyring: expected a list of {name, content}");
        continue;
      }
      for (const auto& item : value.items) {
        if (!r.keys(item, {"name", "content"}, "contents.runtime_keyring[]")) continue;
        RuntimeKey runtime_key;
        if (const auto* name = item.find("name")) runtime_key.name = r.scalar(*name, "runtime_keyring.name");
        if (const auto* content = item.find("content"))
          runtime_key.content = r.scalar(*content, "runtime_keyring.content");
        if (runtime_key.name.empty() || runtime_key.name.find('/') != std::string::npos || runtime_key.name[0] == '.')
          r.diagnostics().error(item.where, "contents.runtime_keyring[]: 'name' must be a plain file name");
        c.runtime_keyring.push_back(std::move(runtime_key));
      }
    } else if (key == "baseimage") {
      r.unsupported(node.key(i), "contents.baseimage");
    }
  }
}

void read_entrypoint(Reader& r, const YamlNode& node, Entrypoint& e) {
  if (!r.keys(node, {"type", "command", "shell-fragment", "services"}, "entrypoint")) return;
  for (size_t i = 0; i < node.mapping_size(); ++i) {
    const std::string& key = node.key(i).value;
    const YamlNode& value = node.val(i);
    if (key == "type") {
      e.type = r.scalar(value, "entrypoint.type");
      if (!e.type.empty()) r.unsupported(value, "entrypoint type " + e.type);
    } else if (key == "command") e.command = r.scalar(value, "entrypoint.command");
    else if (key == "shell-fragment") e.shell_fragment = r.scalar(value, "entrypoint.shell-fragment");
    else if (key == "services") e.services = r.string_map(value, "entrypoint.services");
  }
}

void read_accounts(Reader& r, const YamlNode& node, Accounts& a) {
  if (!r.keys(node, {"run-as", "users", "groups"}, "accounts")) return;
  if (const auto* run_as = node.find("run-as")) a.run_as = r.scalar(*run_as, "accounts.run-as");
  auto each = [&](const char* key, auto&& read_one) {
    const YamlNode* list = node.find(key);
    if (!list || list->is_null()) return;
    if (!list->is_sequence()) {
      r.diagnostics().error(list->where, fmt::format("accounts.{}: expected a list", key));
      return;
    }
    for (const auto& item : list->items) read_one(item);
  };
  each("users", [&](const YamlNode& item) {
    if (!r.keys(item, {"username", "uid", "gid", "shell", "homedir"}, "accounts.users[]")) return;
    User user;
    if (const auto* v = item.find("username")) user.username = r.scalar(*v, "username");
    if (const auto* v = item.find("uid")) user.uid = r.number(*v, "uid").value_or(0);
    if (const auto* v = item.find("gid")) user.gid = r.number(*v, "gid");
    if (const auto* v = item.find("shell")) user.shell = r.scalar(*v, "shell");
    if (const auto* v = item.find("homedir")) user.homedir = r.scalar(*v, "homedir");
    // apko's Validate(): a user needs a name and a uid other than 0.
    if (user.username.empty()) r.diagnostics().error(item.where, "accounts.users[]: 'username' is required");
    if (user.uid == 0) r.diagnostics().error(item.where, "accounts.users[]: 'uid' must be set and not 0");
    a.users.push_back(std::move(user));
  });
  each("groups", [&](const YamlNode& item) {
    if (!r.keys(item, {"groupname", "gid", "members"}, "accounts.groups[]")) return;
    Group group;
    if (const auto* v = item.find("groupname")) group.groupname = r.scalar(*v, "groupname");
    if (const auto* v = item.find("gid")) group.gid = r.number(*v, "gid").value_or(0);
    if (const auto* v = item.find("members")) group.members = r.strings(*v, "members");
    if (group.groupname.empty()) r.diagnostics().error(item.where, "accounts.groups[]: 'groupname' is required");
    a.groups.push_back(std::move(group));
  });
}

std::optional<PathType> path_type(std::string_view name) {
  if (name == "directory") return PathType::directory;
  if (name == "empty-file") return PathType::empty_file;
  if (name == "hardlink") return PathType::hardlink;
  if (name == "symlink") return PathType::symlink;
  if (name == "permissions") return PathType::permissions;
  return std::nullopt;
}

// A `paths:` path (or hard link source) must name something inside the image: no `..` component.
bool escapes(std::string_view path) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (path.substr(start, end - start) == "..") return true;
    start = end + 1;
  }
  return false;
}

void read_paths(Reader& r, const YamlNode& node, std::vector<PathMutation>& out) {
  if (node.is_null()) return;
  if (!node.is_sequence()) {
    r.diagnostics().error(node.where, "paths: expected a list");
    return;
  }
  for (const auto& item : node.items) {
    if (!r.keys(item, {"path", "type", "uid", "gid", "permissions", "source", "recursive"}, "paths[]")) continue;
    PathMutation m;
    m.where = item.where.str(false);
    if (const auto* v = item.find("path")) m.path = r.scalar(*v, "paths[].path");
    if (const auto* v = item.find("type")) {
      std::string name = r.scalar(*v, "paths[].type");
      if (auto type = path_type(name)) m.type = *type;
      else
        r.diagnostics().error(v->where, fmt::format("paths[].type: '{}' is not one of directory, empty-file, "
                                                    "hardlink, symlink, permissions", name));
    } else {
      r.diagnostics().error(item.where, "paths[]: 'type' is required");
    }
    if (const auto* v = item.find("uid")) m.uid = r.number(*v, "paths[].uid");
    if (const auto* v = item.find("gid")) m.gid = r.number(*v, "paths[].gid");
    if (const auto* v = item.find("permissions")) m.permissions = r.mode(*v, "paths[].permissions");
    if (const auto* v = item.find("source")) m.source = r.scalar(*v, "paths[].source");
    if (const auto* v = item.find("recursive")) m.recursive = r.boolean(*v, "paths[].recursive");
    std::string_view trimmed = m.path;
    while (trimmed.starts_with('/')) trimmed.remove_prefix(1);
    if (trimmed.empty() && m.type != PathType::permissions)
      r.diagnostics().error(item.where, "paths[]: 'path' is required (and may not be the root)");
    if (escapes(m.path))
      r.diagnostics().error(item.where, fmt::format("paths[]: '{}' escapes the image root ('..')", m.path));
    if ((m.type == PathType::hardlink || m.type == PathType::symlink) && m.source.empty())
      r.diagnostics().error(item.where, "paths[]: a link needs 'source'");
    if (m.type == PathType::hardlink && escapes(m.source))
      r.diagnostics().error(item.where, fmt::format("paths[]: hard link source '{}' escapes the image root", m.source));
    out.push_back(std::move(m));
  }
}

struct ReadState {
  Diagnostics diagnostics;
  std::set<std::filesystem::path> open;  // the include chain, against cycles
  Hasher checksum{HashAlgorithm::sha256};
};

ImageConfig read_file(ReadState& state, const std::shared_ptr<const SourceFile>& source,
                      const std::filesystem::path& path);

// apko's MergeInto: `child` (the including file) over `parent` (the included one).
void merge_into(ImageConfig& child, ImageConfig parent) {
  auto concat = [](auto& mine, auto& theirs) {
    theirs.insert(theirs.end(), std::make_move_iterator(mine.begin()), std::make_move_iterator(mine.end()));
    mine = std::move(theirs);
  };
  Contents& c = child.contents;
  Contents& p = parent.contents;
  concat(c.repositories, p.repositories);
  concat(c.build_repositories, p.build_repositories);
  concat(c.runtime_repositories, p.runtime_repositories);
  concat(c.keyring, p.keyring);
  concat(c.runtime_keyring, p.runtime_keyring);
  concat(c.packages, p.packages);
  concat(c.repositories_as_written, p.repositories_as_written);
  concat(c.build_repositories_as_written, p.build_repositories_as_written);
  concat(c.runtime_repositories_as_written, p.runtime_repositories_as_written);
  concat(c.keyring_as_written, p.keyring_as_written);
  auto scalar = [](std::string& mine, std::string& theirs) {
    if (mine.empty()) mine = std::move(theirs);
  };
  scalar(child.entrypoint.type, parent.entrypoint.type);
  scalar(child.entrypoint.command, parent.entrypoint.command);
  scalar(child.entrypoint.shell_fragment, parent.entrypoint.shell_fragment);
  if (child.entrypoint.services.empty()) child.entrypoint.services = std::move(parent.entrypoint.services);
  scalar(child.cmd, parent.cmd);
  scalar(child.stop_signal, parent.stop_signal);
  scalar(child.work_dir, parent.work_dir);
  scalar(child.accounts.run_as, parent.accounts.run_as);
  concat(child.accounts.users, parent.accounts.users);
  concat(child.accounts.groups, parent.accounts.groups);
  if (child.archs.empty()) child.archs = std::move(parent.archs);
  child.environment.merge(parent.environment);  // keeps the child's value for keys both have
  concat(child.paths, parent.paths);
  child.annotations.merge(parent.annotations);
  concat(child.volumes, parent.volumes);
  concat(child.certificates, parent.certificates);
  scalar(child.vcs_url, parent.vcs_url);
  if (child.layering_budget == 0) child.layering_budget = parent.layering_budget;
}

// layering: {strategy: origin, budget: N}: apko's one strategy, and how many layers the packages
// may take (at least 1).
void read_layering(Reader& r, const YamlNode& node, uint32_t& budget) {
  if (node.is_null() || !r.keys(node, {"strategy", "budget"}, "layering")) return;
  if (const auto* strategy = node.find("strategy"); strategy && r.scalar(*strategy, "layering.strategy") != "origin")
    r.diagnostics().error(strategy->where, fmt::format("layering.strategy: only origin is known, not '{}'",
                                                       r.scalar(*strategy, "layering.strategy")));
  const auto* value = node.find("budget");
  std::optional<uint32_t> number = value ? r.number(*value, "layering.budget") : std::nullopt;
  if (!number || *number < 1 || *number > 100) {
    r.diagnostics().error(value ? value->where : node.where, "layering.budget: expected a number of layers from 1 to 100");
    return;
  }
  budget = *number;
}

// certificates: {additional: [{name, content}], providers: [...]}. Each content must be exactly one
// PEM certificate, as apko's parseCertificates requires; providers (packages whose certificate files
// replace update-ca-certificates) are not supported yet.
void read_certificates(Reader& r, const YamlNode& node, std::vector<AdditionalCertificate>& out) {
  if (node.is_null() || !r.keys(node, {"additional", "providers"}, "certificates")) return;
  for (size_t i = 0; i < node.mapping_size(); ++i) {
    const YamlNode& value = node.val(i);
    if (node.key(i).value == "providers") {
      if (!value.is_null()) r.unsupported(node.key(i), "certificates.providers");
      continue;
    }
    if (value.is_null()) continue;
    if (!value.is_sequence()) {
      r.diagnostics().error(value.where, "certificates.additional: expected a list of {name, content}");
      continue;
    }
    for (const auto& item : value.items) {
      if (!r.keys(item, {"name", "content"}, "certificates.additional[]")) continue;
      AdditionalCertificate certificate;
      certificate.where = item.where.str(false);
      if (const auto* name = item.find("name")) certificate.name = r.scalar(*name, "certificates.additional.name");
      if (const auto* content = item.find("content"))
        certificate.content = r.scalar(*content, "certificates.additional.content");
      if (certificate.name.empty() || certificate.name.find('/') != std::string::npos || certificate.name[0] == '.') {
        r.diagnostics().error(item.where, "certificates.additional[]: 'name' must be a plain file name");
        continue;
      }
      try {
        certificate.certificate = parse_pem_certificate(certificate.content, "certificate " + certificate.name);
      } catch (const Error& e) {
        r.diagnostics().error(item.where, fmt::format("certificates.additional[]: {}", e.what()));
        continue;
      }
      out.push_back(std::move(certificate));
    }
  }
}

ImageConfig read_node(ReadState& state, Reader& r, const YamlNode& root) {
  ImageConfig config;
  if (root.is_null()) return config;
  if (!r.keys(root,
              {"contents", "entrypoint", "cmd", "stop-signal", "work-dir", "accounts", "archs", "environment",
               "paths", "vcs-url", "annotations", "include", "volumes", "layering", "format", "certificates"},
              "the image configuration"))
    return config;
  std::optional<ImageConfig> included;
  for (size_t i = 0; i < root.mapping_size(); ++i) {
    const YamlNode& key_node = root.key(i);
    const std::string& key = key_node.value;
    const YamlNode& value = root.val(i);
    if (key == "contents") read_contents(r, value, config.contents);
    else if (key == "entrypoint") read_entrypoint(r, value, config.entrypoint);
    else if (key == "cmd") config.cmd = r.scalar(value, "cmd");
    else if (key == "stop-signal") config.stop_signal = r.scalar(value, "stop-signal");
    else if (key == "work-dir") config.work_dir = r.scalar(value, "work-dir");
    else if (key == "accounts") read_accounts(r, value, config.accounts);
    else if (key == "archs") {
      for (const auto& name : r.strings(value, "archs")) {
        auto arch = apk::parse_arch(name);
        if (!arch) r.diagnostics().error(value.where, fmt::format("archs: unknown architecture '{}'", name));
        else if (std::find(config.archs.begin(), config.archs.end(), arch->apk) == config.archs.end())
          config.archs.push_back(arch->apk);
      }
    } else if (key == "environment") config.environment = r.string_map(value, "environment");
    else if (key == "paths") read_paths(r, value, config.paths);
    else if (key == "vcs-url") config.vcs_url = r.scalar(value, "vcs-url");
    else if (key == "annotations") config.annotations = r.string_map(value, "annotations");
    else if (key == "volumes") config.volumes = r.strings(value, "volumes");
    else if (key == "format") {
      std::string format = r.scalar(value, "format");
      if (!format.empty() && format != "tar") r.unsupported(value, "format " + format);
    } else if (key == "certificates") {
      read_certificates(r, value, config.certificates);
    } else if (key == "layering") {
      read_layering(r, value, config.layering_budget);
    } else if (key == "include") {
      std::string include = r.scalar(value, "include");
      if (include.empty()) continue;
      std::filesystem::path path = r.resolve(include);
      if (include.find("://") != std::string::npos) {
        r.diagnostics().error(value.where, "include: only local files can be included");
        continue;
      }
      if (state.open.contains(std::filesystem::weakly_canonical(path))) {
        r.diagnostics().error(value.where, fmt::format("include: '{}' includes itself", include));
        continue;
      }
      std::shared_ptr<const SourceFile> source;
      try {
        source = read_source_file(path.string());
      } catch (const Error& e) {
        r.diagnostics().error(value.where, fmt::format("include: {}", e.what()));
        continue;
      }
      included = read_file(state, source, path);
    }
  }
  if (included) merge_into(config, std::move(*included));
  return config;
}

ImageConfig read_file(ReadState& state, const std::shared_ptr<const SourceFile>& source,
                      const std::filesystem::path& path) {
  std::filesystem::path canonical = std::filesystem::weakly_canonical(path);
  state.open.insert(canonical);
  state.checksum.update(source->contents);
  YamlNode root = parse_yaml(source, state.diagnostics);
  Reader reader(state.diagnostics, canonical.parent_path());
  ImageConfig config = read_node(state, reader, root);
  state.open.erase(canonical);
  return config;
}

ImageConfig read_source(const std::shared_ptr<const SourceFile>& source, const std::filesystem::path& path) {
  ReadState state;
  ImageConfig config = read_file(state, source, path);
  if (state.diagnostics.has_errors()) {
    std::string text = state.diagnostics.str();
    while (!text.empty() && text.back() == '\n') text.pop_back();
    throw Error(text);
  }
  config.file = std::filesystem::absolute(path).lexically_normal();
  config.checksum = "sha256-" + base64_encode(state.checksum.finish());
  return config;
}

}  // namespace

ImageConfig read_image_config(const std::filesystem::path& path) {
  return read_source(read_source_file(path.string()), path);
}

ImageConfig parse_image_config(const std::string& text, const std::filesystem::path& path) {
  auto source = std::make_shared<SourceFile>();
  source->path = path.string();
  source->contents = text;
  return read_source(source, path);
}

std::vector<std::string> image_environment(const ImageConfig& config) {
  std::map<std::string, std::string> env = config.environment;
  // apko's defaults (pkg/build/oci: DefaultPath, and the CA bundle path of ca-certificates-bundle).
  env.try_emplace("PATH", "/usr/local/sbin:/usr/local/bin:/usr/bin:/usr/sbin:/sbin:/bin");
  env.try_emplace("SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt");
  std::vector<std::string> out;
  for (const auto& [key, value] : env) out.push_back(key + "=" + value);
  return out;
}

std::vector<std::string> image_entrypoint(const ImageConfig& config) {
  if (!config.entrypoint.shell_fragment.empty()) return {"/bin/sh", "-c", config.entrypoint.shell_fragment};
  return shell_split(config.entrypoint.command);
}

std::vector<std::string> image_cmd(const ImageConfig& config) { return shell_split(config.cmd); }

std::vector<std::string> shell_split(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\\') {
      if (i + 1 < text.size()) word += text[++i];
    } else if (c == '\'') {
      size_t end = text.find('\'', i + 1);
      if (end == std::string::npos) fail("unterminated single quote in '{}'", text);
      word += text.substr(i + 1, end - i - 1);
      i = end;
    } else if (c == '"') {
      size_t j = i + 1;
      for (; j < text.size() && text[j] != '"'; ++j) {
        if (text[j] == '\\' && j + 1 < text.size() && std::string_view("\"\\$`").find(text[j + 1]) != std::string_view::npos)
          ++j;
        word += text[j];
      }
      if (j >= text.size()) fail("unterminated double quote in '{}'", text);
      i = j;
    } else {
      word += c;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

}  // namespace lupine::image
