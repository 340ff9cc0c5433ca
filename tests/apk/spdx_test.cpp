#include "apk/spdx.h"

#include <gtest/gtest.h>

namespace lupine::apk {
namespace {

TEST(Spdx, IdsAndPurlsAreEscaped) {
  EXPECT_EQ(spdx_id("libstdc++_x"), "libstdc---x");
  EXPECT_EQ(apk_purl("lupine", "libstdc++", "12.2_p1-r0", "x86_64"),
            "pkg:apk/lupine/libstdc%2B%2B@12.2_p1-r0?arch=x86_64&distro=lupine");
  EXPECT_EQ(purl_encode("a/b c"), "a%2Fb%20c");
  EXPECT_EQ(purl_encode("a/b c", true), "a/b%20c");
  EXPECT_EQ(rfc3339_utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(sbom_path("hello", "2.10-r0"), "var/lib/db/sbom/hello-2.10-r0.spdx.json");
}

}  // namespace
}  // namespace lupine::apk
