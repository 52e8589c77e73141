#!/usr/bin/env bash
# The large decoder fuzzing run: scripts/fuzz.sh [CASES] [SEED]
# (npm test runs a smaller one). Prints cases, time and peak memory.
set -euo pipefail
cd "$(dirname "$0")/.."
export DNC_FUZZ_CASES=${1:-1000000}
[ -n "${2:-}" ] && export DNC_FUZZ_SEED=$2
exec node --import tsx --test --test-reporter=spec --test-name-pattern='seeded cases' test/unit/fuzzDecoders.test.ts
