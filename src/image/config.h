// An apko image configuration (reference/apko.md §1): the model and its strict reader.
//
// Every key apko accepts is read; an unknown key is an error naming file:line:column, as apko's
// yaml.v3 decoder with KnownFields(true). Keys lupine reads but cannot honour yet (layering,
// certificates.providers, baseimage, format: erofs, entrypoint type service-bundle) are refused with a
// clear message rather than silently ignored. Relative paths (keyring files, local repositories,
// include) resolve against the directory of the file that names them. `include` is merged as
// apko's MergeInto: scalars of the including file win, lists are concatenated parent-first, map
// keys of the including file win.
#pragma once

#include "common/x509.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lupine::image {

struct User {
  std::string username;
  uint32_t uid = 0;
  std::optional<uint32_t> gid;  // defaults to uid
  std::string shell;            // default /bin/sh
  std::string homedir;          // default /home/<username>
};

struct Group {
  std::string groupname;
  uint32_t gid = 0;
  std::vector<std::string> members;
};

struct Accounts {
  std::string run_as;  // user name or numeric uid; "" = image default (root)
  std::vector<User> users;
  std::vector<Group> groups;
};

enum class PathType { directory, empty_file, hardlink, symlink, permissions };

struct PathMutation {
  std::string path;  // as written (absolute in the image)
  PathType type = PathType::directory;
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
  std::optional<uint32_t> permissions;  // 07777 bits
  std::string source;                   // link target (symlink) or existing path (hardlink)
  bool recursive = false;
  std::string where;  // file:line of the entry, for messages
};

struct RuntimeKey {
  std::string name;
  std::string content;
};

// apko's `certificates.additional[]`: a CA certificate the image trusts without a package.
struct AdditionalCertificate {
  std::string name;            // a plain file name
  std::string content;         // as written
  PemCertificate certificate;  // the content checked and re-encoded when the config is read
  std::string where;           // file:line of the entry, for messages
};

struct Contents {
  std::vector<std::string> repositories;          // `[@tag] LOCATION`, local paths made absolute
  std::vector<std::string> build_repositories;    // used to build only
  std::vector<std::string> runtime_repositories;  // written to the image only
  std::vector<std::string> keyring;               // key files (absolute) or http(s) URLs
  std::vector<RuntimeKey> runtime_keyring;
  std::vector<std::string> packages;              // world atoms
  // The same lists as the config spells them (relative paths unresolved): what the image's
  // etc/apk/repositories and the lock file record, so they do not depend on where the config was.
  std::vector<std::string> repositories_as_written;
  std::vector<std::string> build_repositories_as_written;
  std::vector<std::string> runtime_repositories_as_written;
  std::vector<std::string> keyring_as_written;
};

struct Entrypoint {
  std::string type;
  std::string command;
  std::string shell_fragment;
  std::map<std::string, std::string> services;
};

struct ImageConfig {
  Contents contents;
  Entrypoint entrypoint;
  std::string cmd;
  std::string stop_signal;
  std::string work_dir;
  Accounts accounts;
  std::vector<std::string> archs;  // apk names, as normalised by parse_arch
  std::map<std::string, std::string> environment;
  std::vector<PathMutation> paths;
  std::map<std::string, std::string> annotations;
  std::vector<std::string> volumes;
  std::string vcs_url;
  std::vector<AdditionalCertificate> certificates;  // certificates.additional, in order
  // layering: {strategy: origin, budget: N} (apko's docs/layering.md): packages grouped into
  // layers (layering.h); 0 = one layer.
  uint32_t layering_budget = 0;

  std::filesystem::path file;  // the top-level config file (absolute)
  // "sha256-<base64>" over the config file's bytes followed by each included file's (apko's
  // "deep checksum"): what a lock file records to tell it was made for this config.
  std::string checksum;
};

// Reads `path` (and its includes). Throws lupine::Error listing every problem as
// "file:line:column: error: ...".
ImageConfig read_image_config(const std::filesystem::path& path);

// The same from text (`path` names it in messages and anchors relative paths).
ImageConfig parse_image_config(const std::string& text, const std::filesystem::path& path);

// The OCI config's Env: `environment` plus apko's defaults for PATH and SSL_CERT_FILE, sorted K=V.
std::vector<std::string> image_environment(const ImageConfig& config);

// The OCI Entrypoint and Cmd (apko: command and cmd are shell-split; a shell fragment becomes
// ["/bin/sh", "-c", fragment]).
std::vector<std::string> image_entrypoint(const ImageConfig& config);
std::vector<std::string> image_cmd(const ImageConfig& config);

// POSIX-shell-like word splitting (as Go's shlex): whitespace separates, single quotes are literal,
// double quotes allow \" \\ \$ \`, a backslash outside quotes escapes the next character. Throws on
// an unterminated quote.
std::vector<std::string> shell_split(const std::string& text);

}  // namespace lupine::image
