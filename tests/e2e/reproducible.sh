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

# The runtime base's cycle: the packages its first round made, which glibc was built on, are
# published in a repository of their own beside the farm's (farm_publish.h), signed.
[ -f "$packages/round-1/$arch/APKINDEX.tar.gz" ] || fail "no round-1 repository beside the farm's"
lupine verify --keyring "$key.pub" "$packages/round-1/$arch"/*.apk "$packages/round-1/$arch/APKINDEX.tar.gz"

# lupine farm verify-rebuild over the published repository, in place: every package rebuilt from
# itself alone (its .melange.yaml, no recipe file) on the build root its record beside it names,
# checked by C: identity before anything is built (the cycle's first round, and stage 0, are the
# other inputs), then compared file by file. CI checks the recipes below, busybox among them (a
# cycle member rebuilt in the second round on inputs of both rounds); the rest (glibc, openssl,
# diffutils, grep, gzip, m4, patch, sed: most of the farm build's 43 minutes) would double this
# test's time, and a whole run's table is in issue 16's closing note.
checked=(hello zlib busybox bzip2 lz4 tzdata netbase ca-certificates baselayout wolfi-baselayout wolfi-base
  test-checks)
target_flags=()
for name in "${checked[@]}"; do target_flags+=(--target "$name"); done
rm -rf "$e2e/verify-rebuild"
out=$(lupine farm verify-rebuild "$packages" "${target_flags[@]}" --recipes "$recipes" -r "$packages/round-1" \
  -r "$stage0" -k "$key.pub" --signing-key "$key" --cache-dir "$cache" --out-dir "$e2e/verify-rebuild" -j 2) || {
  echo "$out"
  fail "farm verify-rebuild: not every package is reproducible"
}
echo "$out"
grep -Eq '^([0-9]+) of \1 packages reproducible \(100\.0 %\)$' <<<"$out" || fail "no 100 % line"
