#include "image/accounts.h"

#include "common/error.h"
#include "image/paths.h"
#include "index/root_fs.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <vector>

namespace lupine::image {
namespace {

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string field(std::string_view line, size_t index) {
  size_t start = 0;
  for (size_t i = 0; i < index; ++i) {
    start = line.find(':', start);
    if (start == std::string_view::npos) return {};
    ++start;
  }
  size_t end = line.find(':', start);
  return std::string(line.substr(start, end == std::string_view::npos ? line.size() - start : end - start));
}

// Replaces the line whose first field is `name`, or appends.
void upsert(std::vector<std::string>& lines, const std::string& name, std::string line) {
  auto it = std::find_if(lines.begin(), lines.end(), [&](const std::string& l) { return field(l, 0) == name; });
  if (it != lines.end()) *it = std::move(line);
  else lines.push_back(std::move(line));
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

std::string home_of(const User& user) { return user.homedir.empty() ? "/home/" + user.username : user.homedir; }

}  // namespace

std::string render_passwd(std::string_view existing, const std::vector<User>& users) {
  std::vector<std::string> lines = lines_of(existing);
  for (const auto& user : users)
    upsert(lines, user.username,
           fmt::format("{}:x:{}:{}:Account created by lupine:{}:{}", user.username, user.uid, user.gid.value_or(user.uid),
                       home_of(user), user.shell.empty() ? "/bin/sh" : user.shell));
  return joined(lines);
}

std::string render_group(std::string_view existing, const std::vector<Group>& groups) {
  std::vector<std::string> lines = lines_of(existing);
  for (const auto& group : groups) {
    std::string members;
    for (const auto& member : group.members) members += (members.empty() ? "" : ",") + member;
    upsert(lines, group.groupname, fmt::format("{}:x:{}:{}", group.groupname, group.gid, members));
  }
  return joined(lines);
}

void apply_accounts(const std::filesystem::path& root, const Accounts& accounts, OwnerMap& owners) {
  if (accounts.users.empty() && accounts.groups.empty()) return;
  index::RootDir dir(root);
  dir.make_dirs("etc", 0755);
  std::string passwd = dir.read_file("etc/passwd").value_or("");
  std::string group = dir.read_file("etc/group").value_or("");
  dir.write_file_atomic("etc/passwd", render_passwd(passwd, accounts.users), 0644);
  dir.write_file_atomic("etc/group", render_group(group, accounts.groups), 0644);
  for (const auto& user : accounts.users) {
    std::string home = home_of(user);
    while (home.starts_with('/')) home.erase(0, 1);
    if (home.empty() || home.find("..") != std::string::npos) continue;
    while (home.ends_with('/')) home.pop_back();
    dir.make_dirs(home, 0755);
    // apko: home directories are 0700 and owned by the user (pkg/build/accounts.go).
    set_mode_in_root(dir, home, 0700);
    owners[home] = index::FileAcl{user.uid, user.gid.value_or(user.uid), 0700, {}};
  }
}

std::optional<uint32_t> numeric_id(std::string_view text) {
  if (text.empty() || text.size() > 10 || text.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  uint64_t value = std::stoull(std::string(text));
  return value > UINT32_MAX ? std::nullopt : std::optional<uint32_t>(static_cast<uint32_t>(value));
}

std::vector<PasswdEntry> parse_passwd(std::string_view text) {
  std::vector<PasswdEntry> out;
  for (const auto& line : lines_of(text)) {
    if (std::count(line.begin(), line.end(), ':') != 6) continue;
    auto uid = numeric_id(field(line, 2)), gid = numeric_id(field(line, 3));
    if (uid && gid) out.push_back({std::string(field(line, 0)), *uid, *gid, std::string(field(line, 5))});
  }
  return out;
}

std::vector<GroupEntry> parse_group(std::string_view text) {
  std::vector<GroupEntry> out;
  for (const auto& line : lines_of(text)) {
    if (std::count(line.begin(), line.end(), ':') != 3) continue;
    auto gid = numeric_id(field(line, 2));
    if (!gid) continue;
    GroupEntry group{std::string(field(line, 0)), *gid, {}};
    std::string members(field(line, 3));
    for (size_t start = 0; start < members.size();) {
      size_t comma = members.find(',', start);
      if (comma == std::string::npos) comma = members.size();
      if (comma > start) group.members.push_back(members.substr(start, comma - start));
      start = comma + 1;
    }
    out.push_back(std::move(group));
  }
  return out;
}

std::string resolve_run_as(const std::string& run_as, std::string_view passwd) {
  if (run_as.empty()) return {};
  if (std::all_of(run_as.begin(), run_as.end(), [](char c) { return c >= '0' && c <= '9'; })) return run_as;
  // "name:group" is allowed by OCI's User; resolve the user part only.
  std::string name = run_as.substr(0, run_as.find(':'));
  std::string rest = run_as.find(':') == std::string::npos ? "" : run_as.substr(run_as.find(':'));
  for (const auto& line : lines_of(passwd))
    if (field(line, 0) == name) return field(line, 2) + rest;
  fail("accounts.run-as: user '{}' is not in the image's /etc/passwd", name);
}

}  // namespace lupine::image
