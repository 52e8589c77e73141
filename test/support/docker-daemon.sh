#!/usr/bin/env bash
# Starts (or reuses) the project's private Docker daemon and imports the busybox
# test image. Prints nothing but errors; the socket is $DNC_DOCKER_DIR/docker.sock.
#
# Host forwarding is switched off first: containers on one bridge still reach
# each other (layer 2), but nothing they send can be routed off this machine.
set -euo pipefail
D=${DNC_DOCKER_DIR:-/tmp/dnc-docker}
SOCK=$D/docker.sock
cmd=${1:-start}

export DOCKER_HOST=unix://$SOCK

# Suites may call this at the same time: one at a time decides and starts.
mkdir -p "$D"
exec 9>"$D/.lock"
flock 9

stop_daemon() {
  local pid
  pid=$(cat "$D/docker.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$D/docker.pid"
}

if [ "$cmd" = stop ]; then stop_daemon; exit 0; fi

sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0 >/dev/null 2>&1 || true

# A daemon whose default bridge vanished (a test that tore down a second
# daemon on the same host can take docker0 with it) is restarted, not reused.
if docker version >/dev/null 2>&1 && ! ip link show docker0 >/dev/null 2>&1; then
  echo "private dockerd lost its docker0 bridge: restarting it" >&2
  stop_daemon
fi

if ! docker version >/dev/null 2>&1; then
  stop_daemon # a daemon that no longer answers, or a stale pid file
  mkdir -p "$D/data" "$D/exec"
  # containerd is started by dockerd itself when none is configured. 9>&- and
  # 3-8>&-: the daemon must not inherit this script's lock, nor a lock its
  # caller holds (flock CMD passes its lock on as fd 3): the next caller would
  # wait for as long as the daemon lives.
  nohup dockerd --iptables=false --ip6tables=false --ip-masq=false --ip-forward=false \
    --storage-driver=vfs --data-root "$D/data" --exec-root "$D/exec" \
    -H "unix://$SOCK" --pidfile "$D/docker.pid" >"$D/dockerd.log" 2>&1 9>&- 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- &
  for _ in $(seq 1 100); do docker version >/dev/null 2>&1 && break; sleep 0.2; done
  docker version >/dev/null 2>&1 || { echo "private dockerd did not start; see $D/dockerd.log" >&2; tail -20 "$D/dockerd.log" >&2; exit 1; }
fi
# The non-root test users (end-to-end tests) reach this daemon through the
# dnc-docker group, as users of a desktop Docker reach theirs through the
# docker group: never a world-writable socket. teardown.sh puts the socket's
# group and mode back and removes the group.
# shellcheck source=testUsers.sh
. "$(dirname "$0")/testUsers.sh"
dnc_test_group_add dnc-docker
dnc_test_mode_set "$SOCK" 0660 root:dnc-docker

# The test image: Debian's static busybox, imported as a rootfs (no registry here).
# Bump IMAGE_VERSION when the applet list changes: an older image is replaced.
IMAGE_VERSION=2
if [ "$(docker image inspect -f '{{index .Config.Labels "dnc.version"}}' dnc-busybox:latest 2>/dev/null)" != "$IMAGE_VERSION" ]; then
  R=$(mktemp -d)
  mkdir -p "$R/bin" "$R/etc" "$R/tmp" "$R/www" "$R/proc" "$R/sys" "$R/dev"
  cp /bin/busybox "$R/bin/busybox"
  for a in sh ash cat echo httpd wget nc nslookup ping ping6 traceroute sleep ip ifconfig ls seq printf sed grep head tail true false kill ps netstat hostname dd yes timeout wc tr usleep; do
    ln -s busybox "$R/bin/$a"
  done
  echo 'root:x:0:0:root:/:/bin/sh' >"$R/etc/passwd"
  echo 'root:x:0:' >"$R/etc/group"
  echo 'hello from dnc' >"$R/www/index.html"
  tar -C "$R" -c . | docker import -c 'ENV PATH=/bin' -c 'CMD ["/bin/sh"]' -c "LABEL dnc.version=$IMAGE_VERSION" - dnc-busybox:latest >/dev/null
  rm -rf "$R"
fi

# The helper-container backend's test image: Debian's tcpdump and nothing else.
bash "$(dirname "$0")/helper-image.sh"
