// A tree of small real recipes for `lupine farm build` tests, built in the sandbox from a busybox
// test repository (builder/build_test_repository.h): each recipe writes a file naming itself and
// may copy one from a package it needs, which shows it was built after it. Shared by the local
// and the Slurm farm tests.
#pragma once

#include "builder/build/build_test_repository.h"
#include "common/fs.h"
#include "support/run.h"

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace lupine::testing {

// The --json summary of a farm build, by recipe name.
struct FarmSummary {
  std::map<std::string, std::string> results;  // "built", "up-to-date", "failed", ...
  std::map<std::string, std::string> details;
  bool index_updated = false;
};
FarmSummary parse_summary(const std::string& json);

// A `lupine farm build` running in the background.
class SpawnedFarm {
 public:
  SpawnedFarm(pid_t pid, std::filesystem::path out, std::filesystem::path err)
      : pid_(pid), out_(std::move(out)), err_(std::move(err)) {}
  void terminate() const;  // SIGTERM
  RunResult wait();        // its exit code (128 + signal when killed) and output

 private:
  pid_t pid_;
  std::filesystem::path out_, err_;
};

class FarmTree {
 public:
  explicit FarmTree(const std::string& prefix);

  // A recipe `name` 1.0 whose build root has busybox and `needs`; runs `script`, then writes
  // usr/share/<name>/<name>.txt = "<name> built". With `test_script`, a `test:` pipeline running it
  // (in a root with busybox and the package).
  void recipe(const std::string& name, const std::vector<std::string>& needs, const std::string& script,
              const std::string& test_script = "");
  // a; b needs a (copies a's file); c needs b (copies b's copy); broken fails (exit 3); e needs
  // broken; f on its own.
  void write_standard_tree();
  // A cycle on a bootstrap repository: lib's root holds tool and tool's holds lib, each copying
  // what the other's package holds (so a member's bytes change with the other's); app needs both.
  // The bootstrap (built into <tree>/bootstrap, returned) has lib, tool and user, which depends on
  // lib: more of the bootstrap stands on lib, so lib is the cycle's foundation, built last, though
  // it sorts first (build_order.h). The tree's tool recipe differs from the bootstrap's. Builds
  // go to <tree>/out afterwards.
  std::filesystem::path write_cycle_tree();
  // Gives `name`'s package a runtime dependency (package.dependencies.runtime).
  void runtime_dependency(const std::string& name, const std::string& dependency);
  void remove_recipe(const std::string& name);
  // Makes `name`'s recipe also write usr/share/<name>/changed.txt.
  void change_recipe(const std::string& name);

  // lupine farm build <recipes> --json with the tree's key, repository, out and cache dirs.
  RunResult build(const std::vector<std::string>& extra) const;
  SpawnedFarm spawn_build(const std::vector<std::string>& extra) const;
  // Starts a build with `extra`, and once a sandbox of it runs `script` (waited for up to `limit`)
  // sends it SIGTERM; returns how it ended. Throws Error when the script never ran (after stopping
  // the build all the same).
  RunResult interrupted_build(const std::vector<std::string>& extra, const std::string& script,
                              std::chrono::seconds limit) const;

  // lupine farm stages <file> --json with the tree's key, the busybox repository as the bootstrap
  // (-r), the out dir (the stages' root) and the cache; and the same interrupted as above.
  RunResult stages(const std::filesystem::path& file, const std::vector<std::string>& extra) const;
  RunResult interrupted_stages(const std::filesystem::path& file, const std::vector<std::string>& extra,
                               const std::string& script, std::chrono::seconds limit) const;
  std::filesystem::path recipes_dir() const { return recipes_; }
  // The busybox repository and the key pair that signs it and the tree's builds.
  const builder::testing::TestRepository& repository() const { return repo_; }
  // <tree>/image.yaml: an image config of `packages` from the out dir and the busybox repository
  // (trusting the tree's key), then `extra` YAML.
  std::filesystem::path write_image_config(const std::vector<std::string>& packages, const std::string& extra = "") const;

  // Builds go to <tree>/<name> from now on (default "out").
  void use_out(const std::string& name) { out_ = dir_.path() / name; }
  std::filesystem::path dir() const { return dir_.path(); }
  std::filesystem::path out() const { return out_; }
  std::filesystem::path arch_dir() const { return out_ / repo_.arch; }
  std::string file_in_package(const std::string& name, const std::string& path) const;
  std::vector<std::string> index_names() const;
  std::string index_bytes() const;
  bool index_verifies() const;
  // `lupine verify --provenance` of <name>-1.0-r0.apk: the package and its published provenance.
  bool provenance_verifies(const std::string& name) const;
  // `lupine rebuild` of <name>-1.0-r0.apk on the recorded build root, from the out dir, `more`
  // repositories and the busybox one (into <tree>/rebuilt-<name>).
  RunResult rebuild(const std::string& name, const std::vector<std::filesystem::path>& more) const;
  // True once a sandbox of this tree's builds runs `script` (bwrap over a root in its cache).
  bool wait_for_sandbox(const std::string& script, std::chrono::seconds limit) const;
  // Command lines of live processes that mention this tree's directory.
  std::vector<std::string> processes_of_tree() const;

 private:
  std::vector<std::string> build_args(const std::vector<std::string>& extra) const;
  std::vector<std::string> farm_args(std::vector<std::string> command, const std::vector<std::string>& extra) const;
  std::vector<std::string> stages_args(const std::filesystem::path& file, const std::vector<std::string>& extra) const;
  SpawnedFarm spawn_lupine(const std::vector<std::string>& args) const;
  RunResult interrupted_run(const std::vector<std::string>& args, const std::string& script,
                            std::chrono::seconds limit) const;

  TempDir dir_;
  builder::testing::TestRepository repo_;
  std::filesystem::path recipes_, out_, cache_;
};

}  // namespace lupine::testing
