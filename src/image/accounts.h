// /etc/passwd and /etc/group of an image (reference/apko.md §2.1 step 3, pkg/passwd): the entries
// packages installed are kept; each configured user or group is added, or replaces the entry of
// the same name. Home directories are created 0700 and owned by their user.
#pragma once

#include "image/config.h"
#include "image/owners.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lupine::image {

// `existing` with `users` merged in: `name:x:uid:gid:Account created by lupine:home:shell`.
std::string render_passwd(std::string_view existing, const std::vector<User>& users);

// `existing` with `groups` merged in: `name:x:gid:member,member`.
std::string render_group(std::string_view existing, const std::vector<Group>& groups);

// Writes etc/passwd and etc/group (only when accounts configure users or groups) and the home
// directories into `root`, recording the home directories' owners in `owners`.
void apply_accounts(const std::filesystem::path& root, const Accounts& accounts, OwnerMap& owners);

// The entries of /etc/passwd and /etc/group as a loader of accounts reads them: lines with all
// their fields and numeric ids (others are skipped).
struct PasswdEntry {
  std::string name;
  uint32_t uid = 0, gid = 0;
  std::string home;
};
struct GroupEntry {
  std::string name;
  uint32_t gid = 0;
  std::vector<std::string> members;
};
std::vector<PasswdEntry> parse_passwd(std::string_view text);
std::vector<GroupEntry> parse_group(std::string_view text);
// A decimal id ("65532"), or nullopt.
std::optional<uint32_t> numeric_id(std::string_view text);

// The numeric uid for `run_as` (a name is looked up in `passwd`; a number is kept). Throws when a
// name is not there.
std::string resolve_run_as(const std::string& run_as, std::string_view passwd);

}  // namespace lupine::image
