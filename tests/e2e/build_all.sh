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

# Up to date: a farm build right after another builds nothing. One more round may be needed first:
# a recipe whose build root pulls in, through a stage-0 package's dependencies, a package this tree
# produces (perl -> so:libbz2.so.1.0, now provided by the built libbz2 first in the repository
# order) has a different root, so a different key, once that package is published. Its SBOM names
# its build root's versions, so its packages change once more, and so do the roots holding them:
# the round after that is a fixpoint.
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
