#!/usr/bin/env bash
# End-to-end tests: prepare the machine, package the extension, check that
# elevation works for the test user at the lowest level, then drive real VS Code
# (code-server, as that user) in real Chromium. Run as root. Non-zero on failure.
#
#   bash test/e2e/run.sh                 # everything
#   bash test/e2e/run.sh capture         # only test/e2e/capture.test.ts
#   DNC_E2E_VSIX=/path/x.vsix bash test/e2e/run.sh   # test a prebuilt .vsix, skip packaging
set -euo pipefail
cd "$(dirname "$0")/../.."
E2E_USER=${DNC_E2E_USER:-dnc-e2e}
t0=$(date +%s)

bash test/e2e/setup.sh

if [ -n "${DNC_E2E_VSIX:-}" ]; then
  echo "e2e: using the prebuilt $DNC_E2E_VSIX"
else
  echo "e2e: packaging the extension"
  npm run -s package >/dev/null
fi

# Lowest level first: if polkit does not let the test user through, every
# capture scenario would fail with a less obvious message.
# ulimit: pkexec closes every descriptor up to RLIMIT_NOFILE before running.
uid=$(runuser -u "$E2E_USER" -- bash -c 'ulimit -n 4096 && pkexec --disable-internal-agent /usr/bin/id -u' 2>&1) || true
if [ "$uid" != 0 ]; then
  echo "e2e: pkexec as $E2E_USER did not run as root (got: $uid); check polkitd and /etc/polkit-1/rules.d/49-dnc-e2e.rules" >&2
  exit 1
fi
echo "e2e: pkexec as $E2E_USER -> uid 0 through polkit"

export DNC_E2E_ARTIFACTS=${DNC_E2E_ARTIFACTS:-$PWD/.test-artifacts/e2e/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$DNC_E2E_ARTIFACTS"
echo "e2e: screenshots and logs in $DNC_E2E_ARTIFACTS"

if [ $# -gt 0 ]; then
  files=(); for name in "$@"; do files+=("test/e2e/$name.test.ts"); done
else
  # Cheapest first; each file starts its own code-server and browser.
  files=(test/e2e/containers.test.ts test/e2e/capture.test.ts test/e2e/directions.test.ts test/e2e/containerStopped.test.ts test/e2e/reload.test.ts test/e2e/reattach.test.ts test/e2e/panelClose.test.ts test/e2e/contextMenu.test.ts test/e2e/containerBackend.test.ts test/e2e/welcome.test.ts test/e2e/tlsDecrypt.test.ts test/e2e/projectCapture.test.ts)
fi
status=0
# One file at a time: two cores, and each file owns the dnc-e2e-* containers while it runs.
node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}" || status=$?
echo "e2e: finished in $(( $(date +%s) - t0 )) s; screenshots in $DNC_E2E_ARTIFACTS"
exit $status
