#include "builder/source/git_checkout.h"

#include "builder/source/archive_maker.h"
#include "builder/source/fetch.h"
#include "common/fs.h"
#include "support/fixtures.h"
#include "support/run.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fs = std::filesystem;
using namespace lupine::builder;
using lupine::testing::list_tree;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

#define LUPINE_GIT_OR_SKIP()                                                                  \
  if (!git_available()) {                                                                     \
    if (::lupine::testing::fixtures_required()) FAIL() << "git not found (apt-get install git)"; \
    GTEST_SKIP() << "git not found";                                                          \
  }

namespace {

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// An origin repository: main has c1 (tag v1, lightweight) and c2 (tag v2, annotated); branch
// `fixes` adds c3 on top of c1; branch `v1` (same name as the tag) points at c2.
class GitCheckoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!git_available()) return;
    fs::create_directories(origin_);
    fs::create_directories(workspace_);
    git({"init", "--quiet", "--initial-branch=main"});
    commit("version.txt", "1\n", "c1");
    c1_ = rev("HEAD");
    git({"tag", "v1"});
    commit("version.txt", "2\n", "c2");
    c2_ = rev("HEAD");
    git({"tag", "-a", "-m", "release 2", "v2"});
    v2_object_ = rev("refs/tags/v2");
    git({"checkout", "--quiet", "-b", "fixes", c1_});
    commit("fix.txt", "fixed\n", "c3");
    c3_ = rev("HEAD");
    git({"checkout", "--quiet", "main"});
    git({"branch", "v1-branch", c2_});
    options_.source_date_epoch = 1700000000;
  }

  std::string git(std::vector<std::string> args) {
    std::vector<std::string> argv{"git", "-C", origin_.string(), "-c", "user.name=t", "-c", "user.email=t@example.org"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto result = lupine::testing::run(argv);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return trimmed(result.out);
  }
  void commit(const std::string& file, const std::string& content, const std::string& message) {
    lupine::write_file_atomic(origin_ / file, content);
    git({"add", file});
    git({"commit", "--quiet", "-m", message});
  }
  std::string rev(const std::string& name) { return git({"rev-parse", name}); }
  std::string url() const { return "file://" + origin_.string(); }
  std::string head(const fs::path& repo) {
    return trimmed(lupine::testing::run({"git", "-c", "safe.directory=*", "-C", repo.string(), "rev-parse", "HEAD"}).out);
  }

  GitCheckoutRequest request() {
    GitCheckoutRequest request;
    request.repository = url();
    request.max_retries = 0;
    return request;
  }

  lupine::TempDir dir_{"lupine-git-test"};
  fs::path origin_ = dir_.path() / "origin";
  fs::path workspace_ = dir_.path() / "ws";
  GitOptions options_;
  std::string c1_, c2_, c3_, v2_object_;
};

TEST_F(GitCheckoutTest, TagWithExpectedCommitMergesIntoWorkspace) {
  LUPINE_GIT_OR_SKIP();
  lupine::write_file_atomic(workspace_ / "local.patch", "patch\n");  // from the recipe's source dir
  auto req = request();
  req.tag = "v1";
  req.expected_commit = c1_;
  auto result = git_checkout(req, workspace_, options_);
  EXPECT_EQ(result.head, c1_);
  EXPECT_EQ(lupine::read_file(workspace_ / "version.txt"), "1\n");
  EXPECT_EQ(lupine::read_file(workspace_ / "local.patch"), "patch\n");
  EXPECT_EQ(head(workspace_), c1_);
  for (const auto& name : list_tree(workspace_)) EXPECT_EQ(name.find(".lupine-git"), std::string::npos) << name;
}

TEST_F(GitCheckoutTest, WrongExpectedCommitFailsAndLeavesNothing) {
  LUPINE_GIT_OR_SKIP();
  auto req = request();
  req.tag = "v1";
  req.expected_commit = c2_;
  try {
    git_checkout(req, workspace_, options_);
    FAIL() << "no error";
  } catch (const SourceError& error) {
    EXPECT_EQ(error.kind(), SourceErrorKind::git);
    EXPECT_THAT(error.what(), HasSubstr("expected commit " + c2_));
    EXPECT_THAT(error.what(), HasSubstr("found " + c1_));
  }
  EXPECT_THAT(list_tree(workspace_), IsEmpty());
}

TEST_F(GitCheckoutTest, AnnotatedTagObjectIsAcceptedWithAWarning) {
  LUPINE_GIT_OR_SKIP();
  auto req = request();
  req.tag = "v2";
  req.expected_commit = v2_object_;
  auto result = git_checkout(req, workspace_, options_);
  EXPECT_EQ(result.head, c2_);
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_THAT(result.warnings[0], HasSubstr(c2_));
}

TEST_F(GitCheckoutTest, BranchResetsToAnOlderExpectedCommitUnlessItMustBeTheTip) {
  LUPINE_GIT_OR_SKIP();
  auto req = request();
  req.branch = "main";
  req.expected_commit = c1_;
  EXPECT_EQ(effective_depth(req), -1);
  EXPECT_EQ(git_checkout(req, workspace_, options_).head, c1_);
  EXPECT_EQ(lupine::read_file(workspace_ / "version.txt"), "1\n");

  req.expected_commit_is_branch_tip = true;
  EXPECT_EQ(effective_depth(req), 1);
  fs::path other = dir_.path() / "ws2";
  try {
    git_checkout(req, other, options_);
    FAIL() << "no error";
  } catch (const SourceError& error) {
    EXPECT_THAT(error.what(), HasSubstr("not the tip of branch main"));
  }
  // Not on the branch at all.
  req.expected_commit_is_branch_tip = false;
  req.expected_commit = c3_;
  EXPECT_THROW(git_checkout(req, dir_.path() / "ws3", options_), SourceError);
}

