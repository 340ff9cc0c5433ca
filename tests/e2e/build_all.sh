#!/usr/bin/env bash
# Fixture e2e.build: every bundled recipe built from source in the sandbox against stage 0, then
# its test: pipelines run against the built packages; every package verifies and is indexed.
# shellcheck source=tests/e2e/lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
rm -rf "$packages"
while read -r recipe; do
  start=$SECONDS
  lupine build "$recipe" "${build_flags[@]}" || fail "build of $recipe"
  echo "built $(basename "$recipe") in $((SECONDS - start))s"
done < <(recipe_files)
while read -r recipe; do
  lupine test "$recipe" "${build_flags[@]}" || fail "test of $recipe"
done < <(recipe_files)
lupine verify --keyring "$key.pub" "$packages/$arch"/*.apk "$packages/$arch/APKINDEX.tar.gz"
while read -r recipe; do
  name=$(basename "$recipe" .yaml)
  ls "$packages/$arch/$name"-[0-9]*.apk >/dev/null || fail "no package for $name"
done < <(recipe_files)
