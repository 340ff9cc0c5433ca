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

# Up to date: a farm build right after another builds nothing, and leaves the index as it was. The
# runtime base is a cycle (glibc's root holds busybox and zlib, theirs hold glibc-dev through
# build-base); the first run built busybox, m4, wolfi-baselayout and zlib on stage 0's glibc-dev,
# glibc on them, and then those four again on glibc's (farm_build.h: a cycle's second round) before
# anything that needs them, so keys (build_key.h) find the whole tree up to date now.
index_before=$(sha256sum <"$packages/$arch/APKINDEX.tar.gz")
# The summary table: RECIPE RESULT TIME LOG.
again=$(lupine farm build "$recipes" -j 2 "${build_flags[@]}") || fail "farm build, second run"
# Rows are RECIPE RESULT TIME LOG (a detail line may follow a row; the last line counts them all).
rebuilt=$(awk '$2 ~ /^(built|failed|blocked|cancelled)$/ { printf "%s ", $1 }' <<<"$again")
if [ -n "$rebuilt" ]; then
  grep -h "key sha256" "$packages/$arch/farm-logs/"*.log || true
  fail "the second farm build was not up to date: $rebuilt"
fi
[ "$(awk 'NR > 1 && $2 == "up-to-date"' <<<"$again" | wc -l)" -eq "$(recipe_files | wc -l)" ] ||
  fail "not every recipe is up to date: $again"
[ "$(sha256sum <"$packages/$arch/APKINDEX.tar.gz")" = "$index_before" ] || fail "the second farm build changed the index"
echo "second farm build: everything up to date, index unchanged"
