#!/usr/bin/env bash
# Issue 6, Must show 2 and 3 with lupine-built packages: the distroless hello image of
# melange-recipes/images/hello.yaml, assembled from the built repository (hello on base-nossl), is accepted by
# skopeo, unpacked by umoci and run by runc, and a second build gives the same bytes.
# shellcheck source=tests/e2e/lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
for tool in skopeo umoci runc; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/setup installs it)"
done
work=$e2e/image
rm -rf "$work"
mkdir -p "$work"
# The config names its repositories, key and included configs relative to itself: put them
# beside the repository and key.
cp "$recipes/images/hello.yaml" "$e2e/hello-image.yaml"
cp "$recipes"/images/{base-nossl,static}.yaml "$e2e/"
lupine image build "$e2e/hello-image.yaml" "$work/oci" --tag lupine/hello:e2e --arch "$arch" --sbom-path "$work/sboms"
lupine image build "$e2e/hello-image.yaml" "$work/oci-again" --tag lupine/hello:e2e --arch "$arch" \
  --sbom-path "$work/sboms-again"
diff -r "$work/oci" "$work/oci-again" >/dev/null || fail "two builds of the image differ"

skopeo inspect "oci:$work/oci:e2e" >/dev/null || fail "skopeo cannot inspect the image"
umoci unpack --image "$work/oci:e2e" "$work/bundle" >/dev/null || fail "umoci cannot unpack the image"
if [ -e "$work/bundle/rootfs/bin/sh" ] || [ -e "$work/bundle/rootfs/usr/bin/sh" ]; then
  fail "the image has a shell: it should hold only hello, its libraries and baselayout"
fi
sed -i 's/"terminal": true/"terminal": false/' "$work/bundle/config.json"
output=$(runc run --bundle "$work/bundle" "lupine-e2e-$$" </dev/null) || fail "runc run failed"
[ "$output" = "Hello from a lupine image" ] || fail "the image printed '$output'"
grep -q '"name": "hello"' "$work/sboms"/*.spdx.json || fail "the SBOM does not name hello"
echo "image runs in runc: $output"
