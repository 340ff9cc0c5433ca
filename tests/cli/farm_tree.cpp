#include "cli/farm_tree.h"

#include "apk/keyring.h"
#include "common/error.h"
#include "index/index_archive.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

namespace lupine::testing {
namespace fs = std::filesystem;

FarmSummary parse_summary(const std::string& json) {
  FarmSummary summary;
  auto value = nlohmann::json::parse(json);
  for (const auto& recipe : value.at("recipes")) {
    summary.results[recipe.at("name")] = recipe.at("result");
    summary.details[recipe.at("name")] = recipe.value("detail", "");
  }
  summary.index_updated = value.at("index_updated");
  return summary;
}

void SpawnedFarm::terminate() const { ::kill(pid_, SIGTERM); }

RunResult SpawnedFarm::wait() {
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0) {}
  RunResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_file(out_);
  result.err = read_file(err_);
  return result;
}

FarmTree::FarmTree(const std::string& prefix)
    : dir_(prefix),
      repo_(builder::testing::make_busybox_repository(dir_.path() / "repo")),
      recipes_(dir_.path() / "recipes"),
      out_(dir_.path() / "out"),
      cache_(dir_.path() / "cache") {
  fs::create_directories(recipes_);
}

void FarmTree::recipe(const std::string& name, const std::vector<std::string>& needs, const std::string& script,
                      const std::string& test_script) {
  std::string packages = "      - busybox\n";
  for (const auto& need : needs) packages += "      - " + need + "\n";
  std::string yaml = fmt::format(
      "package:\n  name: {0}\n  version: \"1.0\"\n  epoch: 0\n  description: farm test recipe {0}\n"
      "  copyright:\n    - license: MIT\n"
      "environment:\n  contents:\n    packages:\n{1}"
      "pipeline:\n  - runs: |\n      mkdir -p ${{{{targets.destdir}}}}/usr/share/{0}\n      {2}\n"
      "      echo \"{0} built\" > ${{{{targets.destdir}}}}/usr/share/{0}/{0}.txt\n",
      name, packages, script);
  if (!test_script.empty())
    yaml += fmt::format("test:\n  environment:\n    contents:\n      packages:\n        - busybox\n"
                        "  pipeline:\n    - name: check\n      runs: {}\n",
                        test_script);
  write_file_atomic(recipes_ / (name + ".yaml"), yaml);
}

void FarmTree::write_standard_tree() {
  recipe("a", {}, "true");
  recipe("b", {"a"}, "cat /usr/share/a/a.txt > ${{targets.destdir}}/usr/share/b/from-a.txt");
  recipe("c", {"b"}, "cat /usr/share/b/from-a.txt > ${{targets.destdir}}/usr/share/c/from-b.txt");
  recipe("broken", {}, "echo failing on purpose; exit 3");
  recipe("e", {"broken"}, "true");
  recipe("f", {}, "true");
}

fs::path FarmTree::write_cycle_tree() {
  const std::string lib_script = "cat /usr/share/tool/* > ${{targets.destdir}}/usr/share/lib/from-tool.txt";
  const std::string tool_script = "cat /usr/share/lib/* > ${{targets.destdir}}/usr/share/tool/from-lib.txt";
  recipe("lib", {}, "true");
  recipe("tool", {"lib"}, tool_script);
  recipe("user", {}, "true");
  runtime_dependency("user", "lib");
  use_out("bootstrap");
  RunResult bootstrap = build({});
  if (bootstrap.exit_code != 0) fail("the cycle's bootstrap did not build:\n{}{}", bootstrap.out, bootstrap.err);
  remove_recipe("user");
  change_recipe("tool");
  recipe("lib", {"tool"}, lib_script);
  recipe("app", {"lib", "tool"}, "true");
  use_out("out");
  return dir_.path() / "bootstrap";
}

void FarmTree::runtime_dependency(const std::string& name, const std::string& dependency) {
  fs::path file = recipes_ / (name + ".yaml");
  std::string yaml = read_file(file);
  const std::string license = "    - license: MIT\n";  // the end of recipe()'s package: block
  yaml.insert(yaml.find(license) + license.size(), "  dependencies:\n    runtime:\n      - " + dependency + "\n");
  write_file_atomic(file, yaml);
}

void FarmTree::remove_recipe(const std::string& name) { fs::remove(recipes_ / (name + ".yaml")); }

void FarmTree::change_recipe(const std::string& name) {
  fs::path file = recipes_ / (name + ".yaml");
  std::string yaml = read_file(file);
  yaml += fmt::format("      echo changed > ${{{{targets.destdir}}}}/usr/share/{}/changed.txt\n", name);
  write_file_atomic(file, yaml);
}

std::vector<std::string> FarmTree::build_args(const std::vector<std::string>& extra) const {
  return farm_args({"farm", "build", recipes_.string()}, extra);
}

// `command` with --json and the tree's key, busybox repository, out dir and cache, then `extra`.
std::vector<std::string> FarmTree::farm_args(std::vector<std::string> command, const std::vector<std::string>& extra) const {
  command.insert(command.end(), {"--json", "--signing-key", repo_.private_key.string(), "--repository-append",
                                 repo_.dir.string(), "--keyring-append", repo_.public_key.string(), "--out-dir",
                                 out_.string(), "--cache-dir", cache_.string()});
  command.insert(command.end(), extra.begin(), extra.end());
  return command;
}

