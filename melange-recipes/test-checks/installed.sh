# shellcheck shell=sh
# Shared by the test-checks commands (sourced, POSIX sh): what an installed package owns, read from
# apk's installed database, so that the checks need no package manager in the test root.
# Database format (apk-tools, also lupine's): one paragraph per package; P: its name, F: a
# directory relative to /, R: a file in the last F: directory.

# installed_db [ROOT]: the path of the installed database of ROOT (default /).
installed_db() {
  # Another database (the checks' own tests give them one they wrote), unless a root is named.
  if [ -z "${1:-}" ] && [ -n "${TEST_CHECKS_INSTALLED_DB:-}" ]; then
    echo "$TEST_CHECKS_INSTALLED_DB"
    return 0
  fi
  for db in "${1:-}/lib/apk/db/installed" "${1:-}/usr/lib/apk/db/installed"; do
    if [ -f "$db" ]; then
      echo "$db"
      return 0
    fi
  done
  echo "no apk database (${1:-}/lib/apk/db/installed) in ${1:-this root}" >&2
  return 1
}

# installed_files PACKAGE: the files PACKAGE owns, one per line, without a leading slash (as
# `apk info -qL`); status 1 when PACKAGE is not installed.
installed_files() {
  db=$(installed_db "") || return 1
  awk -v want="$1" '
    /^$/ { name = ""; dir = ""; next }
    /^P:/ { name = substr($0, 3); if (name == want) found = 1; next }
    name != want { next }
    /^F:/ { dir = substr($0, 3); next }
    /^R:/ { file = substr($0, 3); print (dir == "" ? file : dir "/" file) }
    END { exit found ? 0 : 1 }
  ' "$db"
}

# Command-line values: "--name=value" arguments.
option_value() {
  printf '%s\n' "${1#*=}"
}
