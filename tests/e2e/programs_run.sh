#!/usr/bin/env bash
# The built programs, installed by lupine into a fresh root from the built packages and stage 0,
# run (hello prints its greeting), and their scanned dependencies are the right ones.
# shellcheck source=tests/e2e/lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
# Stage 0 has sed, grep, ... of its own (Debian's, at higher versions): the built ones are pinned
# through the tag of their repository.
lupine install --root "$root" --initdb --arch "$arch" --keyring "$key.pub" \
  --repository "@built $packages" --repository "$stage0" --cache-dir "$cache" \
  baselayout@built hello@built sed@built grep@built gzip@built m4@built diffutils@built patch@built \
  bzip2@built lz4@built glibc@built ld-linux@built busybox >/dev/null

out=$(in_root "$root" hello)
[ "$out" = "Hello, world!" ] || fail "hello printed '$out'"
[ "$(echo abc | in_root "$root" sed s/b/x/)" = axc ] || fail "sed"
echo needle | in_root "$root" grep -q needle || fail "grep"
[ "$(echo round-trip | in_root "$root" sh -c 'gzip -c | gunzip -c')" = round-trip ] || fail "gzip"
[ "$(echo round-trip | in_root "$root" sh -c 'bzip2 -c | bunzip2 -c')" = round-trip ] || fail "bzip2"
[ "$(echo round-trip | in_root "$root" sh -c 'lz4 -c | lz4 -dc')" = round-trip ] || fail "lz4"
[ "$(echo 'define(X, works)X' | in_root "$root" m4)" = works ] || fail "m4"
grep -q '^root:x:0:0:' "$root/etc/passwd" || fail "baselayout passwd lacks root"
grep -q ':65532:' "$root/etc/passwd" || fail "baselayout passwd lacks nonroot 65532"

# Scan results (issue 5, Must show 4), read from the installed database.
db=$root/lib/apk/db/installed
stanza() { awk -v p="$1" '/^P:/{keep = ($0 == "P:" p)} keep' "$db"; }
stanza hello | grep -q '^D:.*so:libc.so.6' || fail "hello does not depend on so:libc.so.6"
# (the lz4 program links the library statically, so liblz4 is read from its package file)
lupine info "$packages/$arch"/liblz4-[0-9]*.apk | grep -q 'so:liblz4.so.1=' || fail "liblz4 does not provide so:liblz4.so.1"
lupine info "$packages/$arch"/lz4-dev-*.apk | grep -q 'pc:liblz4=' || fail "lz4-dev does not provide pc:liblz4"
stanza gzip | grep -q '^D:.*cmd:sh' || fail "gzip (shell scripts gunzip, zcat) does not depend on cmd:sh"
echo "programs run; scans as expected"
