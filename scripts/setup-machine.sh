#!/usr/bin/env bash
# Installs what this project needs on a fresh Debian 12 machine (as root):
# Debian packages, the npm dependencies (which also builds), and the private
# Docker daemon with its test image. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

packages=(
  docker.io tcpdump tshark busybox-static iproute2 util-linux procps   # capture + real containers
  chromium                                                             # webview and end-to-end tests
  pkexec polkitd dbus sudo                                             # real elevation
  libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev ripgrep        # code-server (end-to-end tests)
  openssh-server openssh-client openssl                                # ssh:// and tcp+TLS engine tests
  podman uidmap slirp4netns fuse-overlayfs                             # Podman engine tests (rootful, rootless)
  docker-compose                                                       # Compose project capture tests (--project)
)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

echo "setup: npm ci"
npm ci --no-audit --no-fund

echo "setup: private Docker daemon"
bash test/support/docker-daemon.sh
