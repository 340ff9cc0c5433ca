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

# Up to date: a farm build right after another builds nothing. One more round is needed first: the
# runtime base is a cycle (glibc's root holds busybox and zlib, theirs hold glibc-dev through
# build-base), built busybox, m4, wolfi-baselayout, zlib, then glibc (farm plan's "built in the
# order"), so the second round rebuilds those before glibc on its glibc-dev. Keys count the tree's
# packages in a root by version and recipe (build_key.h), so that leaves glibc and everything else
# up to date: the third round is a fixpoint. The fourth is slack for a root that changes through a
# stage-0 package's dependencies in a way the plan did not see.
for round in 2 3 4; do
  index_before=$(sha256sum <"$packages/$arch/APKINDEX.tar.gz")
  # The summary table: RECIPE RESULT TIME LOG.
  again=$(lupine farm build "$recipes" -j 2 "${build_flags[@]}") || fail "farm build, round $round"
  rebuilt=$(awk 'NR > 1 && $2 == "built" { printf "%s ", $1 }' <<<"$again")
  if [ -z "$rebuilt" ]; then
    [ "$(awk 'NR > 1 && $2 == "up-to-date"' <<<"$again" | wc -l)" -eq "$(recipe_files | wc -l)" ] ||
      fail "round $round: not every recipe is up to date: $again"
    [ "$(sha256sum <"$packages/$arch/APKINDEX.tar.gz")" = "$index_before" ] || fail "round $round changed the index"
    echo "farm build round $round: everything up to date, index unchanged"
    exit 0
  fi
  echo "farm build round $round rebuilt (build root changed): $rebuilt"
  grep -h "key sha256" "$packages/$arch/farm-logs/"*.log || true
done
fail "the fourth farm build still rebuilt something: $rebuilt"
