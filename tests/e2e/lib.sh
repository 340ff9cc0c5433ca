# shellcheck shell=bash
# Shared by the end-to-end tests (sourced). They build real software, so they share one stage-0
# repository and one set of built packages in $LUPINE_E2E_DIR, made by the ctest fixtures
# e2e.stage0 and e2e.build (tests/CMakeLists.txt), instead of each bootstrapping on its own.
set -euo pipefail

: "${LUPINE_BINARY:?set by ctest}"
: "${LUPINE_E2E_DIR:?set by ctest}"
: "${LUPINE_SOURCE_DIR:?set by ctest}"

e2e=$LUPINE_E2E_DIR
recipes=$LUPINE_SOURCE_DIR/melange-recipes
key=$e2e/keys/demo.rsa  # the name melange-recipes/images/hello.yaml trusts
stage0=$e2e/stage0
packages=$e2e/packages
cache=$e2e/cache
arch=$(uname -m)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}

lupine() { "$LUPINE_BINARY" "$@"; }

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# The flags every build and test of the bundled recipes takes.
# shellcheck disable=SC2034  # used by the scripts that source this file
build_flags=(--arch "$arch" --signing-key "$key" --keyring-append "$key.pub"
  --repository-append "$stage0" --out-dir "$packages" --cache-dir "$cache")

# The bundled recipes, baselayout first (others may use it), in a stable order.
recipe_files() {
  echo "$recipes/baselayout.yaml"
  for recipe in "$recipes"/*.yaml; do
    [ "$recipe" = "$recipes/baselayout.yaml" ] || echo "$recipe"
  done
}

# Runs a command inside a root with bubblewrap: no network, nothing of the host.
in_root() {
  local root=$1
  shift
  bwrap --ro-bind "$root" / --proc /proc --dev /dev --tmpfs /tmp --unshare-all --die-with-parent \
    --clearenv --setenv PATH /usr/bin:/bin:/usr/sbin:/sbin "$@"
}
