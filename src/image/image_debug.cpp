#include "image/image_debug.h"

#include "apk/keyring.h"
#include "builder/build/sandbox.h"
#include "common/error.h"
#include "common/fs.h"
#include "image/image_check.h"
#include "image/image_read.h"
#include "index/package_add.h"

#include <fmt/format.h>

#include <set>

namespace lupine::image {
namespace fs = std::filesystem;

namespace {

std::optional<uint32_t> number(const std::string& text) {
  if (text.empty() || text.size() > 10 || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  uint64_t value = std::stoull(text);
  return value > UINT32_MAX ? std::nullopt : std::optional<uint32_t>(static_cast<uint32_t>(value));
}

// "name", "uid", "name:group", "uid:gid" → ids, through the image's /etc/passwd and /etc/group.
std::pair<uint32_t, uint32_t> ids_of(const ImageTree& tree, const std::string& spec, const std::string& reference) {
  std::string user = spec.substr(0, spec.find(':'));
  std::string group = spec.find(':') == std::string::npos ? "" : spec.substr(spec.find(':') + 1);
  auto lines = [&](const char* file) {
    std::vector<std::vector<std::string>> out;
    const TreeEntry* entry = tree.find(file);
    if (!entry) return out;
    size_t start = 0;
    while (start < entry->data.size()) {
      size_t end = entry->data.find('\n', start);
      if (end == std::string::npos) end = entry->data.size();
      std::vector<std::string> fields;
      std::string line = entry->data.substr(start, end - start);
      for (size_t at = 0;;) {
        size_t colon = line.find(':', at);
        fields.push_back(line.substr(at, colon == std::string::npos ? std::string::npos : colon - at));
        if (colon == std::string::npos) break;
        at = colon + 1;
      }
      out.push_back(std::move(fields));
      start = end + 1;
    }
    return out;
  };
  std::optional<uint32_t> uid = number(user), gid;
  for (const auto& fields : lines("etc/passwd"))
    if (fields.size() >= 4 && (fields[0] == user || (uid && number(fields[2]) == uid))) {
      uid = number(fields[2]);
      gid = number(fields[3]);
      break;
    }
  if (!uid) fail("{}: runs as user {}, whom its /etc/passwd does not list", reference, user);
  if (!group.empty()) {
    gid = number(group);
    for (const auto& fields : lines("etc/group"))
      if (fields.size() >= 3 && fields[0] == group) gid = number(fields[2]);
    if (!gid) fail("{}: runs as group {}, which its /etc/group does not list", reference, group);
  }
  return {*uid, gid.value_or(*uid)};
}

// The toolbox is seen at /.debug, not /: its absolute symlinks (busybox's applet links point at
// /bin/busybox) would lead into the image. Each becomes the relative link to the same file in the
// toolbox.
void relocate_links(const fs::path& root) {
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    if (!it->is_symlink()) continue;
    fs::path target = fs::read_symlink(it->path());
    if (!target.is_absolute()) continue;
    fs::path inside = fs::path("/") / it->path().lexically_relative(root);
    fs::path relative = target.lexically_normal().lexically_relative(inside.parent_path());
    fs::remove(it->path());
    fs::create_symlink(relative, it->path());
  }
}

void install_toolbox(const DebugOptions& options, const fs::path& root) {
  if (options.repositories.empty()) fail("image debug: the toolbox needs a repository (--repository)");
  apk::Keyring keyring;
  for (const auto& key : options.keyring) keyring.add(key);
  index::FetchOptions fetch;
  fetch.cache_dir = options.cache_dir;
  index::RepositorySet repos(options.repositories, options.apk_arch, keyring, options.allow_untrusted, fetch);
  std::set<std::string> offered;
  for (const auto& loaded : repos.indexes())
    for (const auto& record : loaded.records) offered.insert(record.name);
  std::vector<std::string> atoms = options.toolbox;
  for (const auto& name : options.if_available)
    if (offered.count(name)) atoms.push_back(name);
  index::AddPlan plan = index::plan_add(repos, index::RootState{}, atoms);
  if (!plan.solution.ok())
    fail("image debug: cannot resolve the toolbox ({}):\n{}", fmt::join(atoms, " "), index::render_problems(plan.solution));
  index::InstallOptions install;
  install.arch = options.apk_arch;
  install.repositories = std::vector<std::string>{};
  install.skip_device_nodes = !index::InstallOptions::default_privileged();
  index::apply_add(repos, plan, root, install);
  relocate_links(root);
}

}  // namespace

int debug_image(const std::string& reference, const DebugOptions& options) {
  ReadImage image = read_image(reference, options.go_arch);
  ImageTree tree = root_of(image);
  RunConfig run = run_config_of(image.config);

  TempDir work("lupine-image-debug");
  const fs::path rootfs = work.path() / "rootfs", toolbox = work.path() / "toolbox", scratch = work.path() / "scratch";
  fs::create_directories(rootfs);
  fs::create_directories(scratch);
  write_tree(tree, rootfs);
  install_toolbox(options, toolbox);

  builder::SandboxSpec spec;
  spec.root = rootfs;
  spec.workspace = scratch;  // /home/build: the sandbox's own, not the image's
  spec.binds.push_back({toolbox, kDebugToolbox, false, false});
  spec.cwd = run.working_dir.empty() ? "/" : run.working_dir;
  spec.hostname = "lupine-debug";
  std::string user = options.user.empty() ? (run.user.empty() ? "0" : run.user) : options.user;
  spec.run_as = ids_of(tree, user, reference);
  std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (const auto& entry : run.env) {
    size_t equals = entry.find('=');
    if (equals == std::string::npos) continue;
    if (entry.compare(0, equals, "PATH") == 0) path = entry.substr(equals + 1);
    else spec.env[entry.substr(0, equals)] = entry.substr(equals + 1);
  }
  spec.env["PATH"] = fmt::format("{0}:{1}/bin:{1}/sbin:{1}/usr/bin:{1}/usr/sbin", path, kDebugToolbox);
  if (!spec.env.count("HOME")) spec.env["HOME"] = "/";
  spec.env["PS1"] = fmt::format("[{} debug] \\w $ ", reference);
  std::vector<std::string> command = options.command;
  if (command.empty()) command = {std::string(kDebugToolbox) + "/bin/sh", "-i"};
  return builder::run_shell_in_sandbox(spec, command);
}

}  // namespace lupine::image
