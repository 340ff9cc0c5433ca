#include "builder/source/git_checkout.h"

#include "builder/source/archive_extract.h"
#include "builder/source/fetch.h"
#include "builder/source/source_cache.h"
#include "common/file_lock.h"
#include "common/source_date.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <system_error>
#include <thread>

extern char** environ;

namespace fs = std::filesystem;

namespace lupine::builder {

namespace {

[[noreturn]] void git_error(const std::string& message) { throw SourceError(SourceErrorKind::git, message); }
[[noreturn]] void invalid(const std::string& message) { throw SourceError(SourceErrorKind::invalid_request, message); }

std::string trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

bool is_commit_hex(std::string_view text) {
  return text.size() == 40 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `argv` in `cwd` with `extra_env` added, stdin from /dev/null, capturing stdout and stderr.
ProcessResult run_process(const std::vector<std::string>& argv, const fs::path& cwd,
                          const std::vector<std::string>& extra_env) {
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) fail_errno("pipe");
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    fail_errno("pipe");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());

  std::vector<std::string> environment;
  for (char** entry = environ; *entry; ++entry) {
    std::string_view text = *entry;
    std::string_view name = text.substr(0, text.find('='));
    bool overridden = std::any_of(extra_env.begin(), extra_env.end(), [&](const std::string& extra) {
      return std::string_view(extra).substr(0, extra.find('=')) == name;
    });
    if (!overridden) environment.emplace_back(text);
  }
  environment.insert(environment.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> env_pointers;
  for (auto& entry : environment) env_pointers.push_back(entry.data());
  env_pointers.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> arg_pointers;
  for (auto& arg : args) arg_pointers.push_back(arg.data());
  arg_pointers.push_back(nullptr);

  pid_t pid = -1;
  int rc = posix_spawnp(&pid, args[0].c_str(), &actions, nullptr, arg_pointers.data(), env_pointers.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  ProcessResult result;
  if (rc != 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    git_error(fmt::format("cannot run {}: {}", args[0], std::strerror(rc)));
  }
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_count = 2;
  char buffer[8192];
  while (open_count > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_count;
      } else {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      }
    }
  }
  for (auto& entry : fds)
    if (entry.fd >= 0) ::close(entry.fd);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

// The git program, with what every call shares.
class Git {
 public:
  explicit Git(const GitOptions& options) : options_(options) {}

  ProcessResult run(const fs::path& cwd, std::vector<std::string> args, std::vector<std::string> env = {}) const {
    std::vector<std::string> argv{options_.git, "-c", "safe.directory=*", "-c", "advice.detachedHead=false"};
    argv.insert(argv.end(), args.begin(), args.end());
    env.push_back("GIT_TERMINAL_PROMPT=0");
    env.push_back("GIT_ASKPASS=");
    env.push_back("LC_ALL=C");
    return run_process(argv, cwd, env);
  }

  std::string check(const fs::path& cwd, std::vector<std::string> args, std::vector<std::string> env = {}) const {
    ProcessResult result = run(cwd, args, env);
    if (result.exit_code != 0) {
      std::string command = "git";
      for (const auto& arg : args) command += " " + arg;
      git_error(fmt::format("{} failed (exit {}): {}", command, result.exit_code, trim(result.err)));
    }
    return trim(result.out);
  }

  // rev-parse --verify --quiet; "" when the name does not resolve.
  std::string resolve(const fs::path& cwd, const std::string& name) const {
    ProcessResult result = run(cwd, {"rev-parse", "--verify", "--quiet", "--end-of-options", name});
    return result.exit_code == 0 ? trim(result.out) : "";
  }

  bool is_ancestor(const fs::path& cwd, const std::string& ancestor, const std::string& of) const {
    return run(cwd, {"merge-base", "--is-ancestor", ancestor, of}).exit_code == 0;
  }

  bool is_shallow(const fs::path& cwd) const {
    return resolve_text(cwd, {"rev-parse", "--is-shallow-repository"}) == "true";
  }

