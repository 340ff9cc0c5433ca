#!/usr/bin/env bash
# Issue 26: the distroless-style images of melange-recipes/images/ (static, static-debug,
# base-nossl, base-nossl-debug, base, base-debug) assembled from the built repository alone — no
# stage 0 — and run by runc: a static C program in static, a program linked against lupine's glibc
# in base-nossl, a TLS 1.3 client linked against lupine's OpenSSL in base (a server this test
# starts on 127.0.0.1 with a test CA: refused, then accepted once the CA comes through the image
# config's `certificates:`), `id -u` in the -debug images' busybox. Every package of every image
# is checked to be one the built repository has and stage 0 does not, with a build-root record and
# its signed provenance.
# shellcheck source=tests/e2e/lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
for tool in skopeo umoci runc cc openssl python3; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/setup installs it)"
done
work=$e2e/base-images
rm -rf "$work"
mkdir -p "$work"
# The configs name ./packages and ./keys/demo.rsa.pub relative to themselves.
cp "$recipes"/images/{static,static-debug,base-nossl,base-nossl-debug,base,base-debug}.yaml "$e2e/"

index_identities() { tar -xzOf "$1/$arch/APKINDEX.tar.gz" APKINDEX | sed -n 's/^C://p' | sort -u; }
index_identities "$stage0" >"$work/stage0.ids"
index_identities "$packages" >"$work/packages.ids"