RunResult FarmTree::build(const std::vector<std::string>& extra) const { return run_lupine(build_args(extra)); }

SpawnedFarm FarmTree::spawn_build(const std::vector<std::string>& extra) const { return spawn_lupine(build_args(extra)); }

SpawnedFarm FarmTree::spawn_lupine(const std::vector<std::string>& args) const {
  const char* binary = std::getenv("LUPINE_BINARY");
  std::vector<std::string> argv{binary && *binary ? binary : "lupine"};
  argv.insert(argv.end(), args.begin(), args.end());
  fs::path out = dir_.path() / "spawned.out", err = dir_.path() / "spawned.err";
  pid_t pid = spawn(argv, out.string(), err.string());
  return SpawnedFarm(pid, out, err);
}

std::vector<std::string> FarmTree::stages_args(const fs::path& file, const std::vector<std::string>& extra) const {
  return farm_args({"farm", "stages", file.string()}, extra);
}

RunResult FarmTree::stages(const fs::path& file, const std::vector<std::string>& extra) const {
  return run_lupine(stages_args(file, extra));
}

RunResult FarmTree::interrupted_stages(const fs::path& file, const std::vector<std::string>& extra,
                                       const std::string& script, std::chrono::seconds limit) const {
  return interrupted_run(stages_args(file, extra), script, limit);
}

fs::path FarmTree::write_image_config(const std::vector<std::string>& packages, const std::string& extra) const {
  std::string yaml = fmt::format("contents:\n  keyring:\n    - {}\n  repositories:\n    - {}\n    - {}\n  packages:\n",
                                 repo_.public_key.string(), out_.string(), repo_.dir.string());
  for (const auto& package : packages) yaml += "    - " + package + "\n";
  fs::path config = dir_.path() / "image.yaml";
  write_file_atomic(config, yaml + extra);
  return config;
}

std::string FarmTree::file_in_package(const std::string& name, const std::string& path) const {
  // An .apk is gzip members of one tar stream: tar -z reads through them.
  RunResult result = run({"tar", "-xzOf", (arch_dir() / (name + "-1.0-r0.apk")).string(), path});
  return result.exit_code == 0 ? result.out : "<tar failed: " + result.err + ">";
}

std::vector<std::string> FarmTree::index_names() const {
  std::vector<std::string> names;
  for (const auto& record : index::read_index_archive(arch_dir() / "APKINDEX.tar.gz").records)
    names.push_back(record.name);
  return names;
}

std::string FarmTree::index_bytes() const { return read_file(arch_dir() / "APKINDEX.tar.gz"); }

bool FarmTree::index_verifies() const {
  RunResult result = run_lupine({"verify", (arch_dir() / "APKINDEX.tar.gz").string(), "--keyring",
                                 repo_.public_key.string()});
  return result.exit_code == 0;
}

bool FarmTree::provenance_verifies(const std::string& name) const {
  RunResult result = run_lupine({"verify", "--provenance", (arch_dir() / (name + "-1.0-r0.apk")).string(),
                                 "--keyring", repo_.public_key.string()});
  return result.exit_code == 0;
}

RunResult FarmTree::rebuild(const std::string& name, const std::vector<fs::path>& more) const {
  std::vector<std::string> args{"rebuild", (arch_dir() / (name + "-1.0-r0.apk")).string(),
                                "--keyring-append", repo_.public_key.string(), "--signing-key", repo_.private_key.string(),
                                "--cache-dir", cache_.string(), "--out-dir", (dir_.path() / ("rebuilt-" + name)).string(),
                                "-r", out_.string()};
  for (const auto& repository : more) args.insert(args.end(), {"-r", repository.string()});
  args.insert(args.end(), {"-r", repo_.dir.string()});
  return run_lupine(args);
}

namespace {

// Live processes' command lines (arguments joined by spaces); zombies have none.
std::vector<std::string> command_lines() {
  std::vector<std::string> lines;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator("/proc", error)) {
    std::string pid = entry.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string line;
    try {
      line = read_file(entry.path() / "cmdline");
    } catch (const std::exception&) {
      continue;  // gone meanwhile
    }
    for (char& c : line)
      if (c == '\0') c = ' ';
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

}  // namespace

RunResult FarmTree::interrupted_build(const std::vector<std::string>& extra, const std::string& script,
                                     std::chrono::seconds limit) const {
  return interrupted_run(build_args(extra), script, limit);
}

RunResult FarmTree::interrupted_run(const std::vector<std::string>& args, const std::string& script,
                                    std::chrono::seconds limit) const {
  SpawnedFarm farm = spawn_lupine(args);
  bool started = wait_for_sandbox(script, limit);
  farm.terminate();
  RunResult result = farm.wait();
  if (!started) fail("no sandbox of the farm ran `{}` within {} s:\n{}", script, limit.count(), result.err);
  return result;
}

bool FarmTree::wait_for_sandbox(const std::string& script, std::chrono::seconds limit) const {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    for (const auto& line : command_lines())
      if (line.find("bwrap") != std::string::npos && line.find(cache_.string()) != std::string::npos &&
          line.find(script) != std::string::npos)
        return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

std::vector<std::string> FarmTree::processes_of_tree() const {
  std::vector<std::string> found;
  for (const auto& line : command_lines())
    if (line.find(dir_.path().string()) != std::string::npos) found.push_back(line.substr(0, 200));
  return found;
}

}  // namespace lupine::testing
