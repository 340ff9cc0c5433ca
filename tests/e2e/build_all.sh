#!/usr/bin/env bash
# Fixture e2e.build: every bundled recipe built from source in the sandbox against stage 0 by
# `lupine farm build -j2`, then its test: pipelines run against the built packages; every package
# verifies and is indexed; a second farm build finds everything up to date and builds nothing.
# shellcheck source=tests/e2e/lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
rm -rf "$packages"
start=$SECONDS
lupine farm build "$recipes" -j 2 "${build_flags[@]}" || fail "farm build of $recipes"
echo "farm build of every recipe in $((SECONDS - start))s"
while read -r recipe; do
  lupine test "$recipe" "${build_flags[@]}" || fail "test of $recipe"
done < <(recipe_files)
lupine verify --keyring "$key.pub" "$packages/$arch"/*.apk "$packages/$arch/APKINDEX.tar.gz"
while read -r recipe; do
  name=$(basename "$recipe" .yaml)
  ls "$packages/$arch/$name"-[0-9]*.apk >/dev/null || fail "no package for $name"
done < <(recipe_files)

index_before=$(sha256sum <"$packages/$arch/APKINDEX.tar.gz")
again=$(lupine farm build "$recipes" -j 2 "${build_flags[@]}" --json) || fail "second farm build"
grep -q '"result": "built"' <<<"$again" && fail "the second farm build rebuilt something: $again"
[ "$(grep -c '"result": "up-to-date"' <<<"$again")" -eq "$(recipe_files | wc -l)" ] ||
  fail "not every recipe is up to date the second time: $again"
[ "$(sha256sum <"$packages/$arch/APKINDEX.tar.gz")" = "$index_before" ] || fail "the index changed"
echo "second farm build: everything up to date, index unchanged"
