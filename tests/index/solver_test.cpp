// The dependency solver (index/solver.h): hand-written cases for its API and apk-tools'
// behaviours, and the real Alpine 3.16 index against what apk-tools 3.0.6 picks.
#include "index/solver.h"

#include "apk/gzip.h"
#include "apk/tar.h"
#include "common/fs.h"
#include "index/index_record.h"
#include "support/fixtures.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace lupine::index {
namespace {

// Records from APKINDEX text; identities are made up from name and version unless given.
std::vector<IndexRecord> records(const std::string& text) { return parse_apkindex(text, "test"); }

std::string stanza(const std::string& name, const std::string& version, const std::string& extra = "",
                   const std::string& identity = "") {
  std::string id = identity;
  if (id.empty()) {
    // 20 bytes of base64 (27 chars + '='), unique per name-version
    std::string seed = name + "-" + version;
    std::string chars;
    for (size_t i = 0; i < 27; ++i) {
      unsigned char c = static_cast<unsigned char>(seed[i % seed.size()]) + static_cast<unsigned char>(i * 7);
      chars += "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[c % 64];
    }
    id = "Q1" + chars + "=";
  }
  return "C:" + id + "\nP:" + name + "\nV:" + version + "\nS:1\nI:1\n" + extra + "\n";
}

std::vector<apk::Dependency> world(std::initializer_list<const char*> deps) {
  std::vector<apk::Dependency> out;
  for (const char* dep : deps) out.push_back(apk::parse_dependency(dep));
  return out;
}

std::string lines(const Solution& solution) { return render_changes(solution); }

TEST(Solver, InstallsDependenciesFirst) {
  auto repo = records(stanza("a", "1", "D:b\n") + stanza("a", "2", "D:b\n") + stanza("b", "1") + stanza("b", "2"));
  SolverRequest request;
  request.repositories.push_back({"", repo});
  request.world = world({"a"});
  Solution solution = solve(request);
  ASSERT_TRUE(solution.ok());
  EXPECT_EQ(lines(solution), "(1/2) Installing b (2)\n(2/2) Installing a (2)\n");
  ASSERT_EQ(solution.changes.size(), 2u);
  EXPECT_EQ(solution.changes[0].kind, ChangeKind::install);
  EXPECT_EQ(solution.changes[0].old_package, nullptr);
  EXPECT_EQ(solution.changes[0].new_package, &repo[3]);
  EXPECT_EQ(solution.changes[0].repository, 0);
  EXPECT_EQ(render_summary(solution), "OK: 2 B in 2 packages\n");
  EXPECT_EQ(render_problems(solution), "");
}

TEST(Solver, VersionConstraintsAndErrors) {
  auto repo = records(stanza("a", "1", "D:b\n") + stanza("a", "2", "D:b\n") + stanza("b", "1") + stanza("b", "2"));
  SolverRequest request;
  request.repositories.push_back({"", repo});
  request.world = world({"a", "b<2"});
  Solution solution = solve(request);
  ASSERT_TRUE(solution.ok());
  EXPECT_EQ(lines(solution), "(1/2) Installing b (1)\n(2/2) Installing a (2)\n");

  request.world = world({"a<2", "a2"});
  solution = solve(request);
  EXPECT_FALSE(solution.ok());
  ASSERT_EQ(solution.problems.size(), 1u);
  EXPECT_EQ(solution.problems[0].subject, "a2 (no such package)");
  EXPECT_EQ(render_problems(solution),
            "ERROR: unable to select packages:\n"
            "  a2 (no such package):\n"
            "    required by: world[a2]\n");
}

TEST(Solver, ConflictIsReportedWithWhatItBreaks) {
  auto repo = records(stanza("a", "1", "D:!b>1\n") + stanza("b", "1") + stanza("b", "2"));
  SolverRequest request;
  request.repositories.push_back({"", repo});
  request.world = world({"a", "b>1"});
  Solution solution = solve(request);
  EXPECT_FALSE(solution.ok());
  EXPECT_EQ(render_problems(solution),
            "ERROR: unable to select packages:\n"
            "  b-2:\n"
            "    breaks: a-1[!b>1]\n"
            "    satisfies: world[b>1]\n");
}

TEST(Solver, UpgradeReplaceAndPurge) {
  auto repo = records(stanza("app", "2", "D:libnew\n") + stanza("libnew", "1") + stanza("keep", "1", "", "Q1keepkeepkeepkeepkeepkeepkee="));
  auto installed = records(stanza("app", "1", "D:libold\n") + stanza("libold", "1") +
                           stanza("keep", "1", "", "Q1otherbuildotherbuildotherbu="));
  SolverRequest request;
  request.repositories.push_back({"", repo});
  for (const IndexRecord& record : installed) request.installed.push_back({&record, ""});
  request.world = world({"app", "keep"});
  request.flags = solver_flags::upgrade | solver_flags::available;
  Solution solution = solve(request);
  ASSERT_TRUE(solution.ok());
  // As apk-tools 3.0.6 orders it (checked with the same case as a solver spec).
  EXPECT_EQ(lines(solution),
            "(1/4) Installing libnew (1)\n"
            "(2/4) Upgrading app (1 -> 2)\n"
            "(3/4) Purging libold (1)\n"
            "(4/4) Replacing keep (1 -> 1)\n");
  EXPECT_EQ(solution.installed_packages_before, 3u);
  EXPECT_EQ(solution.installed_packages_after(), 3u);
  EXPECT_EQ(solution.action_count(), 4u);
}

TEST(Solver, InstalledIdentityMeansSamePackage) {
  auto repo = records(stanza("a", "1") + stanza("a", "2"));
  std::vector<IndexRecord> installed = {repo[0]};  // the same identity: a-1 is installed
  SolverRequest request;
  request.repositories.push_back({"", repo});
  request.installed.push_back({&installed[0], ""});
  request.world = world({"a"});
  Solution solution = solve(request);
  ASSERT_TRUE(solution.ok());
  ASSERT_EQ(solution.changes.size(), 1u);
  EXPECT_EQ(solution.changes[0].kind, ChangeKind::unchanged);  // no upgrade unless asked
  EXPECT_EQ(lines(solution), "");

  request.flags = solver_flags::upgrade;
  solution = solve(request);
  EXPECT_EQ(lines(solution), "(1/1) Upgrading a (1 -> 2)\n");

  // Per name, with the flags of `apk fix a` (reinstall).
  request.flags = 0;
  request.name_flags.push_back({"a", solver_flags::reinstall, 0});
  solution = solve(request);
  EXPECT_EQ(lines(solution), "(1/1) Reinstalling a (1)\n");
}

TEST(Solver, ProvidesAndProviderPriority) {
  auto repo = records(stanza("busybox-binsh", "1.37", "p:/bin/sh cmd:sh\nk:100\n") +
                      stanza("dash-binsh", "0.5", "p:/bin/sh cmd:sh\nk:60\n") +
                      stanza("libfoo", "1", "p:so:libfoo.so.1=1.0\n") + stanza("app", "1", "D:so:libfoo.so.1 /bin/sh\n"));
  SolverRequest request;
  request.repositories.push_back({"", repo});
  request.world = world({"app"});
  Solution solution = solve(request);
  ASSERT_TRUE(solution.ok()) << render_problems(solution);
  EXPECT_EQ(lines(solution),
            "(1/3) Installing libfoo (1)\n(2/3) Installing busybox-binsh (1.37)\n(3/3) Installing app (1)\n");

  request.world = world({"app", "dash-binsh"});
  solution = solve(request);
  ASSERT_TRUE(solution.ok());
  EXPECT_EQ(lines(solution),
            "(1/3) Installing libfoo (1)\n(2/3) Installing dash-binsh (0.5)\n(3/3) Installing app (1)\n");
}

// An unversioned provides has apk-tools' empty version, which sorts below every version: it
// meets "libx<3" but not "libx=3" (outputs checked against apk-tools 3.0.6).
TEST(Solver, UnversionedProvidesCompareAsLowestVersion) {
  auto repo = records(stanza("app", "1", "D:libx=3\n") + stanza("tool", "1", "D:libx<3\n") +
                      stanza("libfoo", "1", "p:libx\nk:1\n"));
  SolverRequest request;
  request.repositories.push_back({"", repo});
  request.world = world({"tool"});
  EXPECT_EQ(lines(solve(request)), "(1/2) Installing libfoo (1)\n(2/2) Installing tool (1)\n");
  request.world = world({"app"});
  EXPECT_EQ(render_problems(solve(request)),
            "ERROR: unable to select packages:\n"
            "  libfoo-1:\n"
            "    breaks: app-1[libx=3]\n");
}

TEST(Solver, VirtualWithoutPriorityMustBeChosen) {
  auto repo = records(stanza("mawk", "1", "p:awk\n") + stanza("gawk", "1", "p:awk\n") + stanza("script", "1", "D:awk\n"));
  SolverRequest request;
  request.repositories.push_back({"", repo});
  request.world = world({"script"});
  Solution solution = solve(request);
  EXPECT_FALSE(solution.ok());
  EXPECT_EQ(render_problems(solution),
            "ERROR: unable to select packages:\n"
            "  awk (virtual):\n"
            "    note: please select one of the 'provided by'\n"
            "          packages explicitly\n"
            "    provided by: mawk gawk\n"
            "    required by: script-1[awk]\n");
  request.world = world({"script", "gawk"});
  EXPECT_EQ(lines(solve(request)), "(1/2) Installing gawk (1)\n(2/2) Installing script (1)\n");
}

TEST(Solver, InstallIfFollowsItsTriggers) {
  auto repo = records(stanza("app", "1") + stanza("lang", "1") + stanza("app-lang", "1", "i:app lang\n"));
  SolverRequest request;
  request.repositories.push_back({"", repo});
  request.world = world({"lang", "app"});
  Solution solution = solve(request);
  ASSERT_TRUE(solution.ok());
  EXPECT_EQ(lines(solution), "(1/3) Installing app (1)\n(2/3) Installing lang (1)\n(3/3) Installing app-lang (1)\n");

  request.world = world({"app"});
  EXPECT_EQ(lines(solve(request)), "(1/1) Installing app (1)\n");
}

TEST(Solver, PinnedRepositoriesNeedTheirTag) {
  auto main_repo = records(stanza("a", "2"));
  auto testing = records(stanza("a", "3"));
  SolverRequest request;
  request.repositories.push_back({"", main_repo});
  request.repositories.push_back({"testing", testing});
  request.world = world({"a"});
  Solution solution = solve(request);
  EXPECT_EQ(lines(solution), "(1/1) Installing a (2)\n");
  EXPECT_EQ(solution.changes[0].repository, 0);

  request.world = world({"a@testing"});
  solution = solve(request);
  EXPECT_EQ(lines(solution), "(1/1) Installing a@testing (3)\n");
  EXPECT_EQ(solution.changes[0].new_tag, "@testing");
  EXPECT_EQ(solution.changes[0].repository, 1);

  request.world = world({"a>2"});
  solution = solve(request);
  EXPECT_FALSE(solution.ok());
  EXPECT_EQ(render_problems(solution),
            "ERROR: unable to select packages:\n"
            "  a-3:\n"
            "    masked in: @testing\n"
            "    satisfies: world[a>2]\n");
}

TEST(Solver, SameIndexUnderTwoTagsIsOneRepository) {
  auto main_repo = records(stanza("a", "2"));
  auto testing = records(stanza("a", "3"));
  SolverRequest request;
  request.repositories.push_back({"", main_repo});
  request.repositories.push_back({"testing", testing});
  request.repositories.push_back({"edge", testing});
  request.world = world({"a@edge"});
  Solution solution = solve(request);
  EXPECT_EQ(lines(solution), "(1/1) Installing a@edge (3)\n");
  EXPECT_EQ(solution.changes[0].repository, 1);  // the first entry naming that index
}

TEST(Solver, ArchitectureAndUnavailableRepositories) {
  auto repo = records(stanza("tool", "1", "A:aarch64\n") + stanza("lib", "1", "A:x86_64\n") + stanza("data", "1", "A:noarch\n"));
  SolverRequest request;
  request.repositories.push_back({"", repo});
  request.arches = {"x86_64"};
  request.world = world({"lib", "data"});
  EXPECT_TRUE(solve(request).ok());
  request.world = world({"tool"});
  Solution solution = solve(request);
  EXPECT_EQ(render_problems(solution),
            "ERROR: unable to select packages:\n"
            "  tool-1:\n"
            "    error: uninstallable\n"
            "    arch: aarch64\n"
            "    satisfies: world[tool]\n");

  request.repositories[0].available = false;
  request.world = world({"lib"});
  solution = solve(request);
  EXPECT_EQ(render_problems(solution),
            "ERROR: unable to select packages:\n"
            "  lib-1:\n"
            "    masked in: --no-network\n"
            "    satisfies: world[lib]\n");
}

TEST(Solver, ForceBrokenWorldDropsWhatCannotBeMet) {
  auto repo = records(stanza("a", "1"));
  SolverRequest request;
  request.repositories.push_back({"", repo});
  request.world = world({"a", "missing"});
  EXPECT_FALSE(solve(request).ok());
  request.force_broken_world = true;
  Solution solution = solve(request);
  EXPECT_TRUE(solution.ok());
  EXPECT_EQ(lines(solution), "(1/1) Installing a (1)\n");
}

TEST(Solver, VirtualMetaPackage) {
  auto repo = records(stanza("gcc", "12"));
  auto meta = records("C:Q1bWV0YW1ldGFtZXRhbWV0YW1ldGE=\nP:.build-deps\nV:20240101.000000\nS:0\nI:0\nD:gcc\n\n");
  SolverRequest request;
  request.repositories.push_back({"", repo});
  request.local.push_back({&meta[0], false});
  request.world = world({".build-deps=20240101.000000"});
  Solution solution = solve(request);
  ASSERT_TRUE(solution.ok());
  EXPECT_EQ(lines(solution), "(1/2) Installing gcc (12)\n(2/2) Installing .build-deps (20240101.000000)\n");
  EXPECT_EQ(solution.changes[1].repository, -1);
}

TEST(Solver, BrokenIndexEntriesWarn) {
  auto repo = records(stanza("invalid", "1", "D:dep@tag\n") + stanza("ok", "1"));
  SolverRequest request;
  request.repositories.push_back({"", repo});
  request.world = world({"ok"});
  Solution solution = solve(request);
  EXPECT_TRUE(solution.ok());
  ASSERT_EQ(solution.warnings.size(), 1u);
  EXPECT_EQ(solution.warnings[0], "The indexes contain broken packages which are not installable.");
}

TEST(Solver, HumanSizes) {
  EXPECT_EQ(format_human_size(2), "2 B");
  EXPECT_EQ(format_human_size(9999), "9999 B");
  EXPECT_EQ(format_human_size(10000), "9 KiB");
  EXPECT_EQ(format_human_size(62208000), "59.3 MiB");
}

// --- the real Alpine 3.16 main index --------------------------------------------------------

std::string alpine_apkindex(const std::filesystem::path& fixtures) {
  std::string bytes = read_file(fixtures / "apk/apko-apk/alpine-316/APKINDEX.tar.gz");
  auto members = apk::read_gzip_members(bytes, "APKINDEX.tar.gz");
  auto tar = apk::parse_tar(members.back().content, "APKINDEX.tar.gz");
  for (const auto& item : tar.items)
    if (item.entry.path == "APKINDEX") return std::string(item.data);
  return "";
}

// apk-tools 3.0.6: apk --root R --allow-untrusted --simulate --arch x86_64 --no-network
// --no-cache -X DIR add busybox curl python3 (DIR/x86_64/APKINDEX.tar.gz = the fixture).
const char* alpine_expected =
    "( 1/24) Installing musl (1.2.3-r2)\n"
    "( 2/24) Installing busybox (1.35.0-r17)\n"
    "( 3/24) Installing libcrypto1.1 (1.1.1s-r0)\n"
    "( 4/24) Installing ca-certificates (20220614-r0)\n"
    "( 5/24) Installing brotli-libs (1.0.9-r6)\n"
    "( 6/24) Installing nghttp2-libs (1.47.0-r0)\n"
    "( 7/24) Installing libssl1.1 (1.1.1s-r0)\n"
    "( 8/24) Installing ssl_client (1.35.0-r17)\n"
    "( 9/24) Installing zlib (1.2.12-r3)\n"
    "(10/24) Installing libcurl (7.83.1-r4)\n"
    "(11/24) Installing curl (7.83.1-r4)\n"
    "(12/24) Installing libbz2 (1.0.8-r1)\n"
    "(13/24) Installing expat (2.5.0-r0)\n"
    "(14/24) Installing libffi (3.4.2-r1)\n"
    "(15/24) Installing gdbm (1.23-r0)\n"
    "(16/24) Installing xz-libs (5.2.5-r1)\n"
    "(17/24) Installing libgcc (11.2.1_git20220219-r2)\n"
    "(18/24) Installing libstdc++ (11.2.1_git20220219-r2)\n"
    "(19/24) Installing mpdecimal (2.5.1-r1)\n"
    "(20/24) Installing ncurses-terminfo-base (6.3_p20220521-r0)\n"
    "(21/24) Installing ncurses-libs (6.3_p20220521-r0)\n"
    "(22/24) Installing readline (8.1.2-r0)\n"
    "(23/24) Installing sqlite-libs (3.38.5-r0)\n"
    "(24/24) Installing python3 (3.10.8-r0)\n";

TEST(SolverAlpine, BusyboxCurlPython3AsApkTools) {
  LUPINE_FIXTURES_OR_SKIP(fixtures);
  std::string text = alpine_apkindex(fixtures);
  ASSERT_FALSE(text.empty());

  // (How fast this loads and solves, against apk-tools: bench/solve.)
  std::vector<IndexRecord> index = parse_apkindex(text, "alpine-316");
  SolverRequest request;
  request.repositories.push_back({"", index});
  request.arches = {"x86_64"};
  request.world = world({"busybox", "curl", "python3"});
  Solution solution = solve(request);

  ASSERT_EQ(index.size(), 4929u);
  ASSERT_TRUE(solution.ok()) << render_problems(solution);
  EXPECT_EQ(render_changes(solution), alpine_expected);
  EXPECT_EQ(render_summary(solution), "OK: 59.3 MiB in 24 packages\n");
  // apk-tools warns about this index too (some packages have unparsable dependencies).
  EXPECT_EQ(solution.warnings,
            std::vector<std::string>{"The indexes contain broken packages which are not installable."});
}

}  // namespace
}  // namespace lupine::index
