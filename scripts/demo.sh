#!/usr/bin/env bash
# `npm run demo` (as root, after `bash scripts/setup-machine.sh`): the private
# Docker daemon, three demo containers (a web server, a client that resolves
# and fetches it every 2 s, and a DNS server that knows only web.demo), and
# code-server on 127.0.0.1 with the freshly packaged extension installed.
# Prints the URL to open; Ctrl+C stops and removes everything it started.
#
# No traffic leaves the machine: the demo network is a bridge on a daemon with
# forwarding off, the client's only resolver is the demo DNS container, and it
# only ever asks for web.demo.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "demo: run as root (it starts the private Docker daemon and captures as root)" >&2; exit 1; }

PORT=${DNC_DEMO_PORT:-8377}
NET=dnc-demo
D=${DNC_DOCKER_DIR:-/tmp/dnc-docker}
export DOCKER_HOST=unix://$D/docker.sock
RUN=$(mktemp -d /tmp/dnc-demo.XXXXXX)
CODE_SERVER_PID=
DNS_PID=

cleanup() {
  trap - EXIT INT TERM
  echo
  echo "demo: stopping"
  [ -n "$CODE_SERVER_PID" ] && kill "$CODE_SERVER_PID" 2>/dev/null || true
  [ -n "$DNS_PID" ] && kill "$DNS_PID" 2>/dev/null || true
  docker rm -f dnc-demo-client dnc-demo-web dnc-demo-dns >/dev/null 2>&1 || true
  docker network rm "$NET" >/dev/null 2>&1 || true
  rm -rf "$RUN"
}
trap cleanup EXIT INT TERM

echo "demo: private Docker daemon and test image"
bash test/support/docker-daemon.sh
echo "demo: code-server (installed once, cached)"
DNC_E2E_CODE_SERVER_ONLY=1 bash test/e2e/setup.sh >/dev/null
CODE_SERVER=${DNC_E2E_CACHE:-/var/cache/dnc-e2e}/code-server

echo "demo: containers"
docker rm -f dnc-demo-client dnc-demo-web dnc-demo-dns >/dev/null 2>&1 || true
docker network rm "$NET" >/dev/null 2>&1 || true
docker network create "$NET" >/dev/null
docker run -d --name dnc-demo-web --network "$NET" dnc-busybox:latest httpd -f -p 80 -h /www >/dev/null
docker run -d --name dnc-demo-dns --network "$NET" dnc-busybox:latest sleep 2147483647 >/dev/null
ip_of() { docker inspect -f "{{(index .NetworkSettings.Networks \"$NET\").IPAddress}}" "$1"; }
WEB_IP=$(ip_of dnc-demo-web)
DNS_IP=$(ip_of dnc-demo-dns)
DNS_NS_PID=$(docker inspect -f '{{.State.Pid}}' dnc-demo-dns)
# The DNS server runs in the DNS container's network namespace (nsenter execs
# node: $! is the server); it also exits by itself if this script dies.
nsenter -t "$DNS_NS_PID" -n node scripts/dnsResponder.mjs --answer "$WEB_IP" --only web.demo --exit-with-parent </dev/null >"$RUN/dns.log" 2>&1 &
DNS_PID=$!
docker run -d --name dnc-demo-client --network "$NET" --dns "$DNS_IP" dnc-busybox:latest \
  sh -c 'while true; do nslookup web.demo >/dev/null 2>&1; wget -q -O /dev/null http://web.demo/ 2>/dev/null; sleep 2; done' >/dev/null

echo "demo: packaging the extension"
npm run -s package >/dev/null
mkdir -p "$RUN/user/User" "$RUN/extensions" "$RUN/workspace"
cat >"$RUN/user/User/settings.json" <<JSON
{
  "security.workspace.trust.enabled": false,
  "workbench.startupEditor": "none",
  "dockerNetworkCapture.dockerHost": "unix://$D/docker.sock"
}
JSON
"$CODE_SERVER" --user-data-dir "$RUN/user" --extensions-dir "$RUN/extensions" --install-extension dist/docker-network-capture.vsix >/dev/null 2>&1
"$CODE_SERVER" --auth none --bind-addr "127.0.0.1:$PORT" --user-data-dir "$RUN/user" --extensions-dir "$RUN/extensions" \
  --disable-telemetry --disable-update-check --disable-workspace-trust "$RUN/workspace" >"$RUN/code-server.log" 2>&1 &
CODE_SERVER_PID=$!
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  sleep 0.2
done

cat <<TEXT

  Open http://127.0.0.1:$PORT/?folder=$RUN/workspace
  then the Network Capture view (activity bar), right-click dnc-demo-client > Capture Traffic.
  Containers: dnc-demo-web ($WEB_IP, httpd), dnc-demo-dns ($DNS_IP, answers web.demo),
  dnc-demo-client (nslookup + wget every 2 s). Ctrl+C stops the demo.

TEXT
wait "$CODE_SERVER_PID"
