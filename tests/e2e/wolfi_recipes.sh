#!/usr/bin/env bash
# Wolfi's own recipes, unmodified (../shared/fixtures/wolfi: recipes, their patch folders and Wolfi's
# pipeline library), built by `lupine farm build --test` against stage 0 and the bundled recipes'
# packages: each fetches its source through the checksum lookup (upstream is unreachable here),
# builds, passes its test: pipelines, and its packages verify and install with `lupine install`.
# `farm plan --strict` first: no input of these recipes is missing from the repositories. Tests run
# with wolfi-base added to every test environment, as Wolfi's Makefile runs melange test
# (--test-package-append wolfi-base). The recipes (LUPINE_WOLFI_RECIPES overrides): C libraries
# (duktape; libmilter, static library and headers, its -dev checked by test/tw/devpackage; libev,
# whose test/docs, test/no-docs and test/pkgconf ask `apk info -qL`), programs (pngcrush on stage
# 0's libpng; zip, its -doc's manual page needing man-db; gptfdisk, C++ on stage 0's popt, ncurses
# and libuuid, whose test runs with bash-binsh as /bin/sh and whose sgdisk test reads in one step
# the disk image its previous step made in /tmp) and perl modules on perl with Wolfi's layout
# (perl-canary-stability; perl-text-glob with test/perl-module-check and test/docs).
# shellcheck source=tests/e2e/lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"

fixtures=${LUPINE_FIXTURES:-$LUPINE_SOURCE_DIR/../shared/fixtures}
wolfi=$fixtures/wolfi
if [ ! -d "$wolfi/recipes" ]; then
  [ -z "${LUPINE_REQUIRE_FIXTURES:-}" ] || fail "no Wolfi recipes in $wolfi (LUPINE_FIXTURES)"
  echo "skipped: no Wolfi recipes in $wolfi" >&2
  exit 77
fi
names=${LUPINE_WOLFI_RECIPES:-"duktape libmilter pngcrush zip libev gptfdisk perl-canary-stability perl-text-glob"}
out=$e2e/wolfi
recipes_given=()
# Perl modules need perl with Wolfi's layout (melange-recipes/toolchain/perl.yaml; stage 0's Debian
# perl puts modules where melange's scan gives them no perl dependency): built first when a perl
# module is among the recipes (scripts/wolfi-targets always builds it).
case " $names " in *" perl-"*) recipes_given+=("$recipes/toolchain/perl.yaml") ;; esac
for name in $names; do
  recipes_given+=("$wolfi/recipes/$name.yaml")
done
flags=(--arch "$arch" --keyring-append "$key.pub" --repository-append "$packages" --repository-append "$stage0"
  --pipeline-dir "$wolfi/pipelines" --cache-dir "$cache")

lupine farm plan --strict "${recipes_given[@]}" --arch "$arch" -k "$key.pub" -X "$packages" -X "$stage0" \
  --pipeline-dir "$wolfi/pipelines" --cache-dir "$cache" >"$e2e/wolfi-plan.txt" ||
  fail "farm plan --strict: $(sed -n '/^missing inputs/,$p' "$e2e/wolfi-plan.txt")"
grep -q '^missing inputs' "$e2e/wolfi-plan.txt" && fail "farm plan lists missing inputs"

rm -rf "$out"
start=$SECONDS
lupine farm build "${recipes_given[@]}" -j 2 --keep-going --test --test-package-append wolfi-base --signing-key "$key" --out-dir "$out" "${flags[@]}" \
  | tee "$e2e/wolfi-summary.txt" || fail "farm build --test of $names (logs: $out/$arch/farm-logs)"
echo "built and tested $names in $((SECONDS - start))s"

# Where each source came from (on machines without internet: Debian's archive, found by checksum).
for name in $names; do
  log=$out/$arch/farm-logs/$name.log
  [ -f "$log" ] || fail "no farm log for $name"
  grep -E '^    [a-z]+://[^ ]+ sha256:[0-9a-f]{64} \(' "$log" | sed "s|^    |source of $name: |" ||
    fail "$name: no source line in its log"
done

lupine verify --keyring "$key.pub" "$out/$arch"/*.apk "$out/$arch/APKINDEX.tar.gz" >/dev/null ||
  fail "verify of the Wolfi recipes' packages"
for name in $names; do
  ls "$out/$arch/$name"-[0-9]*.apk >/dev/null 2>&1 || fail "no package for $name"
  root=$(mktemp -d)
  lupine install --root "$root" --initdb --arch "$arch" --keyring "$key.pub" --repository "$out" \
    --repository "$packages" --repository "$stage0" --cache-dir "$cache" "$name" >/dev/null ||
    fail "lupine install $name"
  grep -q "^P:$name\$" "$root/lib/apk/db/installed" || fail "$name not in the installed database"
  rm -rf "$root"
done
echo "Wolfi recipes built, tested, verified and installed: $names"
