#!/usr/bin/env bash
# Prepares a machine for the end-to-end tests. Run as root; idempotent (a second
# run only checks). Everything is real: Debian packages, a private Docker daemon,
# an ordinary test user, dbus + polkitd with a rule that stands in for the
# password dialog, and code-server (VS Code for the browser) cached outside the
# repository.
set -euo pipefail

E2E_USER=${DNC_E2E_USER:-dnc-e2e}
CACHE=${DNC_E2E_CACHE:-/var/cache/dnc-e2e}
CODE_SERVER_VERSION=4.100.3 # VS Code 1.100.3; 4.103+ needs Node 22
REPO=$(cd "$(dirname "$0")/../.." && pwd)

[ "$(id -u)" = 0 ] || { echo "test/e2e/setup.sh must run as root" >&2; exit 1; }

t0=$(date +%s.%N)
step_start=$t0
step() { # prints how long the previous step took
  local now; now=$(date +%s.%N)
  printf '  %-28s %6.1fs\n' "$1" "$(awk "BEGIN{print $now - $step_start}")"
  step_start=$now
}
echo "e2e setup:"

# --- Debian packages ---------------------------------------------------------
PKGS=(docker.io tcpdump busybox-static iproute2 chromium pkexec polkitd dbus
  libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev ripgrep build-essential python3)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Asked for even when present, as the brief of this harness says: a fresh CI
# machine has none of it, and apt is a no-op when everything is installed.
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${PKGS[@]}" >/dev/null
step "apt packages"

# --- private Docker daemon (socket 0660, group dnc-docker: the test user is in it)
bash "$REPO/test/support/docker-daemon.sh"
step "private docker daemon"

# --- the ordinary test user, dbus + polkitd + the rule (shared with the
# integration tests' real-pkexec elevation test) ------------------------------
# The demo (scripts/demo.sh) only wants code-server: no test users, no polkit rule.
if [ "${DNC_E2E_CODE_SERVER_ONLY:-0}" != 1 ]; then
  DNC_E2E_USER="$E2E_USER" bash "$REPO/test/support/elevation-setup.sh"
fi
step "dbus + polkitd + rule"

# --- code-server, cached outside the repository ---------------------------------
CS_DIR=$CACHE/code-server-$CODE_SERVER_VERSION
if [ ! -f "$CS_DIR/.installed" ]; then
  rm -rf "$CS_DIR"
  mkdir -p "$CS_DIR" "$CACHE/tmp"
  # @vscode/ripgrep's postinstall would download rg; it first looks in this cache.
  RG_CACHE=$CACHE/tmp/vscode-ripgrep-cache-1.15.11
  mkdir -p "$RG_CACHE"
  rgt=$(mktemp -d); cp /usr/bin/rg "$rgt/rg"
  tar -C "$rgt" -czf "$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" rg
  rm -rf "$rgt"
  # npm 11 blocks dependency install scripts unless allowed. code-server's own
  # postinstall runs a nested `npm install` in lib/vscode whose native modules
  # (node-pty, spdlog, watcher...) must build; a project .npmrc there allows
  # exactly those. (--allow-scripts on the command line would leak into the
  # nested install as an env var, where npm refuses it.)
  cat >"$CS_DIR/package.json" <<EOF
{"name": "dnc-e2e-code-server", "private": true,
 "allowScripts": {"code-server": true, "argon2": true}}
EOF
  (
    cd "$CS_DIR"
    export TMPDIR=$CACHE/tmp npm_config_yes=true # npm_config_yes: node-pty runs `npx node-gyp`
    npm install --ignore-scripts --no-audit --no-fund --save-exact "code-server@$CODE_SERVER_VERSION" >"$CACHE/install.log" 2>&1
    printf 'allow-scripts=%s\n' '@parcel/watcher,@vscode/deviceid,@vscode/ripgrep,@vscode/spdlog,kerberos,native-watchdog,node-pty' \
      >node_modules/code-server/lib/vscode/.npmrc
    npm rebuild --unsafe-perm code-server argon2 >>"$CACHE/install.log" 2>&1
  ) || { echo "code-server install failed; see $CACHE/install.log" >&2; tail -30 "$CACHE/install.log" >&2; exit 1; }
  for f in lib/vscode/node_modules/node-pty/build/Release/pty.node lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node lib/vscode/node_modules/@vscode/ripgrep/bin/rg; do
    [ -e "$CS_DIR/node_modules/code-server/$f" ] || { echo "code-server install incomplete: $f missing; see $CACHE/install.log" >&2; exit 1; }
  done
  echo "$CODE_SERVER_VERSION" >"$CS_DIR/.installed"
fi
ln -sfn "$CS_DIR/node_modules/.bin/code-server" "$CACHE/code-server"
chmod -R a+rX "$CACHE"
step "code-server $CODE_SERVER_VERSION"

printf '  %-28s %6.1fs\n' "total" "$(awk "BEGIN{print $(date +%s.%N) - $t0}")"
echo "code-server: $CACHE/code-server"
