#!/usr/bin/env bash
# Fixture e2e.stage0: a signing key and the stage-0 repository made from the host's toolchain.
# shellcheck source=tests/e2e/lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
rm -rf "$e2e"
mkdir -p "$e2e/keys"
lupine keygen --key-size 2048 "${key%.rsa}"
start=$SECONDS
lupine bootstrap --out-dir "$stage0" --signing-key "$key" --arch "$arch"
echo "bootstrap took $((SECONDS - start))s"
lupine verify --keyring "$key.pub" "$stage0/$arch/APKINDEX.tar.gz"
ls "$stage0/$arch"/build-base-*.apk "$stage0/$arch"/busybox-*.apk >/dev/null || fail "stage-0 lacks build-base or busybox"
