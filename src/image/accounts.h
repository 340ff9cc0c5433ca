// /etc/passwd and /etc/group of an image (reference/apko.md §2.1 step 3, pkg/passwd): the entries
// packages installed are kept; each configured user or group is added, or replaces the entry of
// the same name. Home directories are created 0700 and owned by their user.
#pragma once

#include "image/config.h"
#include "image/owners.h"

#include <filesystem>
#include <string>
#include <string_view>

namespace lupine::image {

// `existing` with `users` merged in: `name:x:uid:gid:Account created by lupine:home:shell`.
std::string render_passwd(std::string_view existing, const std::vector<User>& users);

// `existing` with `groups` merged in: `name:x:gid:member,member`.
std::string render_group(std::string_view existing, const std::vector<Group>& groups);

// Writes etc/passwd and etc/group (only when accounts configure users or groups) and the home
// directories into `root`, recording the home directories' owners in `owners`.
void apply_accounts(const std::filesystem::path& root, const Accounts& accounts, OwnerMap& owners);

// The numeric uid for `run_as` (a name is looked up in `passwd`; a number is kept). Throws when a
// name is not there.
std::string resolve_run_as(const std::string& run_as, std::string_view passwd);

}  // namespace lupine::image
