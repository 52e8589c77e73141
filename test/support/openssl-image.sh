#!/usr/bin/env bash
# Builds dnc-openssl:latest on the private daemon (idempotent: an image of the current
# version is kept): Debian's static busybox (sh, printf, sleep) plus Debian's openssl and
# the libraries `ldd` lists, for TLS sessions between test containers whose client writes
# a key log (s_client -keylogfile). No registry is needed: the rootfs is imported.
set -euo pipefail
D=${DNC_DOCKER_DIR:-/tmp/dnc-docker}
export DOCKER_HOST=unix://$D/docker.sock
IMAGE=dnc-openssl:latest
IMAGE_VERSION=1
OPENSSL=/usr/bin/openssl

if [ "$(docker image inspect -f '{{index .Config.Labels "dnc.version"}}' "$IMAGE" 2>/dev/null)" = "$IMAGE_VERSION" ]; then exit 0; fi
R=$(mktemp -d)
trap 'rm -rf "$R"' EXIT
chmod 0755 "$R"
mkdir -p "$R/bin" "$R/usr/bin" "$R/etc" "$R/tmp" "$R/usr/lib/ssl"
chmod 1777 "$R/tmp"
cp /bin/busybox "$R/bin/busybox"
for a in sh printf sleep cat ls; do ln -s busybox "$R/bin/$a"; done
cp "$OPENSSL" "$R/usr/bin/openssl"
for lib in $(ldd "$OPENSSL" | grep -o '/[^ ]*'); do
  mkdir -p "$R$(dirname "$lib")"
  cp -L "$lib" "$R$lib"
done
cp -L /usr/lib/ssl/openssl.cnf "$R/usr/lib/ssl/openssl.cnf"
echo 'root:x:0:0:root:/:/bin/sh' >"$R/etc/passwd"
echo 'root:x:0:' >"$R/etc/group"
tar -C "$R" -c . | docker import -c 'ENV PATH=/bin:/usr/bin' -c "LABEL dnc.version=$IMAGE_VERSION" - "$IMAGE" >/dev/null