# Builds IMAGE, unpacks it into $work/IMAGE/bundle and checks what every image of these must have.
build_and_unpack() {
  local image=$1 dir=$work/$1
  # Every package must come with its signed provenance (the farm published it beside each one).
  lupine image build "$e2e/$image.yaml" "$dir/oci" --tag "lupine/$image:e2e" --arch "$arch" \
    --sbom-path "$dir/sboms" --require-provenance --signing-key "$key" >/dev/null || fail "image build of $image"
  # The image's own provenance, signed, leads to each package's (their envelopes' sha256).
  local statement
  statement=$(python3 -c 'import base64, json, sys; print(base64.b64decode(json.load(open(sys.argv[1]))["payload"]).decode())' \
    "$dir/oci.intoto.jsonl") || fail "$image: its provenance is not a DSSE envelope"
  grep -q '"provenance-sha256"' <<<"$statement" || fail "$image: no provenance naming its packages' provenance"
  skopeo inspect "oci:$dir/oci:e2e" >/dev/null || fail "skopeo cannot inspect $image"
  # Every ELF's libraries and symbol versions, the user, /tmp, the CA bundle: no error.
  lupine image check "$dir/oci:e2e" --arch "$arch" >"$dir/check.txt" ||
    fail "$image: image check reports errors: $(grep '^error' "$dir/check.txt")"
  umoci unpack --image "$dir/oci:e2e" "$dir/bundle" >/dev/null || fail "umoci cannot unpack $image"
  sed -i 's/"terminal": true/"terminal": false/' "$dir/bundle/config.json"
  local rootfs=$dir/bundle/rootfs
  grep -q '^nonroot:x:65532:65532:' "$rootfs/etc/passwd" || fail "$image: no nonroot 65532 in /etc/passwd"
  [ "$(stat -c '%a %u' "$rootfs/home/nonroot")" = "700 65532" ] || fail "$image: /home/nonroot is not 0700 65532"
  [ "$(stat -c '%a' "$rootfs/tmp")" = 1777 ] || fail "$image: /tmp is not 1777"
  grep -q '"SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"' "$dir/bundle/config.json" ||
    fail "$image: SSL_CERT_FILE is not set"
  [ "$(grep -c 'BEGIN CERTIFICATE' "$rootfs/etc/ssl/certs/ca-certificates.crt")" -ge 100 ] ||
    fail "$image: the CA bundle is missing or short"
  grep -qE '^https[[:space:]]+443/tcp' "$rootfs/etc/services" || fail "$image: no /etc/services"
  [ "$(head -c 4 "$rootfs/usr/share/zoneinfo/America/New_York")" = TZif ] || fail "$image: no time zones"
  grep -q '"uid": 65532' "$dir/bundle/config.json" || fail "$image: does not run as 65532"
  # No stage-0 package: every installed package is one of the built repository's (by its C:
  # identity), none is stage 0's, and each has the build-root record of the build that made it.
  local installed=$rootfs/lib/apk/db/installed
  [ -f "$installed" ] || fail "$image: no installed database"
  sed -n 's/^C://p' "$installed" | sort -u >"$dir/installed.ids"
  [ -s "$dir/installed.ids" ] || fail "$image: the installed database names no package"
  local from_stage0
  from_stage0=$(comm -12 "$dir/installed.ids" "$work/stage0.ids")
  [ -z "$from_stage0" ] || fail "$image: packages from stage 0: $from_stage0"
  local unknown
  unknown=$(comm -23 "$dir/installed.ids" "$work/packages.ids")
  [ -z "$unknown" ] || fail "$image: packages not in the built repository: $unknown"
  local name version origin
  while IFS='|' read -r name version origin; do
    [ -f "$packages/$arch/buildlogs/${origin:-$name}-$version.buildroot.json" ] ||
      fail "$image: $name-$version has no build-root record (buildlogs/${origin:-$name}-$version.buildroot.json)"
    grep -q "\"name\": \"$name\"" "$dir"/sboms/*.spdx.json || fail "$image: the SBOM does not name $name"
  done < <(awk -F: '/^P:/ { p = $2 } /^V:/ { v = $2 } /^o:/ { o = $2 } /^$/ { if (p) print p "|" v "|" o; p = v = o = "" }
                    END { if (p) print p "|" v "|" o }' "$installed")
  echo "$image: $(wc -l <"$dir/installed.ids") packages, none from stage 0"
}

run_in() {
  local image=$1
  shift
  # The process's arguments replace the image's entrypoint and cmd.
  python3 - "$work/$image/bundle/config.json" "$@" <<'PY'
import json, sys
path, args = sys.argv[1], sys.argv[2:]
config = json.load(open(path))
config["process"]["args"] = args
json.dump(config, open(path, "w"), indent=2)
PY
  runc run --bundle "$work/$image/bundle" "lupine-e2e-$image-$$" </dev/null
}

# Runs the image in the host's network namespace (runc's config has its own by default), to reach
# a server on the host's 127.0.0.1.
host_network() {
  python3 - "$work/$1/bundle/config.json" <<'PY'
import json, sys
path = sys.argv[1]
config = json.load(open(path))
config["linux"]["namespaces"] = [n for n in config["linux"]["namespaces"] if n["type"] != "network"]
json.dump(config, open(path, "w"), indent=2)
PY
}

# A program of the kind these images are for: who it runs as, the name service files, time zones
# and the CA bundle, read through the C library.
cat >"$work/probe.c" <<'C'
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <gnu/libc-version.h>
#endif
int main(void) {
  setenv("TZ", "America/New_York", 1);
  tzset();
  time_t epoch = 0;
  char zone[16];
  strftime(zone, sizeof zone, "%Z", localtime(&epoch));
  FILE *bundle = fopen(getenv("SSL_CERT_FILE"), "r");
  printf("uid=%u tz=%s bundle=%s", (unsigned)getuid(), zone, bundle ? "yes" : "no");
#ifndef STATIC_PROBE
  struct passwd *user = getpwuid(getuid());
  printf(" user=%s libc=%s", user ? user->pw_name : "?", gnu_get_libc_version());
#endif
  printf("\n");
  return 0;
}
C

build_and_unpack static
cc -static -O2 -DSTATIC_PROBE -o "$work/static/bundle/rootfs/probe" "$work/probe.c" 2>/dev/null ||
  fail "cannot build the static probe"
[ ! -e "$work/static/bundle/rootfs/usr/bin/sh" ] || fail "static has a shell"
out=$(run_in static /probe) || fail "runc run of a static program in static"
[ "$out" = "uid=65532 tz=EST bundle=yes" ] || fail "static printed '$out'"
echo "static: $out"

build_and_unpack static-debug
out=$(run_in static-debug /busybox/sh -c 'id -u; command -v id') || fail "runc run of static-debug"
[ "$out" = $'65532\n/busybox/id' ] || fail "static-debug printed '$out'"
echo "static-debug: id -u = ${out%%$'\n'*}"

build_and_unpack base-nossl
[ ! -e "$work/base-nossl/bundle/rootfs/usr/bin/sh" ] || fail "base-nossl has a shell"
# Linked against lupine's glibc: compiled in a root of the built glibc-dev and stage 0's compiler.
devroot=$work/devroot
lupine install --root "$devroot" --initdb --arch "$arch" --keyring "$key.pub" --repository "$packages" \
  --repository "$stage0" --cache-dir "$cache" build-base glibc-dev openssl-dev >/dev/null || fail "install of the compile root"
installed_version() { sed -n "/^P:$2\$/{n;s/^V://p}" "$1/lib/apk/db/installed"; }
glibc_version=$(installed_version "$work/base-nossl/bundle/rootfs" glibc)
if [ -z "$glibc_version" ] || [ "$(installed_version "$devroot" glibc-dev)" != "$glibc_version" ]; then
  fail "the compile root's glibc-dev is not the built glibc's ($glibc_version)"
fi
mkdir -p "$work/out" "$devroot/proc" "$devroot/dev" "$devroot/tmp"  # mount points (no base layout in it)
bwrap --ro-bind "$devroot" / --proc /proc --dev /dev --tmpfs /tmp --bind "$work" /tmp/work --unshare-all \
  --die-with-parent --clearenv --setenv PATH /usr/bin:/bin cc -O2 -o /tmp/work/out/probe /tmp/work/probe.c ||
  fail "cannot compile the probe against the built glibc"
cp "$work/out/probe" "$work/base-nossl/bundle/rootfs/probe"
out=$(run_in base-nossl /probe) || fail "runc run of a dynamic program in base-nossl"
[ "$out" = "uid=65532 tz=EST bundle=yes user=nonroot libc=${glibc_version%-r*}" ] || fail "base-nossl printed '$out'"
echo "base-nossl: $out"

build_and_unpack base-nossl-debug
out=$(run_in base-nossl-debug /busybox/sh -c 'id -u') || fail "runc run of base-nossl-debug"
[ "$out" = 65532 ] || fail "base-nossl-debug printed '$out'"
echo "base-nossl-debug: id -u = $out"

# TLS 1.3 against lupine's OpenSSL. The server: the host's openssl with a certificate from a CA
# made here, which no bundle has.
tls=$work/tls
mkdir -p "$tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=lupine-e2e-ca \
  -keyout "$tls/ca.key" -out "$tls/ca.crt" 2>/dev/null || fail "cannot make the test CA"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost -keyout "$tls/server.key" \
  -out "$tls/server.csr" 2>/dev/null || fail "cannot make the server key"
printf 'subjectAltName=DNS:localhost\n' >"$tls/san.ext"
openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial -days 1 \
  -extfile "$tls/san.ext" -out "$tls/server.crt" 2>/dev/null || fail "cannot sign the server certificate"
port=$((20000 + RANDOM % 20000))
openssl s_server -accept "127.0.0.1:$port" -cert "$tls/server.crt" -key "$tls/server.key" -tls1_3 -www -quiet \
  </dev/null >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT

cat >"$work/tls_probe.c" <<'C'
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
// Connects to 127.0.0.1:PORT as localhost with TLS 1.3 only, verifying the server against the
// default trust store (SSL_CERT_FILE). Prints the protocol and OpenSSL's version, or why not.
int main(int argc, char **argv) {
  if (argc != 2) return 2;
  SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
  if (SSL_CTX_set_default_verify_paths(ctx) != 1) return 3;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1]))};
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) { perror("connect"); return 4; }
  SSL *ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  SSL_set_tlsext_host_name(ssl, "localhost");
  SSL_set1_host(ssl, "localhost");
  if (SSL_connect(ssl) != 1) {
    printf("refused: %s\n", X509_verify_cert_error_string(SSL_get_verify_result(ssl)));
    return 1;
  }
  printf("%s verified by %s\n", SSL_get_version(ssl), OpenSSL_version(OPENSSL_VERSION));
  return 0;
}
C
bwrap --ro-bind "$devroot" / --proc /proc --dev /dev --tmpfs /tmp --bind "$work" /tmp/work --unshare-all \
  --die-with-parent --clearenv --setenv PATH /usr/bin:/bin cc -O2 -o /tmp/work/out/tls_probe /tmp/work/tls_probe.c -lssl -lcrypto ||
  fail "cannot compile the TLS probe against the built OpenSSL"

build_and_unpack base
[ ! -e "$work/base/bundle/rootfs/usr/bin/sh" ] || fail "base has a shell"
cp "$work/out/tls_probe" "$work/base/bundle/rootfs/tls_probe"
host_network base
for _ in 1 2 3 4 5 6 7 8 9 10; do (echo >/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; sleep 0.5; done
if out=$(run_in base /tls_probe "$port"); then fail "base trusted the test CA without being told: $out"; fi
[ "$out" = "refused: unable to get local issuer certificate" ] || fail "base printed '$out'"
echo "base without the test CA: $out"

# The same image with the CA through apko's `certificates:`: accepted.
{
  echo "include: ./base.yaml"
  echo "certificates:"
  echo "  additional:"
  echo "    - name: lupine-e2e-ca"
  echo "      content: |"
  sed 's/^/        /' "$tls/ca.crt"
} >"$e2e/base-test-ca.yaml"
build_and_unpack base-test-ca
cp "$work/out/tls_probe" "$work/base-test-ca/bundle/rootfs/tls_probe"
host_network base-test-ca
out=$(run_in base-test-ca /tls_probe "$port") || fail "base with the test CA refused: $out"
openssl_version=$(installed_version "$work/base-test-ca/bundle/rootfs" libssl3)
[[ "$out" == "TLSv1.3 verified by OpenSSL ${openssl_version%-r*} "* ]] || fail "base with the test CA printed '$out'"
echo "base with the test CA through certificates: $out"

build_and_unpack base-debug
out=$(run_in base-debug /busybox/sh -c 'id -u') || fail "runc run of base-debug"
[ "$out" = 65532 ] || fail "base-debug printed '$out'"
echo "base-debug: id -u = $out"
