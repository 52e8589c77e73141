#!/usr/bin/env bash
# Every test suite, in order of cost. Prints how long each part took.
# Integration and end-to-end tests need root and the private Docker daemon
# (scripts/setup-machine.sh installs and starts everything).
set -uo pipefail
cd "$(dirname "$0")/.."
failed=()
run() {
  local name=$1; shift
  local t0=$(date +%s)
  echo "=== $name"
  if "$@"; then echo "=== $name: ok ($(( $(date +%s) - t0 )) s)"; else echo "=== $name: FAILED ($(( $(date +%s) - t0 )) s)"; failed+=("$name"); fi
}
run check npm run -s check
run build npm run -s build
run unit node --import tsx --test --test-reporter=spec test/unit/*.test.ts
if [ "$(id -u)" = 0 ]; then
  run docker bash test/support/docker-daemon.sh
  run integration node --import tsx --test --test-concurrency=1 --test-reporter=spec test/integration/*.test.ts
  run security node --import tsx --test --test-concurrency=1 --test-reporter=spec test/security/*.test.ts
  [ -d test/webview ] && ls test/webview/*.test.ts >/dev/null 2>&1 && run webview node --import tsx --test --test-reporter=spec test/webview/*.test.ts
  [ -x test/e2e/run.sh ] && run e2e bash test/e2e/run.sh
else
  echo "=== integration and end-to-end tests need root (they start a private Docker daemon): skipped"
  failed+=("not-root")
fi
if [ ${#failed[@]} -gt 0 ]; then echo "FAILED: ${failed[*]}"; exit 1; fi
echo "all test suites passed"
