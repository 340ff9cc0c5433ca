#include "image/lock.h"

#include "common/error.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lupine::image {
namespace {

TEST(ImageLock, RoundTripsApkosV1Format) {
  Lock lock;
  lock.config_name = "apko.yaml";
  lock.config_checksum = "sha256-abc=";
  lock.keyring = {{"./testdata/melange.rsa.pub", "./testdata/melange.rsa.pub", "-----BEGIN PUBLIC KEY-----\n"}};
  lock.repositories = {{"./testdata/packages/x86_64", "./testdata/packages/x86_64/APKINDEX.tar.gz", "x86_64"}};
  LockedPackage p{"pretend-baselayout", "./testdata/packages/x86_64/pretend-baselayout-1.0.0-r0.apk", "1.0.0-r0",
                  "x86_64", LockedRange{"bytes=0-646", "sha1-x"}, LockedRange{"bytes=647-1628", "sha1-y"},
                  LockedRange{"bytes=1629-2929", "sha256-z"}, "Q1m6wB0UFePGN8Drz82pC8y2uAiu8="};
  LockedPackage q{"replayout", "u", "1.0.0-r0", "aarch64", {}, {}, {}, "Q1xyz="};
  lock.packages = {p, q};
  std::string text = lock_to_json(lock);
  EXPECT_TRUE(text.starts_with("{\n  \"version\": \"v1\",\n  \"config\": {\n    \"name\": \"apko.yaml\""));
  EXPECT_TRUE(text.ends_with("}\n"));
  Lock back = lock_from_json(text, "apko.lock.json");
  EXPECT_EQ(back.config_checksum, lock.config_checksum);
  EXPECT_EQ(back.keyring[0].content, lock.keyring[0].content);
  EXPECT_EQ(back.repositories[0].url, lock.repositories[0].url);
  EXPECT_EQ(back.packages, lock.packages);
  EXPECT_EQ(back.packages_for("aarch64"), std::vector<LockedPackage>{q});
  EXPECT_EQ(lock_to_json(back), text);
}

TEST(ImageLock, RejectsWhatItCannotUse) {
  EXPECT_THROW(lock_from_json("not json", "x"), Error);
  EXPECT_THROW(lock_from_json(R"({"version":"v2"})", "x"), Error);
  try {
    lock_from_json(R"({"version":"v1","contents":{"packages":[{"name":"a","version":"1"}]}})", "lock.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("lock.json: a package needs name, version, architecture and checksum"));
  }
}

}  // namespace
}  // namespace lupine::image
