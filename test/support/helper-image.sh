#!/usr/bin/env bash
# Builds the helper images the container-backend tests use, on the private
# daemon (idempotent: an image of the current version is kept). Each holds
# Debian's tcpdump, the libraries `ldd` lists, and nothing else: no shell, no
# `ip`, no other tool (the backend's image contract is "tcpdump on PATH").
#
#   dnc-tcpdump-helper:latest         /etc/passwd and /etc/group name root and
#                                     tcpdump: tcpdump drops to its own user.
#   dnc-tcpdump-helper-nouser:latest  no tcpdump user: Debian's tcpdump then
#                                     refuses to run ("Couldn't find user").
set -euo pipefail
D=${DNC_DOCKER_DIR:-/tmp/dnc-docker}
export DOCKER_HOST=unix://$D/docker.sock
IMAGE_VERSION=1
TCPDUMP=/usr/bin/tcpdump

build() { # name, with-tcpdump-user (yes|no)
  local name=$1 with_user=$2
  if [ "$(docker image inspect -f '{{index .Config.Labels "dnc.version"}}' "$name" 2>/dev/null)" = "$IMAGE_VERSION" ]; then return; fi
  local R
  R=$(mktemp -d)
  chmod 0755 "$R"
  mkdir -p "$R/usr/bin" "$R/etc" "$R/tmp"
  cp "$TCPDUMP" "$R/usr/bin/tcpdump"
  # Every library the dynamic linker names, at the same path.
  for lib in $(ldd "$TCPDUMP" | grep -o '/[^ ]*'); do
    mkdir -p "$R$(dirname "$lib")"
    cp -L "$lib" "$R$lib"
  done
  echo 'root:x:0:0:root:/:/nonexistent' >"$R/etc/passwd"
  echo 'root:x:0:' >"$R/etc/group"
  if [ "$with_user" = yes ]; then
    getent passwd tcpdump | sed 's#:[^:]*:[^:]*$#:/nonexistent:/usr/sbin/nologin#' >>"$R/etc/passwd"
    getent group tcpdump >>"$R/etc/group"
  fi
  tar -C "$R" -c . | docker import -c 'ENV PATH=/usr/bin' -c "LABEL dnc.version=$IMAGE_VERSION" - "$name" >/dev/null
  rm -rf "$R"
}

build dnc-tcpdump-helper:latest yes
build dnc-tcpdump-helper-nouser:latest no
