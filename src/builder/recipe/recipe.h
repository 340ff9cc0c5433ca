// The melange recipe model (reference/melange.md §1; melange pkg/config/config.go and apko's
// ImageConfiguration): every key melange accepts, each value with the file:line:column it came from.
// Strings keep their raw YAML text; numbers and booleans are parsed where melange parses them.
// Maps keep file order (melange's Go maps have none; output sorts them where melange's JSON does).
#pragma once

#include "common/diagnostics.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lupine::builder {

// A value read from YAML, where it was written, and whether the key was present at all.
template <typename T>
struct Located {
  T value{};
  Location where;
  bool set = false;
};

using Text = Located<std::string>;
using Flag = Located<bool>;
using Number = Located<uint64_t>;

// Where the variable `name` is referenced inside `text` (the `${{` before the first `name` at or
// after the start of its scalar in the file), for errors about one reference in a long block scalar.
Location locate_reference(const Text& text, std::string_view name);

// Where line `index` (0-based) of the value of `text` is in the file: for a block scalar (`|`, `>`)
// the lines below its indicator, otherwise the scalar's own line.
Location locate_line(const Text& text, size_t index);

// The source text from `where` to the end of its line ("" when unknown): what the user wrote, before
// parse-time substitution changed the value.
std::string_view source_rest_of_line(const Location& where);

// A string→string map in file order.
struct TextMap {
  std::vector<std::pair<Text, Text>> entries;  // key, value
  Location where;
  bool set = false;  // the key holding the map was present (even as `{}` or empty)

  bool empty() const { return entries.empty(); }
  const Text* find(std::string_view key) const;
  Text* find(std::string_view key);
  // Replaces the value of `key` or appends it.
  void put(const Text& key, const Text& value);
};

// ---- package ----

struct Copyright {
  std::vector<Text> paths;
  Text attestation;
  Text license;
  Text license_path;
  Text detection_override;
  Location where;
};

struct Dependencies {
  std::vector<Text> runtime;
  std::vector<Text> provides;
  std::vector<Text> replaces;
  Text provider_priority;  // must parse as an integer
  Text replaces_priority;
};

struct PackageOptions {
  Flag no_provides;
  Flag no_depends;
  Flag no_commands;
  Flag no_versioned_shlib_deps;
  bool set = false;
};

struct Trigger {
  Text script;
  std::vector<Text> paths;
};

struct Scriptlets {
  Trigger trigger;
  Text pre_install, post_install, pre_deinstall, post_deinstall, pre_upgrade, post_upgrade;
  bool set = false;
};

struct Checks {
  std::vector<Text> disabled;  // linter names downgraded from require to warn
};

struct Cpe {
  Text part, vendor, product, edition, language, sw_edition, target_sw, target_hw, other;
  Location where;
};

// package.setcap[]: file capabilities applied after the pipelines.
struct SetCap {
  Text path;
  TextMap add;  // "cap_a,cap_b" -> "+ep"
  Text reason;
  Location where;
};

struct Resources {
  Text cpu, cpumodel, memory, disk;
  bool set = false;
};

struct Package {
  Text name;
  Text version;
  Number epoch;
  Text description;
  TextMap annotations;
  Text url;
  Text commit;
  std::vector<Text> target_architecture;
  std::vector<Copyright> copyright;
  Dependencies dependencies;
  PackageOptions options;
  Scriptlets scriptlets;
  Checks checks;
  Cpe cpe;
  std::vector<SetCap> setcap;
  Text timeout;  // a Go duration ("1h30m")
  Resources resources;
  Resources test_resources;
  Location where;
};

// ---- environment (apko ImageConfiguration, the subset melange reads plus the keys it accepts) ----

struct RuntimeKeyringEntry {
  Text name, content;
};

struct BaseImage {
  Text image, apkindex;
  bool set = false;
};

struct ImageContents {
  std::vector<Text> build_repositories;
  std::vector<Text> runtime_repositories;
  std::vector<Text> repositories;
  std::vector<Text> keyring;
  std::vector<RuntimeKeyringEntry> runtime_keyring;
  std::vector<Text> packages;
  BaseImage baseimage;
};

struct User {
  Text username;
  Located<uint32_t> uid;
  Located<uint32_t> gid;
  Text shell;
  Text homedir;
};

struct Group {
  Text groupname;
  Located<uint32_t> gid;
  std::vector<Text> members;
};

struct Accounts {
  Text run_as;
  std::vector<User> users;
  std::vector<Group> groups;
};

struct Entrypoint {
  Text type, command, shell_fragment;
  TextMap services;
};