TEST_F(GitCheckoutTest, CherryPicksApplyReproducibly) {
  LUPINE_GIT_OR_SKIP();
  auto req = request();
  req.tag = "v2";
  req.expected_commit = c2_;
  req.cherry_picks = parse_cherry_picks("# backports\nfixes/" + c3_ + ": add the fix  # why\n\n");
  ASSERT_EQ(req.cherry_picks.size(), 1u);
  auto first = git_checkout(req, workspace_, options_);
  EXPECT_EQ(first.checked_out, c2_);
  EXPECT_NE(first.head, c2_);
  EXPECT_EQ(lupine::read_file(workspace_ / "fix.txt"), "fixed\n");
  auto second = git_checkout(req, dir_.path() / "ws2", options_);
  EXPECT_EQ(first.head, second.head);  // committer date from SOURCE_DATE_EPOCH
}

TEST_F(GitCheckoutTest, CacheMirrorServesCheckoutsWithoutTheOrigin) {
  LUPINE_GIT_OR_SKIP();
  options_.cache_dir = dir_.path() / "cache";
  auto req = request();
  req.tag = "v2";
  req.expected_commit = c2_;
  req.destination = "src";
  req.working_directory = "/home/build";
  auto prefetch = git_prefetch(req, options_);
  EXPECT_TRUE(prefetch.fetched);
  EXPECT_EQ(prefetch.commit, c2_);
  EXPECT_TRUE(fs::exists(prefetch.mirror / "HEAD"));

  fs::rename(origin_, dir_.path() / "origin-gone");
  options_.offline = true;
  auto result = git_checkout(req, workspace_, options_);
  EXPECT_TRUE(result.from_cache);
  EXPECT_EQ(result.head, c2_);
  EXPECT_EQ(lupine::read_file(workspace_ / "src/version.txt"), "2\n");
  // The checkout's origin names the real repository, not the mirror.
  auto remote = lupine::testing::run({"git", "-c", "safe.directory=*", "-C", (workspace_ / "src").string(), "remote", "get-url", "origin"});
  EXPECT_EQ(trimmed(remote.out), url());

  auto missing = req;
  missing.tag = "v1";
  missing.expected_commit = c1_;
  try {
    git_checkout(missing, dir_.path() / "ws2", options_);
    FAIL() << "no error";
  } catch (const SourceError& error) {
    EXPECT_EQ(error.kind(), SourceErrorKind::not_cached);
  }
}

TEST_F(GitCheckoutTest, TagWinsOverABranchOfTheSameName) {
  LUPINE_GIT_OR_SKIP();
  git({"branch", "-f", "v1", c2_});  // a branch named like the tag, pointing elsewhere
  auto req = request();
  req.tag = "v1";
  EXPECT_EQ(git_checkout(req, workspace_, options_).head, c1_);
}

TEST_F(GitCheckoutTest, InputsAreValidated) {
  std::string commit(40, 'a');
  auto req = git_checkout_request_from_inputs(
      {{"repository", "https://x.org/r.git"}, {"tag", "v1"}, {"expected-commit", commit}, {"destination", "d"}});
  EXPECT_EQ(req.depth, 0);
  EXPECT_EQ(effective_depth(req), 1);
  EXPECT_EQ(req.destination, "d");
  EXPECT_THROW(git_checkout_request_from_inputs({{"repository", "r"}, {"tag", "v1"}, {"branch", "main"}}), SourceError);
  EXPECT_THROW(git_checkout_request_from_inputs({{"repository", "r"}, {"expected-commit", "abc"}}), SourceError);
  EXPECT_THROW(git_checkout_request_from_inputs({{"repository", "r"}, {"recurse-submodules", "yes"}}), SourceError);
  EXPECT_THROW(git_checkout_request_from_inputs(
                   {{"repository", "r"}, {"tag", "v1"}, {"expected-commit", commit}, {"expected-commit-is-branch-tip", "true"}}),
               SourceError);
  EXPECT_EQ(git_checkout_request_from_inputs({{"repository", "r"}, {"depth", "-1"}}).depth, -1);
  auto sparse = git_checkout_request_from_inputs({{"repository", "r"}, {"sparse-paths", "openmp\n  cmake\n"}});
  EXPECT_EQ(sparse.sparse_paths, (std::vector<std::string>{"openmp", "cmake"}));

  auto picks = parse_cherry_picks("3.10/" + commit + ": backport\n" + commit + ":  no branch \n");
  ASSERT_EQ(picks.size(), 2u);
  EXPECT_EQ(picks[0].branch, "3.10");
  EXPECT_EQ(picks[0].commit, commit);
  EXPECT_EQ(picks[1].branch, "");
  EXPECT_EQ(picks[1].comment, "no branch");
  EXPECT_THROW(parse_cherry_picks(commit + "\n"), SourceError);
  EXPECT_THROW(parse_cherry_picks(commit + ":\n"), SourceError);
}

}  // namespace
