#!/usr/bin/env bash
# The same recipe built again, in another workspace directory at another time, from the same
# repositories as the farm build (its published packages first, then stage 0: the same build root,
# which each package's SBOM names), gives byte-identical packages.
# shellcheck source=tests/e2e/lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
again=$e2e/again
rm -rf "$again"
mkdir -p "$again/ws"
sleep 1  # another wall-clock second, at least
lupine build "$recipes/hello.yaml" --arch "$arch" --signing-key "$key" --keyring-append "$key.pub" \
  --repository-append "$packages" --repository-append "$stage0" --cache-dir "$cache" --out-dir "$again/packages" --workspace-dir "$again/ws" \
  || fail "second build of hello"
for first in "$packages/$arch"/hello-*.apk; do
  second=$again/packages/$arch/$(basename "$first")
  cmp "$first" "$second" || fail "$(basename "$first") differs between two builds"
done
echo "hello rebuilt byte for byte"