struct PathMutation {
  Text path, type;
  Located<uint32_t> uid, gid, permissions;
  Text source;
  Flag recursive;
};

struct Layering {
  Text strategy;
  Located<uint64_t> budget;
  bool set = false;
};

struct CertificateEntry {
  Text name, content;
};

struct Certificates {
  std::vector<CertificateEntry> additional;
  std::vector<Text> providers;
  bool set = false;
};

struct ImageConfiguration {
  ImageContents contents;
  Entrypoint entrypoint;
  Text cmd, stop_signal, work_dir;
  Accounts accounts;
  std::vector<Text> archs;
  TextMap environment;
  std::vector<PathMutation> paths;
  Text vcs_url;
  TextMap annotations;
  Text include;
  std::vector<Text> volumes;
  Layering layering;
  Text format;
  Certificates certificates;
  Location where;
};

// ---- pipeline steps ----

// A declared input of a pipeline file (`inputs: {name: {description, default, required}}`).
struct Input {
  Text name;
  Text description;
  Text default_value;
  Flag required;
};

struct Step {
  Text if_condition;  // `if`
  Text name;
  Text uses;
  TextMap with;
  Text runs;
  std::vector<Step> pipeline;
  std::vector<Input> inputs;  // only in pipeline files
  std::vector<Text> needs;    // needs.packages
  bool has_needs = false;
  Text label;
  Located<uint64_t> required_steps;  // assertions.required-steps
  Text working_directory;
  TextMap environment;
  Text description;  // only in pipeline files (melange ignores it there)
  Location where;
};

// ---- subpackages, tests, data, vars ----

struct Test {
  ImageConfiguration environment;
  std::vector<Step> pipeline;
  Location where;
};

struct Subpackage {
  Text if_condition;
  Text range;  // name of a `data` entry; the subpackage is cloned per item
  Text name;
  std::vector<Step> pipeline;
  Dependencies dependencies;
  PackageOptions options;
  Scriptlets scriptlets;
  Text description;
  TextMap annotations;
  Text url;
  Text commit;
  Checks checks;
  std::optional<Test> test;
  std::vector<SetCap> setcap;
  Location where;
};

struct DataEntry {
  Text name;
  TextMap items;
  Location where;
};

struct VarTransform {
  Text from, match, replace, to;
  Location where;
};

struct BuildOption {
  Text name;
  TextMap vars;
  std::vector<Text> add_packages;
  std::vector<Text> remove_packages;
  Location where;
};

struct Capabilities {
  std::vector<Text> add;
  std::vector<Text> drop;
};

// ---- update (for bots; not used by builds, but validated) ----

struct ReleaseMonitor {
  Located<int64_t> identifier;
  Text strip_prefix, strip_suffix, version_filter_contains, version_filter_prefix;
  bool set = false;
};

struct GitHubMonitor {
  Text identifier, strip_prefix, strip_suffix, tag_filter, tag_filter_prefix, tag_filter_contains;
  Flag use_tag;
  bool set = false;
};

struct GitMonitor {
  Text strip_prefix, strip_suffix, tag_filter_prefix, tag_filter_contains;
  bool set = false;
};

struct OciMonitor {
  Text identifier, strip_prefix, strip_suffix, tag_filter_prefix, tag_filter_contains;
  bool set = false;
};

struct VersionDataSource {
  Text name, stream;
  std::vector<Text> ignore;
  Text commit_source;
  Flag use_release;
};

struct VersionDataMonitor {
  Text version_format;
  std::vector<VersionDataSource> sources;
  bool set = false;
};

struct VersionTransform {
  Text match, replace;
};

struct Schedule {
  Text period, reason;
  bool set = false;
};

struct Update {
  Flag enabled, manual, require_sequential, shared, enable_prerelease_tags;
  Text version_separator;
  std::vector<Text> ignore_regex_patterns;
  ReleaseMonitor release_monitor;
  GitHubMonitor github;
  GitMonitor git;
  OciMonitor oci;
  VersionDataMonitor version_data;
  std::vector<VersionTransform> version_transform;
  Text exclude_reason;
  Schedule schedule;
  Location where;
  bool set = false;
};

// ---- the whole recipe ----

struct Recipe {
  std::shared_ptr<const SourceFile> source;
  Package package;
  ImageConfiguration environment;
  Capabilities capabilities;
  std::vector<Step> pipeline;
  std::vector<Subpackage> subpackages;
  std::vector<DataEntry> data;
  Update update;
  TextMap vars;
  std::vector<VarTransform> var_transforms;
  std::vector<BuildOption> options;
  std::optional<Test> test;
};

}  // namespace lupine::builder
