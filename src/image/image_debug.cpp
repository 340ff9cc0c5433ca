#include "image/image_debug.h"

#include "apk/keyring.h"
#include "builder/build/sandbox.h"
#include "common/error.h"
#include "common/fs.h"
#include "image/accounts.h"
#include "image/image_check.h"
#include "image/image_read.h"
#include "index/package_add.h"

#include <fmt/format.h>

#include <set>

namespace lupine::image {
namespace fs = std::filesystem;

namespace {

// "name", "uid", "name:group", "uid:gid" → ids, through the image's /etc/passwd and /etc/group.
std::pair<uint32_t, uint32_t> ids_of(const ImageTree& tree, const std::string& spec, const std::string& reference) {
  std::string user = spec.substr(0, spec.find(':'));
  std::string group = spec.find(':') == std::string::npos ? "" : spec.substr(spec.find(':') + 1);
  auto text = [&](const char* file) {
    const TreeEntry* entry = tree.find(file);
    return entry ? entry->data : std::string();
  };
  std::optional<uint32_t> uid = numeric_id(user), gid;
  for (const auto& account : parse_passwd(text("etc/passwd")))
    if (account.name == user || (uid && account.uid == *uid)) {
      uid = account.uid;
      gid = account.gid;
      break;
    }
  if (!uid) fail("{}: runs as user {}, whom its /etc/passwd does not list", reference, user);
  if (!group.empty()) {
    gid = numeric_id(group);
    for (const auto& entry : parse_group(text("etc/group")))
      if (entry.name == group) gid = entry.gid;
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
