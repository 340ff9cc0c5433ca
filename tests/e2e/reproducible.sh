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

# Every package the farm built carries its compiled recipe (.melange.yaml) and has its build-root
# record beside the logs.
for apk in "$packages/$arch"/*.apk; do
  # Not `lupine info | grep -q`: grep stops reading at the match, and pipefail would report the
  # SIGPIPE of a long file list as a failure.
  info=$(lupine info "$apk") || fail "lupine info $(basename "$apk")"
  grep -qx 'control file:      .melange.yaml' <<<"$info" || fail "$(basename "$apk") carries no .melange.yaml"
done
echo "every package carries .melange.yaml"

# lupine rebuild from the packages alone (no recipe file), on the build roots their .melange.yaml
# locks (name=version): hello (and its subpackage), zlib, netbase and wolfi-baselayout come out
# identical, file for file. They are rebuilt from a copy without the farm's buildlogs: the farm
# builds the runtime base's cycle twice and publishes the second round, so a recipe built on the
# first round's busybox records C: identities the repository no longer has, which the strict
# check of the record refuses (named in the issue-16 note; `lupine rebuild` tests that check).
rebuilt=$e2e/rebuilt
rm -rf "$rebuilt"
mkdir -p "$rebuilt/originals"
targets=()
for name in hello zlib netbase wolfi-baselayout hello-doc zlib-dev; do
  for apk in "$packages/$arch/$name"-[0-9]*.apk; do
    cp "$apk" "$rebuilt/originals/"
    targets+=("$rebuilt/originals/$(basename "$apk")")
  done
done
out=$(lupine rebuild "${targets[@]}" --signing-key "$key" --keyring-append "$key.pub" \
  -r "$packages" -r "$stage0" --cache-dir "$cache" --out-dir "$rebuilt/out") || {
  echo "$out"
  fail "lupine rebuild reported differences"
}
echo "$out"
[ "$(grep -c ': identical$' <<<"$out")" -eq "${#targets[@]}" ] || fail "not every rebuilt package is identical"
for apk in "${targets[@]}"; do
  cmp "$apk" "$rebuilt/out/$arch/$(basename "$apk")" || fail "$(basename "$apk") differs from its rebuild"
done
echo "${#targets[@]} packages rebuilt from their .melange.yaml, byte for byte"