  std::string resolve_text(const fs::path& cwd, std::vector<std::string> args) const {
    ProcessResult result = run(cwd, args);
    return result.exit_code == 0 ? trim(result.out) : "";
  }

  void say(const std::string& line) const {
    if (options_.log) options_.log("git-checkout: " + line);
  }

  // Runs `attempt` up to 1 + request.max_retries times with exponential backoff.
  template <typename Attempt>
  void with_retries(const GitCheckoutRequest& request, const std::string& what, Attempt attempt) const {
    int backoff = std::max(0, request.initial_backoff_s);
    for (int try_number = 0;; ++try_number) {
      try {
        attempt();
        return;
      } catch (const SourceError& error) {
        if (try_number >= request.max_retries) throw;
        say(fmt::format("{} failed, retrying in {} s: {}", what, backoff, error.what()));
        std::this_thread::sleep_for(std::chrono::seconds(backoff));
        backoff = std::min(std::max(1, backoff * 2), std::max(1, request.max_backoff_s));
      }
    }
  }

 private:
  const GitOptions& options_;
};

class ScopedDir {
 public:
  ScopedDir(const fs::path& parent, std::string_view prefix) {
    fs::create_directories(parent);
    std::string pattern = (parent / (std::string(prefix) + "XXXXXX")).string();
    if (!::mkdtemp(pattern.data())) fail_errno("cannot create a directory in " + parent.string());
    path_ = pattern;
  }
  ~ScopedDir() {
    std::error_code error;
    fs::remove_all(path_, error);
  }
  ScopedDir(const ScopedDir&) = delete;
  ScopedDir& operator=(const ScopedDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void validate(const GitCheckoutRequest& request, const std::string& what) {
  if (request.repository.empty()) invalid(what + ": repository is required");
  if (!request.branch.empty() && !request.tag.empty())
    invalid(fmt::format("{}: both branch ({}) and tag ({}) are given", what, request.branch, request.tag));
  if (!request.expected_commit.empty() && !is_commit_hex(request.expected_commit))
    invalid(fmt::format("{}: expected-commit must be 40 hex digits, got '{}'", what, request.expected_commit));
  if (request.expected_commit_is_branch_tip) {
    if (!request.tag.empty()) invalid(what + ": expected-commit-is-branch-tip is only valid with branch, not tag");
    if (request.branch.empty()) invalid(what + ": expected-commit-is-branch-tip requires branch");
    if (request.expected_commit.empty()) invalid(what + ": expected-commit-is-branch-tip requires expected-commit");
  }
  for (const auto& pick : request.cherry_picks)
    if (pick.commit.empty()) invalid(what + ": a cherry-pick has no commit");
  if (request.depth < -1) invalid(fmt::format("{}: depth must be -1 or positive, got {}", what, request.depth));
}

std::string depth_flag(int depth) { return depth > 0 ? fmt::format("--depth={}", depth) : ""; }

// The remote's default branch name from `git ls-remote --symref`; "" when it does not say.
std::string remote_default_branch(const Git& git, const std::string& repository) {
  std::string out = git.resolve_text({}, {"ls-remote", "--symref", repository, "HEAD"});
  const std::string prefix = "ref: refs/heads/";
  if (!out.starts_with(prefix)) return "";
  size_t end = out.find_first_of("\t \n", prefix.size());
  return out.substr(prefix.size(), end == std::string::npos ? std::string::npos : end - prefix.size());
}

// What the mirror resolves the request to; "" when it cannot serve it yet.
std::string mirror_commit(const Git& git, const fs::path& mirror, const GitCheckoutRequest& request, int depth) {
  std::string commit;
  if (!request.tag.empty()) {
    commit = git.resolve(mirror, "refs/tags/" + request.tag + "^{commit}");
    if (commit.empty()) return "";
    std::string object = git.resolve(mirror, "refs/tags/" + request.tag);
    if (!request.expected_commit.empty() && commit != request.expected_commit && object != request.expected_commit)
      return "";
  } else {
    std::string ref = request.branch.empty() ? "HEAD" : "refs/heads/" + request.branch;
    std::string tip = git.resolve(mirror, ref + "^{commit}");
    if (tip.empty()) return "";
    commit = tip;
    if (!request.expected_commit.empty()) {
      if (tip != request.expected_commit) {
        if (request.expected_commit_is_branch_tip) return "";
        if (git.resolve(mirror, request.expected_commit + "^{commit}").empty()) return "";
        if (!git.is_ancestor(mirror, request.expected_commit, tip)) return "";
      }
      commit = request.expected_commit;
    }
  }
  if ((depth == -1 || !request.cherry_picks.empty()) && git.is_shallow(mirror)) return "";
  for (const auto& pick : request.cherry_picks)
    if (git.resolve(mirror, pick.commit + "^{commit}").empty()) return "";
  return commit;
}

GitPrefetchResult ensure_mirror(const Git& git, const GitCheckoutRequest& request, const GitOptions& options) {
  SourceCache cache(options.cache_dir);
  GitPrefetchResult result;
  result.mirror = cache.git_mirror_path(request.repository);
  const fs::path& mirror = result.mirror;
  fs::create_directories(mirror.parent_path());
  FileLock lock(mirror.string() + ".lock");  // held while the mirror is changed
  if (!fs::exists(mirror / "HEAD")) {
    if (options.offline)
      throw SourceError(SourceErrorKind::not_cached,
                        fmt::format("{}: not in the cache, and fetching is offline", request.repository));
    ScopedDir fresh(mirror.parent_path(), ".init-");
    git.check({}, {"init", "--quiet", "--bare", fresh.path().string()});
    // Checkouts clone from the mirror over file://: let them use filters and fetch by commit.
    git.check(fresh.path(), {"config", "uploadpack.allowFilter", "true"});
    git.check(fresh.path(), {"config", "uploadpack.allowAnySHA1InWant", "true"});
    git.check(fresh.path(), {"config", "lupine.repository", request.repository});
    std::error_code error;
    fs::remove_all(mirror, error);
    fs::rename(fresh.path(), mirror);
  }
  int depth = effective_depth(request);
  result.commit = mirror_commit(git, mirror, request, depth);
  if (!result.commit.empty() && !request.expected_commit.empty()) return result;  // pinned and present
  if (options.offline) {
    if (!result.commit.empty()) return result;  // unpinned: what the cache has
    throw SourceError(SourceErrorKind::not_cached,
                      fmt::format("{}: the cached mirror does not hold {} (offline)", request.repository,
                                  !request.expected_commit.empty() ? request.expected_commit
                                  : !request.tag.empty()            ? "tag " + request.tag
                                  : !request.branch.empty()         ? "branch " + request.branch
                                                                    : std::string("HEAD")));
  }

  std::vector<std::string> refspecs;
  if (!request.tag.empty()) {
    refspecs.push_back(fmt::format("+refs/tags/{0}:refs/tags/{0}", request.tag));
  } else if (!request.branch.empty()) {
    refspecs.push_back(fmt::format("+refs/heads/{0}:refs/heads/{0}", request.branch));
  } else {
    std::string name = remote_default_branch(git, request.repository);
    if (name.empty()) git_error(fmt::format("{}: cannot tell the default branch", request.repository));
    refspecs.push_back(fmt::format("+refs/heads/{0}:refs/heads/{0}", name));
    git.check(mirror, {"symbolic-ref", "HEAD", "refs/heads/" + name});
  }
  for (const auto& pick : request.cherry_picks)
    if (!pick.branch.empty()) refspecs.push_back(fmt::format("+refs/heads/{0}:refs/heads/{0}", pick.branch));
  std::sort(refspecs.begin(), refspecs.end());
  refspecs.erase(std::unique(refspecs.begin(), refspecs.end()), refspecs.end());

  std::vector<std::string> args{"fetch", "--quiet", "--no-tags"};
  bool full = depth == -1 || !request.cherry_picks.empty();
  if (full) {
    if (git.is_shallow(mirror)) args.push_back("--unshallow");
  } else {
    args.push_back(depth_flag(depth));
  }
  args.push_back(request.repository);
  args.insert(args.end(), refspecs.begin(), refspecs.end());
  git.say(fmt::format("fetching {} into the cache", request.repository));
  git.with_retries(request, "fetch", [&] { git.check(mirror, args); });
  // A branch-less cherry-pick may still be missing: fetch the commit itself.
  for (const auto& pick : request.cherry_picks) {
    if (!git.resolve(mirror, pick.commit + "^{commit}").empty()) continue;
    git.with_retries(request, "fetch", [&] {
      git.check(mirror, {"fetch", "--quiet", "--no-tags", request.repository,
                         fmt::format("+{0}:refs/lupine/picks/{0}", pick.commit)});
    });
  }
  result.fetched = true;
  result.commit = mirror_commit(git, mirror, request, depth);
  return result;
}

int64_t commit_date(const GitOptions& options) {
  int64_t epoch = options.source_date_epoch ? *options.source_date_epoch : source_date_epoch_or_zero();
  return std::max<int64_t>(epoch, 315532800);  // git refuses dates before 1980 in some paths
}

void apply_cherry_picks(const Git& git, const fs::path& repo, const GitCheckoutRequest& request,
                        const GitOptions& options, bool from_mirror) {
  std::vector<std::string> fetched_branches;
  std::string date = fmt::format("GIT_COMMITTER_DATE=@{} +0000", commit_date(options));
  for (const auto& pick : request.cherry_picks) {
    if (!pick.branch.empty() &&
        std::find(fetched_branches.begin(), fetched_branches.end(), pick.branch) == fetched_branches.end()) {
      std::vector<std::string> args{"fetch", "--quiet"};
      if (git.is_shallow(repo)) args.push_back("--unshallow");
      args.push_back("origin");
      args.push_back(fmt::format("+refs/heads/{0}:refs/heads/{0}", pick.branch));
      git.check(repo, args);
      fetched_branches.push_back(pick.branch);
    }
    if (git.resolve(repo, pick.commit + "^{commit}").empty()) {
      std::string source = from_mirror ? "refs/lupine/picks/" + pick.commit : pick.commit;
      std::vector<std::string> args{"fetch", "--quiet"};
      if (git.is_shallow(repo)) args.push_back("--unshallow");
      args.push_back("origin");
      args.push_back(source);
      git.check(repo, args);
    }
    ProcessResult result = git.run(repo, {"cherry-pick", "-x", pick.commit}, {date});
    if (result.exit_code != 0)
      git_error(fmt::format("{}: cherry-pick of {}{} failed: {}", request.repository,
                            pick.branch.empty() ? "" : pick.branch + "/", pick.commit, trim(result.err)));
    git.say(fmt::format("cherry-picked {} ({})", pick.commit, pick.comment));
  }
}

}  // namespace

std::vector<CherryPick> parse_cherry_picks(std::string_view text, std::string_view what) {
  std::vector<CherryPick> picks;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    std::string stripped = trim(line);
    if (stripped.empty()) continue;
    size_t colon = stripped.find(':');
    if (colon == std::string::npos)
      invalid(fmt::format("{}: cherry-pick '{}' is not of the form [branch/]commit: comment", what, stripped));
    std::string reference = trim(stripped.substr(0, colon));
    CherryPick pick;
    pick.comment = trim(stripped.substr(colon + 1));
    if (pick.comment.empty()) invalid(fmt::format("{}: cherry-pick '{}' has no comment", what, stripped));
    size_t slash = reference.rfind('/');
    pick.commit = slash == std::string::npos ? reference : reference.substr(slash + 1);
    if (slash != std::string::npos) pick.branch = reference.substr(0, slash);
    if (pick.commit.empty()) invalid(fmt::format("{}: cherry-pick '{}' has no commit", what, stripped));
    picks.push_back(std::move(pick));
  }
  return picks;
}

int effective_depth(const GitCheckoutRequest& request) {
  if (request.depth != 0) return request.depth;
  if (!request.branch.empty() && !request.expected_commit.empty() && !request.expected_commit_is_branch_tip) return -1;
  return 1;
}

GitCheckoutRequest git_checkout_request_from_inputs(const std::map<std::string, std::string>& with,
                                                    const std::string& working_directory, const std::string& what) {
  auto get = [&](const std::string& key) {
    auto found = with.find(key);
    return found == with.end() ? std::string() : trim(found->second);
  };
  auto boolean = [&](const std::string& key) {
    std::string value = get(key);
    if (value.empty() || value == "false") return false;
    if (value == "true") return true;
    invalid(fmt::format("{}: {} must be true or false, not '{}'", what, key, value));
  };
  auto number = [&](const std::string& key, int fallback, bool allow_minus_one) {
    std::string value = get(key);
    if (value.empty()) return fallback;
    if (allow_minus_one && value == "-1") return -1;
    int result = 0;
    for (char c : value) {
      if (c < '0' || c > '9' || result > 100'000'000) invalid(fmt::format("{}: {} must be a number, not '{}'", what, key, value));
      result = result * 10 + (c - '0');
    }
    return result;
  };
  GitCheckoutRequest request;
  request.repository = get("repository");
  request.working_directory = working_directory;
  std::string destination = get("destination");
  request.destination = destination.empty() ? "." : destination;
  std::string depth = get("depth");
  if (depth.empty() || depth == "unset") request.depth = 0;
  else {
    request.depth = number("depth", 0, true);
    if (request.depth == 0) invalid(what + ": depth must be -1 or positive, not 0");
  }
  request.branch = get("branch");
  request.tag = get("tag");
  request.expected_commit = lower(get("expected-commit"));
  request.expected_commit_is_branch_tip = boolean("expected-commit-is-branch-tip");
  request.recurse_submodules = boolean("recurse-submodules");
  request.shallow_submodules = boolean("shallow-submodules");
  request.submodule_jobs = std::max(1, number("submodule-jobs", 1, false));
  request.cherry_picks = parse_cherry_picks(with.count("cherry-picks") ? with.at("cherry-picks") : "", what);
  std::string sparse = get("sparse-paths");
  for (size_t start = 0; start < sparse.size();) {
    size_t end = sparse.find_first_of(" \t\r\n", start);
    if (end == std::string::npos) end = sparse.size();
    if (end > start) request.sparse_paths.push_back(sparse.substr(start, end - start));
    start = end + 1;
  }
  request.max_retries = number("max-retries", 3, false);
  request.initial_backoff_s = number("initial-backoff", 2, false);
  request.max_backoff_s = number("max-backoff", 60, false);
  validate(request, what);
  return request;
}

bool git_available(const std::string& git) {
  try {
    return run_process({git, "--version"}, {}, {}).exit_code == 0;
  } catch (const Error&) {
    return false;
  }
}

GitPrefetchResult git_prefetch(const GitCheckoutRequest& request, const GitOptions& options) {
  validate(request, "git-checkout " + request.repository);
  if (options.cache_dir.empty()) fail("git-checkout {}: prefetching needs a cache directory", request.repository);
  Git git(options);
  return ensure_mirror(git, request, options);
}

GitCheckoutResult git_checkout(const GitCheckoutRequest& request, const fs::path& workspace, const GitOptions& options) {
  const std::string what = "git-checkout " + request.repository;
  validate(request, what);
  Git git(options);
  GitCheckoutResult result;

  PlacedPath destination = place_path(workspace, options.guest_root, request.working_directory, request.destination, what);
  result.destination = destination.path;
  const int depth = effective_depth(request);

  std::string source = request.repository;
  bool from_mirror = false;
  if (!options.cache_dir.empty()) {
    GitPrefetchResult mirror = ensure_mirror(git, request, options);
    source = "file://" + fs::absolute(mirror.mirror).string();
    from_mirror = true;
    result.from_cache = !mirror.fetched;
  } else if (options.offline) {
    throw SourceError(SourceErrorKind::not_cached, what + ": offline without a cache directory");
  }

  // Clone next to the destination (same file system), then merge the tree into it.
  ScopedDir scratch(destination.confine, ".lupine-git-");
  const fs::path repo = scratch.path() / "checkout";
  std::vector<std::string> clone{"clone", "--quiet", "--origin=origin", "--config=user.name=lupine build",
                                 "--config=user.email=lupine-build@localhost"};
  if (!request.branch.empty()) clone.push_back("--branch=" + request.branch);
  if (!request.tag.empty()) clone.push_back("--branch=" + request.tag);
  if (request.recurse_submodules) {
    clone.push_back("--recurse-submodules");
    clone.push_back(fmt::format("--jobs={}", request.submodule_jobs));
    if (request.shallow_submodules) clone.push_back("--shallow-submodules");
  }
  if (!request.sparse_paths.empty()) {
    clone.push_back("--sparse");
    clone.push_back("--filter=blob:none");
  }
  if (depth > 0) clone.push_back(depth_flag(depth));
  clone.push_back(source);
  clone.push_back(repo.string());
  git.say(fmt::format("cloning {}{}", request.repository, from_mirror ? " from the cache" : ""));
  git.with_retries(request, "clone", [&] {
    std::error_code error;
    fs::remove_all(repo, error);
    git.check({}, clone);
  });
  if (!request.sparse_paths.empty()) {
    std::vector<std::string> args{"sparse-checkout", "set", "--cone"};
    args.insert(args.end(), request.sparse_paths.begin(), request.sparse_paths.end());
    git.check(repo, args);
  }

  const std::string& expected = request.expected_commit;
  if (!request.tag.empty()) {
    // `clone --branch` prefers a branch of the same name: take the tag explicitly.
    std::vector<std::string> args{"fetch", "--quiet", "origin"};
    if (depth > 0) args.push_back(depth_flag(depth));
    args.push_back("--no-tags");
    args.push_back(fmt::format("+refs/tags/{0}:refs/origin/tags/{0}", request.tag));
    git.check(repo, args);
    git.check(repo, {"checkout", "--quiet", "refs/origin/tags/" + request.tag});
    std::string found = git.resolve(repo, "HEAD");
    if (!expected.empty() && expected != found) {
      std::string object = git.resolve(repo, "refs/origin/tags/" + request.tag);
      if (object != expected)
        git_error(fmt::format("{}: expected commit {} for tag {}, found {}", request.repository, expected, request.tag, found));
      result.warnings.push_back(fmt::format(
          "expected-commit {} is the annotated tag object of {}; set expected-commit to the commit {}", expected,
          request.tag, found));
      git.say(result.warnings.back());
    }
    result.checked_out = found;
  } else {
    std::string tip = git.resolve(repo, "HEAD");
    std::string where = request.branch.empty() ? "HEAD" : request.branch;
    if (!expected.empty() && expected != tip) {
      if (request.expected_commit_is_branch_tip)
        git_error(fmt::format("{}: expected-commit {} is not the tip of branch {} ({}): the branch moved on, or the "
                              "version was bumped without updating expected-commit",
                              request.repository, expected, where, tip));
      if (depth != -1)
        git_error(fmt::format("{}: expected commit {} on {}, got {}; set depth to -1 to check out an older commit",
                              request.repository, expected, where, tip));
      if (git.resolve(repo, expected + "^{commit}").empty() || !git.is_ancestor(repo, expected, tip))
        git_error(fmt::format("{}: expected commit {} is not reachable from {} (tip {}): update expected-commit",
                              request.repository, expected, where, tip));
      git.say(fmt::format("expected commit {} on {}, tip is {}: resetting", expected, where, tip));
      git.check(repo, {"reset", "--quiet", "--hard", expected});
      tip = expected;
    }
    result.checked_out = tip;
  }

  apply_cherry_picks(git, repo, request, options, from_mirror);
  if (from_mirror) git.check(repo, {"remote", "set-url", "origin", request.repository});
  result.head = git.resolve(repo, "HEAD");

  fs::create_directories(result.destination);
  merge_directory_into(repo, result.destination);
  git.say(fmt::format("{} at {} in {}", request.repository, result.head, destination.guest_path));
  return result;
}

}  // namespace lupine::builder
