// Source checkout for `uses: git-checkout` steps, done by lupine with the `git` program outside the
// sandbox before a build, with melange's semantics (reference/melange.md §3):
//
// * tag: the clone fetches refs/tags/<tag> explicitly (a branch of the same name does not win);
//   expected-commit must equal the tag's commit, or the annotated tag object (accepted, warning);
// * branch: the tip, or with expected-commit (full history by default) a reset to that commit when it
//   is reachable from the tip; expected-commit-is-branch-tip requires the tip itself;
// * cherry-picks `[branch/]commit: comment` applied with GIT_COMMITTER_DATE = SOURCE_DATE_EPOCH
//   (at least 1980-01-01), so the result is reproducible;
// * the tree, with its .git, is merged into `destination` (other workspace files stay).
//
// With a cache directory, the repository is mirrored as a bare repository in the cache
// (SourceCache::git_mirror_path) and the checkout is cloned from the mirror: a mirror that already
// holds the expected commit is not refreshed, so builds with pinned commits need no network, and
// `lupine fetch` fills mirrors ahead of builds (git_prefetch). Submodules always come from their own
// URLs.
#pragma once

#include "common/error.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lupine::builder {

struct CherryPick {
  std::string branch;  // where to fetch the commit from; may be empty
  std::string commit;
  std::string comment;
};

// Parses the cherry-picks input: one `[branch/]commit: comment` a line, `#` comments and empty lines
// ignored; a missing ':' or comment is an error.
std::vector<CherryPick> parse_cherry_picks(std::string_view text, std::string_view what = "git-checkout");

struct GitCheckoutRequest {
  std::string repository;
  std::string working_directory;  // the step's, as compiled: relative to /home/build, or absolute
  std::string destination = ".";  // relative to working_directory (or absolute)
  int depth = 0;                  // 0: unset (melange's rule), -1: full history, N: --depth=N
  std::string branch;
  std::string tag;
  std::string expected_commit;  // 40 hex digits or empty
  bool expected_commit_is_branch_tip = false;
  bool recurse_submodules = false;
  bool shallow_submodules = false;
  int submodule_jobs = 1;
  std::vector<CherryPick> cherry_picks;
  std::vector<std::string> sparse_paths;
  int max_retries = 3;
  int initial_backoff_s = 2;
  int max_backoff_s = 60;
};

// Reads a step's `with:` map (substituted values; absent inputs take melange's defaults), validating
// as melange does (branch and tag exclusive, expected-commit 40 hex digits, booleans).
GitCheckoutRequest git_checkout_request_from_inputs(const std::map<std::string, std::string>& with,
                                                    const std::string& working_directory = "",
                                                    const std::string& what = "git-checkout");

// The depth actually used: `depth` when set, else full history for a branch with an expected-commit
// (unless it must be the tip), else 1.
int effective_depth(const GitCheckoutRequest& request);

struct GitOptions {
  std::filesystem::path cache_dir;        // empty: clone straight from the repository
  std::filesystem::path guest_root;       // for destinations outside /home/build (fetch.h place_path)
  bool offline = false;                   // with a cache: never contact the repository
  std::optional<int64_t> source_date_epoch;  // for cherry-picks; default: SOURCE_DATE_EPOCH or 0
  std::string git = "git";                // the program
  std::function<void(const std::string&)> log;
};

struct GitCheckoutResult {
  std::string checked_out;  // the commit checked out (before cherry-picks)
  std::string head;         // HEAD at the end
  std::filesystem::path destination;
  bool from_cache = false;           // the repository was not contacted
  std::vector<std::string> warnings; // e.g. the annotated tag object given as expected-commit
};

// Performs the checkout into `workspace`. Throws SourceError (kind git, not_cached, invalid_request).
GitCheckoutResult git_checkout(const GitCheckoutRequest& request, const std::filesystem::path& workspace,
                               const GitOptions& options);

// Brings the cache's mirror up to date for `request` (needs options.cache_dir) without checking
// anything out; returns the mirror's path and whether the repository had to be contacted.
struct GitPrefetchResult {
  std::filesystem::path mirror;
  bool fetched = false;
  std::string commit;  // what the request resolves to in the mirror ("" when unknown)
};
GitPrefetchResult git_prefetch(const GitCheckoutRequest& request, const GitOptions& options);

// True when `git` can be run.
bool git_available(const std::string& git = "git");

}  // namespace lupine::builder
