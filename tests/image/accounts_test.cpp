#include "image/accounts.h"

#include "common/error.h"
#include "common/fs.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

namespace lupine::image {
namespace {

TEST(ImageAccounts, KeepsPackageEntriesAndAddsConfiguredOnes) {
  std::string passwd = "root:x:0:0:root:/root:/bin/ash\nnonroot:x:65532:65532:old:/home/nonroot:/bin/false\n";
  std::vector<User> users = {{"nonroot", 65532, std::nullopt, "", ""}, {"app", 1000, 2000, "/bin/bash", "/srv/app"}};
  EXPECT_EQ(render_passwd(passwd, users),
            "root:x:0:0:root:/root:/bin/ash\n"
            "nonroot:x:65532:65532:Account created by lupine:/home/nonroot:/bin/sh\n"
            "app:x:1000:2000:Account created by lupine:/srv/app:/bin/bash\n");
  std::vector<Group> groups = {{"app", 2000, {"app", "nonroot"}}, {"empty", 3000, {}}};
  EXPECT_EQ(render_group("root:x:0:\n", groups), "root:x:0:\napp:x:2000:app,nonroot\nempty:x:3000:\n");
}

TEST(ImageAccounts, RunAsResolvesNamesToUids) {
  std::string passwd = "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n";
  EXPECT_EQ(resolve_run_as("app", passwd), "1000");
  EXPECT_EQ(resolve_run_as("app:wheel", passwd), "1000:wheel");
  EXPECT_EQ(resolve_run_as("65532", passwd), "65532");
  EXPECT_EQ(resolve_run_as("", passwd), "");
  EXPECT_THROW(resolve_run_as("nobody", passwd), Error);
}

TEST(ImageAccounts, WritesFilesAndHomeDirectoriesWithOwners) {
  TempDir root("lupine-image-accounts");
  std::filesystem::create_directories(root.path() / "etc");
  write_file_atomic(root.path() / "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  Accounts accounts;
  accounts.users = {{"app", 1000, std::nullopt, "", ""}};
  accounts.groups = {{"app", 1000, {}}};
  OwnerMap owners;
  apply_accounts(root.path(), accounts, owners);
  EXPECT_EQ(read_file(root.path() / "etc/passwd"),
            "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:Account created by lupine:/home/app:/bin/sh\n");
  EXPECT_EQ(read_file(root.path() / "etc/group"), "app:x:1000:\n");
  struct stat st {};
  ASSERT_EQ(::stat((root.path() / "home/app").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  ASSERT_TRUE(owners.contains("home/app"));
  EXPECT_EQ(owners["home/app"], (index::FileAcl{1000, 1000, 0700, {}}));
}

}  // namespace
}  // namespace lupine::image

namespace lupine::image {
namespace {

// The files read back as a loader reads them: malformed lines and non-numeric ids are skipped.
TEST(AccountFiles, PasswdAndGroupAreReadBack) {
  auto users = parse_passwd("root:x:0:0:root:/root:/bin/sh\nbroken line\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n"
                            "bad:x:uid:1::/:/bin/sh\n");
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[1].name, "nonroot");
  EXPECT_EQ(users[1].uid, 65532u);
  EXPECT_EQ(users[1].home, "/home/nonroot");
  auto groups = parse_group("root:x:0:\nwheel:x:10:root,nonroot\nx:y\n");
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[1].members, (std::vector<std::string>{"root", "nonroot"}));
  EXPECT_EQ(numeric_id("65532"), 65532u);
  EXPECT_EQ(numeric_id("99999999999"), std::nullopt);
  EXPECT_EQ(numeric_id("-1"), std::nullopt);
}

}  // namespace
}  // namespace lupine::image
